"""The life of a recommendation on both backends: IDs allocated in order per year and series, the
roles each action needs, the transitions each state allows, text limits, optimistic locking (also
under concurrent saves) and an audit row for every change."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading

import pytest
from sqlalchemy import select

from nis_library.governance import recommendations as recs
from nis_library.governance.library_names import LibraryTerms, ReviewTerms
from nis_library.governance.permissions import Actor, NotPermitted
from nis_library.state import audit
from nis_library.state.migrate import upgrade
from nis_library.state.schema import audit_log

TERMS = LibraryTerms(
    reviews={
        "standards-2031": ReviewTerms("standards-2031", "Scheduled review", "standards", 2031),
        "packages-2031": ReviewTerms("packages-2031", "Packages review", "packages", 2031),
        "standards-2033": ReviewTerms("standards-2033", "Next review", "standards", 2033),
        "unopened": ReviewTerms("unopened", "Not yet open", "standards", None),
    },
    items=frozenset({"INT-0001", "ADJ-0002"}),
    areas={"cognition-and-learning": "Cognition and learning"},
    layers={"targeted": "Targeted"},
)
PANEL = Actor("pat", "panel-member")
CHAIR = Actor("chris", "chair")
RESPONDER = Actor("dana", "responder")
ADMIN = Actor("ali", "admin")


@pytest.fixture
def store(engine):
    upgrade(engine)
    return engine


def change(engine, action, *args, **kwargs):
    """One change in a transaction of its own, as a view or a command opens it."""
    with recs.unit_of_work(engine) as conn:
        return action(conn, *args, **kwargs)


def reading(engine, read, *args, **kwargs):
    with engine.connect() as conn:
        return read(conn, *args, **kwargs)


def draft(engine, review="standards-2031", **fields):
    values = {"text": "Rate every item against published criteria.", "rationale": "Ratings differ."} | fields
    return change(engine, recs.create_draft, PANEL, TERMS, review=review, **values)


def published(engine, **fields):
    made = draft(engine, **fields)
    return change(engine, recs.publish, CHAIR, made.id, made.version)


def audit_rows(engine):
    with engine.connect() as conn:
        return conn.execute(select(audit_log).order_by(audit_log.c.id)).all()


def test_ids_follow_the_review_year_and_series_in_order(store):
    made = [draft(store), draft(store), draft(store, review="packages-2031"), draft(store, review="standards-2033")]
    assert [r.id for r in made] == ["R-2031-S-01", "R-2031-S-02", "R-2031-P-01", "R-2033-S-01"]
    assert made[0].status == "draft" and made[0].version == 1 and made[0].created_by == "pat"


def test_a_withdrawn_number_is_never_reused(store):
    first = published(store)
    change(store, recs.withdraw, CHAIR, first.id, first.version, reason="Superseded by the next one.")
    assert draft(store).id == "R-2031-S-02"


def test_concurrent_drafts_get_distinct_numbers(store):
    made, failures = [], []

    def make():
        try:
            made.append(draft(store).id)
        except Exception as error:  # noqa: BLE001 (the test reports any failure)
            failures.append(error)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(made) == ["R-2031-S-01", "R-2031-S-02", "R-2031-S-03", "R-2031-S-04"]
    assert audit_verify(store) is None


def audit_verify(engine):
    with engine.connect() as conn:
        return audit.verify(conn)


def test_the_whole_life_is_audited_before_and_after(store):
    made = draft(store, items=["INT-0001"], areas=["cognition-and-learning"], layers=["targeted"])
    edited = change(
        store,
        recs.edit_draft,
        CHAIR,
        TERMS,
        made.id,
        made.version,
        text="Publish the criteria.",
        rationale="Ratings differ.",
    )
    out = change(store, recs.publish, CHAIR, edited.id, edited.version)
    answered = change(
        store,
        recs.respond,
        RESPONDER,
        out.id,
        out.version,
        response="not-accepted",
        explanation="Criteria exist already.",
    )
    assert answered.version == 4 and answered.response == "not-accepted"
    assert answered.explanation == "Criteria exist already." and answered.responded_at is not None
    rows = audit_rows(store)
    assert [(r.actor, r.action, r.subject) for r in rows] == [
        ("pat", "recommendation.draft", "R-2031-S-01"),
        ("chris", "recommendation.edit", "R-2031-S-01"),
        ("chris", "recommendation.publish", "R-2031-S-01"),
        ("dana", "recommendation.respond", "R-2031-S-01"),
    ]
    assert rows[0].before is None and json.loads(rows[0].after)["items"] == ["INT-0001"]
    assert json.loads(rows[1].before)["text"] == "Rate every item against published criteria."
    assert json.loads(rows[1].after)["text"] == "Publish the criteria."
    assert json.loads(rows[3].before)["response"] is None
    assert json.loads(rows[3].after)["response"] == "not-accepted"
    assert audit_verify(store) is None


@pytest.mark.parametrize(
    ("actor", "action"),
    [
        (RESPONDER, "draft"),
        (ADMIN, "draft"),
        (PANEL, "publish"),
        (RESPONDER, "publish"),
        (ADMIN, "publish"),
        (PANEL, "respond"),
        (CHAIR, "respond"),
        (ADMIN, "respond"),
        (PANEL, "withdraw"),
        (RESPONDER, "withdraw"),
        (ADMIN, "edit"),
        (RESPONDER, "edit"),
    ],
)
def test_each_role_is_refused_what_it_may_not_do_and_the_attempt_is_audited(store, actor, action):
    target = draft(store) if action in ("publish", "edit") else published(store)
    before = len(audit_rows(store))
    calls = {
        "draft": lambda: change(
            store, recs.create_draft, actor, TERMS, review="standards-2031", text="t", rationale="r"
        ),
        "edit": lambda: change(
            store, recs.edit_draft, actor, TERMS, target.id, target.version, text="t", rationale="r"
        ),
        "publish": lambda: change(store, recs.publish, actor, target.id, target.version),
        "respond": lambda: change(store, recs.respond, actor, target.id, target.version, response="accepted"),
        "withdraw": lambda: change(store, recs.withdraw, actor, target.id, target.version, reason="r"),
    }
    with pytest.raises(NotPermitted, match=f"{actor.username} \\({actor.role}\\) may not"):
        calls[action]()
    assert reading(store, recs.get, target.id) == target  # unchanged
    rows = audit_rows(store)
    assert len(rows) == before + 1 and rows[-1].action == f"recommendation.{action}.refused"
    assert rows[-1].actor == actor.username
    assert rows[-1].subject == ("standards-2031" if action == "draft" else target.id)
    assert rows[-1].before is None and json.loads(rows[-1].after) == {"role": actor.role}
    assert audit_verify(store) is None


def test_a_refusal_rolls_back_the_whole_change_but_is_still_audited(store):
    made = draft(store)
    with pytest.raises(NotPermitted), recs.unit_of_work(store) as conn:
        recs.edit_draft(conn, PANEL, TERMS, made.id, made.version, text="Edited first.", rationale="r")
        recs.publish(conn, PANEL, made.id, made.version + 1)  # a panel member may not publish
    assert reading(store, recs.get, made.id) == made  # the edit in the same transaction rolled back too
    rows = audit_rows(store)
    assert [(r.actor, r.action, r.subject) for r in rows] == [
        ("pat", "recommendation.draft", made.id),
        ("pat", "recommendation.publish.refused", made.id),
    ]
    assert json.loads(rows[-1].after) == {"role": "panel-member"}
    assert audit_verify(store) is None


def test_a_change_and_its_audit_row_commit_together_or_not_at_all(store):
    made = draft(store)
    before = audit_rows(store)

    class CallerFailed(Exception):
        """Something after the change, in the caller's transaction, went wrong."""

    with pytest.raises(CallerFailed), recs.unit_of_work(store) as conn:
        out = recs.publish(conn, CHAIR, made.id, made.version)
        assert out.status == "published" and recs.read(conn, made.id).status == "published"
        seen = conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
        assert seen[-1] == "recommendation.publish"  # written, in this transaction
        raise CallerFailed
    assert reading(store, recs.get, made.id) == made  # still a draft
    assert audit_rows(store) == before  # and no audit row for a change that never happened
    assert audit_verify(store) is None


def test_two_changes_can_share_the_callers_transaction(store):
    with recs.unit_of_work(store) as conn:
        made = recs.create_draft(conn, PANEL, TERMS, review="standards-2031", text="One transaction.", rationale="r")
        out = recs.publish(conn, CHAIR, made.id, made.version)
    assert reading(store, recs.get, out.id) == out and out.status == "published"
    assert [r.action for r in audit_rows(store)] == ["recommendation.draft", "recommendation.publish"]


def test_responding_to_a_draft_is_refused_naming_the_state(store):
    made = draft(store)
    with pytest.raises(recs.InvalidTransition, match="R-2031-S-01 is draft: only a published"):
        change(store, recs.respond, RESPONDER, made.id, made.version, response="accepted")


def test_publishing_twice_is_refused(store):
    out = published(store)
    with pytest.raises(recs.InvalidTransition, match="is published: only a draft can be published"):
        change(store, recs.publish, CHAIR, out.id, out.version)


def test_a_published_text_cannot_be_edited(store):
    out = published(store)
    with pytest.raises(recs.InvalidTransition, match="is published: only a draft can be edited"):
        change(store, recs.edit_draft, PANEL, TERMS, out.id, out.version, text="New words", rationale="r")


def test_the_department_responds_once(store):
    out = published(store)
    answered = change(store, recs.respond, RESPONDER, out.id, out.version, response="accepted")
    assert answered.explanation is None
    with pytest.raises(recs.InvalidTransition, match="responds once"):
        change(store, recs.respond, RESPONDER, answered.id, answered.version, response="not-accepted", explanation="x")


def test_a_draft_cannot_be_withdrawn_nor_a_withdrawn_one_published(store):
    made = draft(store)
    with pytest.raises(recs.InvalidTransition, match="is draft: only a published recommendation can be withdrawn"):
        change(store, recs.withdraw, CHAIR, made.id, made.version, reason="No longer needed.")
    out = change(store, recs.publish, CHAIR, made.id, made.version)
    gone = change(store, recs.withdraw, CHAIR, out.id, out.version, reason="No longer needed.")
    assert gone.status == "withdrawn" and gone.withdrawal_reason == "No longer needed."
    with pytest.raises(recs.InvalidTransition, match="is withdrawn"):
        change(store, recs.publish, CHAIR, gone.id, gone.version)
    with pytest.raises(recs.InvalidTransition, match="is withdrawn"):
        change(store, recs.respond, RESPONDER, gone.id, gone.version, response="accepted")


@pytest.mark.parametrize("response", ["partly-accepted", "not-accepted"])
@pytest.mark.parametrize("explanation", [None, "", "   \n "])
def test_partly_or_not_accepted_needs_an_explanation(store, response, explanation):
    out = published(store)
    with pytest.raises(recs.InvalidInput) as refused:
        change(store, recs.respond, RESPONDER, out.id, out.version, response=response, explanation=explanation)
    assert "Explain why" in refused.value.errors["explanation"]
    assert reading(store, recs.get, out.id).response is None


def test_an_unknown_response_is_refused(store):
    out = published(store)
    with pytest.raises(recs.InvalidInput, match="Choose the response"):
        change(store, recs.respond, RESPONDER, out.id, out.version, response="maybe", explanation="x")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": ""}, "text", "cannot be empty"),
        ({"text": "   "}, "text", "cannot be empty"),
        ({"text": "x" * 2001}, "text", "2000 characters or fewer; it has 2001"),
        ({"rationale": "bell\x07"}, "rationale", "control character \\(U\\+0007\\)"),
        ({"text": "nul\x00"}, "text", "U\\+0000"),
        ({"text": "c1\x85c2"}, "text", "U\\+0085"),
        ({"text": "Adopt \u202egnimoc"}, "text", "invisible character \\(U\\+202E\\)"),
        ({"rationale": "zero\u200bwidth"}, "rationale", "U\\+200B"),
        ({"items": ["INT-9999"]}, "items", "no item 'INT-9999'"),
        ({"areas": ["<script>"]}, "areas", "no area of development"),
        ({"layers": ["universal-plus"]}, "layers", "no layer"),
        ({"review": "no-such-review"}, "review", "Choose the review"),
        ({"review": "unopened"}, "review", "has not opened yet"),
    ],
)
def test_bad_fields_are_refused_with_a_message_and_nothing_saved(store, fields, field, message):
    with pytest.raises(recs.InvalidInput) as refused:
        draft(store, **fields)
    assert field in refused.value.errors
    assert re.search(message, refused.value.errors[field])
    assert reading(store, recs.every) == [] and audit_rows(store) == []


def test_html_is_saved_as_text_and_line_breaks_kept(store):
    made = draft(store, text="<script>alert(1)</script>\r\nsecond line", rationale="a\tb")
    assert made.text == "<script>alert(1)</script>\nsecond line" and made.rationale == "a\tb"


def test_a_stale_save_is_refused_with_the_other_persons_values(store):
    opened = draft(store)  # two people open version 1
    mine = change(store, recs.edit_draft, PANEL, TERMS, opened.id, opened.version, text="Their words", rationale="r1")
    with pytest.raises(recs.StaleEdit) as stale:
        change(store, recs.edit_draft, CHAIR, TERMS, opened.id, opened.version, text="My words", rationale="r2")
    assert stale.value.current == mine and stale.value.current.text == "Their words"
    assert "Someone else changed R-2031-S-01" in stale.value.message
    assert reading(store, recs.get, opened.id).text == "Their words"
    with pytest.raises(recs.StaleEdit):
        change(store, recs.publish, CHAIR, opened.id, opened.version)


def test_concurrent_stale_saves_let_exactly_one_through(store):
    opened = draft(store)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def save(n: int):
        barrier.wait()
        try:
            change(store, recs.edit_draft, PANEL, TERMS, opened.id, opened.version, text=f"Edit {n}", rationale="r")
            outcomes.append(f"saved {n}")
        except recs.StaleEdit as stale:
            assert stale.current.version == 2
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(saved) == 1 and outcomes.count("stale") == 3
    final = reading(store, recs.get, opened.id)
    assert final.version == 2 and final.text == f"Edit {saved[0].split()[1]}"
    assert [r.action for r in audit_rows(store)] == ["recommendation.draft", "recommendation.edit"]


def test_overdue_after_the_due_days_without_a_response(store):
    made = draft(store)
    out = change(store, recs.publish, CHAIR, made.id, made.version, now=dt.datetime(2031, 1, 10, 9, tzinfo=dt.UTC))
    assert out.response_due(90) == dt.date(2031, 4, 10)
    assert not out.overdue(90, dt.date(2031, 4, 10)) and out.overdue(90, dt.date(2031, 4, 11))
    answered = change(store, recs.respond, RESPONDER, out.id, out.version, response="accepted")
    assert not answered.overdue(90, dt.date(2032, 1, 1))


def test_unknown_ids_are_not_found(store):
    for rec_id in ("R-2031-S-99", "nonsense", "'; drop table recommendations; --"):
        with pytest.raises(recs.NotFound):
            reading(store, recs.get, rec_id)
        with pytest.raises(recs.NotFound):
            change(store, recs.publish, CHAIR, rec_id, 1)
