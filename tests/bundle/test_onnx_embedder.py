"""The ONNX Runtime embedders: the exported model cache, the int8 graph quantised from it, their
thread budget, their vectors against the torch model's, and the int8 graph's search quality against
float32's. Real model: the export runs torch on the packaged weights (a few seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from indexer.bundle import compute_threads, onnx_model
from indexer.bundle import location as bundles
from indexer.bundle.build import build
from indexer.bundle.embeddings import MINILM_SHA256, MiniLMEmbedder, OnnxInt8MiniLMEmbedder, OnnxMiniLMEmbedder
from nis_library.search import SearchService
from tests.real_model_builds import shared_models, shipped_bundle
from tests.search_quality import evaluate, load_judgements
from tests.support import REPO, ContentTree

pytestmark = pytest.mark.real_model


QUERIES = REPO / "tests" / "data" / "judged_queries.yaml"


class Exports:
    """Counts the exports `onnx_model.export` and the quantisations `onnx_model.quantize` really
    perform."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.count = self.quantised = 0
        export, quantize = onnx_model.export, onnx_model.quantize

        def counting(model_dir, path):
            self.count += 1
            export(model_dir, path)

        def counting_quantisations(float_graph, path):
            self.quantised += 1
            quantize(float_graph, path)

        monkeypatch.setattr(onnx_model, "export", counting)
        monkeypatch.setattr(onnx_model, "quantize", counting_quantisations)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, int, OnnxMiniLMEmbedder]:
    """A models folder exported into by the first of two embedders; the export count."""
    models = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as monkeypatch:
        exports = Exports(monkeypatch)
        OnnxMiniLMEmbedder(models)
        embedder = OnnxMiniLMEmbedder(models)
    return models, exports.count, embedder


def test_the_export_is_a_model_onnx_runtime_loads_and_the_second_embedder_reuses_it(exported):
    models, exports, _ = exported
    path = onnx_model.cached_path(models, MINILM_SHA256)
    assert exports == 1
    assert sorted(p.name for p in models.iterdir()) == [path.name, path.name + ".lock"]  # no temporary left
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(onnx_model.INPUTS)


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_cached_model_is_exported_again(exported, tmp_path, monkeypatch, damage):
    models, _, good = exported
    cached = onnx_model.cached_path(tmp_path, MINILM_SHA256)
    if damage == "truncated":  # as a copy interrupted half way would leave it
        shutil.copyfile(onnx_model.cached_path(models, MINILM_SHA256), cached)
        with open(cached, "r+b") as handle:
            handle.truncate(cached.stat().st_size // 2)
    else:
        cached.write_bytes(b"not a model")
    exports = Exports(monkeypatch)
    embedder = OnnxMiniLMEmbedder(tmp_path)
    assert exports.count == 1
    assert cached.stat().st_size == onnx_model.cached_path(models, MINILM_SHA256).stat().st_size
    text = ["pupil struggles to follow spoken instructions"]
    assert float(embedder.embed(text)[0] @ good.embed(text)[0]) > 0.99999


def test_the_session_holds_to_the_thread_budget(exported, monkeypatch):
    monkeypatch.setattr(compute_threads, "_budget", 2)
    options = OnnxMiniLMEmbedder(exported[0]).session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (2, 2)
    assert options.execution_mode == ort.ExecutionMode.ORT_SEQUENTIAL


def test_the_vectors_are_the_torch_models(exported):
    onnx = exported[2]
    queries = [q.query for q in load_judgements(REPO / "tests" / "data" / "judged_queries.yaml")]
    items = [path.read_text(encoding="utf-8") for path in sorted((REPO / "content" / "items").rglob("*.md"))[:20]]
    texts = [*queries, *items, "", "   padded   "]  # items run past the 256 word pieces: both cut there
    torch_vectors, onnx_vectors = MiniLMEmbedder().embed(texts), onnx.embed(texts)
    assert onnx_vectors.shape == torch_vectors.shape == (len(texts), 384)
    assert onnx_vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(onnx_vectors * torch_vectors, axis=1))) >= 0.9999


def test_queries_are_shortened_as_the_torch_model_does(exported):
    text = "my pupil cannot remember what the teacher just said and gets lost in multi-step tasks " * 4
    shortened = exported[2].shorten(text, 12)
    assert shortened == MiniLMEmbedder().shorten(text, 12) and len(shortened) < len(text)
    assert exported[2].shorten("short query", 12) == "short query"


@pytest.fixture(scope="module")
def int8(tmp_path_factory) -> tuple[Path, Exports, OnnxInt8MiniLMEmbedder]:
    """A fresh models folder made by two int8 embedders; what they exported and quantised."""
    models = tmp_path_factory.mktemp("int8-models")
    with pytest.MonkeyPatch.context() as monkeypatch:
        made = Exports(monkeypatch)
        OnnxInt8MiniLMEmbedder(models)
        embedder = OnnxInt8MiniLMEmbedder(models)
    return models, made, embedder


def test_the_int8_graph_is_quantised_once_from_the_float_export_and_reused(int8):
    models, made, embedder = int8
    float_graph, int8_graph = (
        onnx_model.cached_path(models, MINILM_SHA256),
        onnx_model.cached_path(models, MINILM_SHA256, int8=True),
    )
    assert (made.count, made.quantised) == (1, 1)  # the second embedder found both files ready
    assert sorted(p.name for p in models.iterdir()) == sorted(
        [float_graph.name, float_graph.name + ".lock", int8_graph.name, int8_graph.name + ".lock"]
    )
    assert int8_graph.stat().st_size < float_graph.stat().st_size / 3  # int8 weights: a quarter the bytes
    session = ort.InferenceSession(str(int8_graph), providers=["CPUExecutionProvider"])
    assert {node.op_type for node in _graph_nodes(int8_graph)} & {"DynamicQuantizeLinear", "MatMulInteger"}
    assert [i.name for i in session.get_inputs()] == list(onnx_model.INPUTS)
    assert embedder.name == "all-MiniLM-L6-v2-onnx-int8" != OnnxMiniLMEmbedder.name


def test_a_damaged_int8_graph_is_quantised_again_without_exporting_again(int8, tmp_path, monkeypatch):
    models = int8[0]
    shutil.copyfile(onnx_model.cached_path(models, MINILM_SHA256), onnx_model.cached_path(tmp_path, MINILM_SHA256))
    onnx_model.cached_path(tmp_path, MINILM_SHA256, int8=True).write_bytes(b"not a model")
    made = Exports(monkeypatch)
    embedder = OnnxInt8MiniLMEmbedder(tmp_path)
    assert (made.count, made.quantised) == (0, 1)
    text = ["pupil struggles to follow spoken instructions"]
    assert np.allclose(embedder.embed(text), int8[2].embed(text))


def test_int8_vectors_stay_close_to_float32s(exported, int8):
    queries = [q.query for q in load_judgements(QUERIES)]
    int8_vectors, float_vectors = int8[2].embed(queries), exported[2].embed(queries)
    assert int8_vectors.dtype == np.float32 and np.allclose(np.linalg.norm(int8_vectors, axis=1), 1.0, atol=1e-5)
    # Measured: smallest cosine 0.985 over the judged queries. Close, not equal: hence its own name.
    cosines = np.sum(int8_vectors * float_vectors, axis=1)
    assert 0.97 <= float(cosines.min()) < 0.99999


def test_int8_search_quality_stays_near_float32s(tmp_path_factory, worker_id):
    """int8 is the default and the fusion is tuned on it; float32 stays a choice. On the 204 judged
    queries (hybrid nDCG@10 / Recall@10 / MRR) int8 measured 0.903 / 0.906 / 0.962 and float32
    0.896 / 0.909 / 0.952. Each must stay within 0.02 of float32. The shipped library's builds are
    made once a run (tests/real_model_builds.py): test_real_model.py searches the same int8 one."""
    queries = load_judgements(QUERIES)
    models = shared_models(tmp_path_factory, worker_id)
    scores = {}
    for name, embedder in (("float32", OnnxMiniLMEmbedder(models)), ("int8", OnnxInt8MiniLMEmbedder(models))):
        bundle = shipped_bundle(embedder, tmp_path_factory, worker_id)
        scores[name] = evaluate(SearchService(bundle, lambda _, e=embedder: e), queries, modes=("hybrid",))["hybrid"]
    for measure in ("ndcg", "recall", "mrr"):
        assert getattr(scores["int8"], measure) >= getattr(scores["float32"], measure) - 0.02, measure


def test_switching_to_int8_re_embeds_and_searches_with_int8(tree: ContentTree, instance: Path, exported, int8):
    """Corpus and query vectors come from the same encoder: a bundle embedded in float32 is embedded
    again in full when int8 is chosen, and its searches then embed queries with int8."""
    models = bundles.models_dir(instance)
    models.mkdir(parents=True)
    for graph in (onnx_model.cached_path(int8[0], MINILM_SHA256), onnx_model.cached_path(int8[0], MINILM_SHA256, True)):
        shutil.copyfile(graph, models / graph.name)  # as `nis build` leaves them: not made again here
    first = build(tree.root, instance, source="working", embedder=OnnxMiniLMEmbedder(models))
    second = build(tree.root, instance, source="working", embedder=OnnxInt8MiniLMEmbedder(models))
    assert second.full and second.embedded == first.embedded > first.searchable > 0  # texts and passages
    assert bundles.read_manifest(second.bundle)["embedder"] == OnnxInt8MiniLMEmbedder.name
    service = SearchService(second.bundle)  # the default: the process's shared embedder for the bundle's model
    assert service.embedder().name == OnnxInt8MiniLMEmbedder.name
    assert service.search(service.parse("short sessions that teach new words")).hits


def _graph_nodes(path: Path):
    import onnx

    return onnx.load(str(path)).graph.node
