"""The search-quality measures the evaluation script reports: hit@k, the per-query summary, types."""

from __future__ import annotations

from tests.search_quality import JudgedQuery, QueryOutcome, hit_at_k, load_judgements, summarise


def judged(relevant, kind="teacher"):
    return JudgedQuery("q", "sensory", "practice", relevant, kind)


def test_hit_at_k_counts_a_relevant_item_within_the_first_k():
    assert hit_at_k(["A", "B", "C"], {"B": 2}, 1) == 0.0
    assert hit_at_k(["A", "B", "C"], {"B": 2}, 3) == 1.0
    assert hit_at_k([], {"B": 2}, 3) == 0.0


def test_summary_averages_hits_and_takes_the_median_count():
    outcomes = [
        QueryOutcome(judged({"A": 2}), ("A", "B"), 10),
        QueryOutcome(judged({"A": 2}), ("B", "C", "A"), 30),
        QueryOutcome(judged({"A": 2}), ("B", "C", "D", "A"), 50),
        QueryOutcome(judged({"A": 2}), ("A",), 100),
    ]
    scores = summarise(outcomes)
    assert scores.hit1 == 0.5 and scores.hit3 == 0.75 and scores.median_count == 40
    assert scores.mrr == round((1 + 1 / 3 + 1 / 4 + 1) / 4, 4)


def test_a_query_without_a_type_is_a_teachers(tmp_path):
    path = tmp_path / "judged.yaml"
    path.write_text("- {query: a, relevant: {X: 2}}\n- {query: b, type: parent, relevant: {Y: 1}}\n", encoding="utf-8")
    assert [q.type for q in load_judgements(path)] == ["teacher", "parent"]


def test_a_query_with_no_good_answer_is_scored_on_its_count_alone():
    outcomes = [
        QueryOutcome(judged({"A": 2}), ("A", "B"), 2),
        QueryOutcome(judged({}), ("B", "C"), 0),
        QueryOutcome(judged({}), ("B", "C"), 0),
        QueryOutcome(judged({}), ("B", "C", "D"), 3),
    ]
    scores = summarise(outcomes)
    assert scores.queries == 1 and scores.ndcg == 1.0 and scores.hit1 == 1.0  # the others are not averaged in
    assert scores.unanswerable == 3 and scores.unanswerable_count == 0
    assert scores.unanswerable_silent == round(2 / 3, 4)


def test_first_counted_is_the_share_of_answerable_queries_with_a_counted_first_result():
    outcomes = [
        QueryOutcome(judged({"A": 2}), ("A",), 1),
        QueryOutcome(judged({"A": 2}), ("B", "A"), 0),  # only related items: nothing counted
    ]
    assert summarise(outcomes).first_counted == 0.5


def test_parts_and_no_answer_queries_load(tmp_path):
    path = tmp_path / "judged.yaml"
    path.write_text(
        "- {query: a, part: held-out, relevant: {X: 2}}\n- {query: b, answer: none, relevant: {}}\n- {query: c, relevant: {Y: 2}}\n",
        encoding="utf-8",
    )
    loaded = load_judgements(path)
    assert [q.part for q in loaded] == ["held-out", "tuning", "tuning"]
    assert [q.answerable for q in loaded] == [True, False, True]
    assert [q.part for q in load_judgements(path, part="blind")] == ["held-out", "blind", "blind"]
