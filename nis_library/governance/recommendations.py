"""The life of a recommendation, in the state store: drafted and edited by the panel, published by
the chair, answered by the department (accepted, partly accepted or not accepted, the last two only
with an explanation), or withdrawn by the chair with a reason. Implementation is never stored: it is
read from the published record (`register.py`).

Every function checks the actor's role itself (`permissions.py`), refuses a transition the state does
not allow naming the state, and saves with optimistic locking: the caller names the version it edited
from, and a save from an older one is refused with the current values (`StaleEdit.current`), so the
other person's change is shown, not lost.

Every function takes the caller's connection: the caller opens the transaction, and every change
appends its audit row in it, so the change and its audit row commit together or not at all. The
caller makes a change in `unit_of_work`, which also audits a refusal for want of permission (who
tried what) in a transaction of its own, since the refused change rolls back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from sqlalchemy import Connection, Engine, func, select, text, update

from nis_library.governance import text_rules
from nis_library.governance.library_names import LibraryTerms
from nis_library.governance.permissions import Actor, GovernanceError, NotPermitted, require
from nis_library.state import audit
from nis_library.state.schema import recommendations as table

ID_PATTERN = re.compile(r"R-([0-9]{4})-([SP])-([0-9]{2,3})", re.ASCII)
DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"
RESPONSES = {"accepted": "Accepted", "partly-accepted": "Partly accepted", "not-accepted": "Not accepted"}
NEEDS_EXPLANATION = ("partly-accepted", "not-accepted")
MAX_NAMED = 50  # items, areas or layers one recommendation may name
MAX_NUMBER = 999  # the ID format's three digits


class InvalidTransition(GovernanceError):
    """The recommendation's state does not allow this."""


class NotFound(GovernanceError):
    """No recommendation has this ID."""


class InvalidInput(GovernanceError):
    """Fields that cannot be saved, each with its message (for a form's error summary)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class StaleEdit(GovernanceError):
    """Saved from an older version: someone else changed it since. `current` is what they saved."""

    def __init__(self, current: Recommendation, from_version: int):
        super().__init__(
            f"Someone else changed {current.id} since you opened it (you edited version {from_version}; "
            f"it is now at version {current.version}). Nothing of yours was saved: compare, then try again."
        )
        self.current = current


@dataclass(frozen=True)
class Recommendation:
    id: str
    review: str
    text: str
    rationale: str
    items: tuple[str, ...]
    areas: tuple[str, ...]
    layers: tuple[str, ...]
    status: str
    response: str | None
    explanation: str | None
    withdrawal_reason: str | None
    created_at: dt.datetime
    created_by: str
    published_at: dt.datetime | None
    responded_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    updated_at: dt.datetime
    version: int
    year: int = field(repr=False, default=0)
    series: str = field(repr=False, default="")
    number: int = field(repr=False, default=0)

    @property
    def public(self) -> bool:
        """Drafts are never public."""
        return self.status != DRAFT

    def response_due(self, due_days: int) -> dt.date | None:
        if self.published_at is None:
            return None
        return self.published_at.date() + dt.timedelta(days=due_days)

    def overdue(self, due_days: int, today: dt.date) -> bool:
        """Published, unanswered, not withdrawn, and past the day a response was due."""
        due = self.response_due(due_days)
        return self.status == PUBLISHED and self.response is None and due is not None and today > due

    def audit_view(self) -> dict:
        """What the audit row records of it (JSON-able)."""
        data = asdict(self)
        for name in ("created_at", "published_at", "responded_at", "withdrawn_at", "updated_at"):
            data[name] = data[name].isoformat() if data[name] else None
        for name in ("items", "areas", "layers"):
            data[name] = list(data[name])
        for name in ("year", "series", "number"):
            data.pop(name)
        return data


def _from_row(row) -> Recommendation:
    return Recommendation(
        row.id,
        row.review,
        row.text,
        row.rationale,
        tuple(json.loads(row.items)),
        tuple(json.loads(row.areas)),
        tuple(json.loads(row.layers)),
        row.status,
        row.response,
        row.explanation,
        row.withdrawal_reason,
        row.created_at,
        row.created_by,
        row.published_at,
        row.responded_at,
        row.withdrawn_at,
        row.updated_at,
        row.version,
        row.year,
        row.series,
        row.number,
    )


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


# -- reading --------------------------------------------------------------------------------------


def read(conn: Connection, rec_id: str) -> Recommendation | None:
    row = conn.execute(select(table).where(table.c.id == rec_id)).first()
    return _from_row(row) if row else None


def get(conn: Connection, rec_id: str) -> Recommendation:
    found = read(conn, rec_id) if ID_PATTERN.fullmatch(rec_id or "") else None
    if found is None:
        raise NotFound(f"There is no recommendation {rec_id[:40]!r}.")
    return found


def every(conn: Connection, *, public_only: bool = False) -> list[Recommendation]:
    """In ID order (year, series, number)."""
    query = select(table).order_by(table.c.year, table.c.series, table.c.number)
    if public_only:
        query = query.where(table.c.status != DRAFT)
    return [_from_row(r) for r in conn.execute(query)]


def known_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(table.c.id)).scalars())


# -- checking what is saved -----------------------------------------------------------------------


def _check_texts(**fields: str | None) -> dict[str, str]:
    errors = {}
    for name, value in fields.items():
        reason = text_rules.problem(name, value)
        if reason:
            errors[name] = reason
    return errors


def _check_named(
    terms: LibraryTerms, items, areas, layers, errors: dict[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    chosen = {}
    for name, values, known, what in (
        ("items", items, terms.items, "item"),
        ("areas", areas, terms.areas, "area of development"),
        ("layers", layers, terms.layers, "layer"),
    ):
        values = list(dict.fromkeys(str(v).strip() for v in (values or ()) if str(v).strip()))
        unknown = [v for v in values if v not in known]
        if len(values) > MAX_NAMED:
            errors[name] = f"Name at most {MAX_NAMED} {name}; there are {len(values)}."
        elif unknown:
            shown = ", ".join(repr(v[:30]) for v in unknown[:5])
            errors[name] = f"The library has no {what} {shown}."
        chosen[name] = tuple(sorted(values))
    return chosen["items"], chosen["areas"], chosen["layers"]


def _check_review(terms: LibraryTerms, review: str, errors: dict[str, str]):
    found = terms.reviews.get(review or "")
    if found is None:
        errors["review"] = "Choose the review that made the recommendation, one of those in content/reviews/."
    elif found.series is None:
        errors["review"] = f"Review {found.id} is of '{found.publication}', which has no recommendation series."
    elif found.year is None:
        errors["review"] = f"Review {found.id} has not opened yet (it has no dates), so it cannot make one."
    return found


# -- the changes ----------------------------------------------------------------------------------


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Connection]:
    """One transaction for a change to the register. A refusal for want of permission rolls the
    change back but is audited (who tried what) in a transaction of its own."""
    try:
        with engine.begin() as conn:
            yield conn
    except NotPermitted as refused:
        # The change's transaction has rolled back (and on SQLite let go of the write lock) by now.
        actor, action, subject = refused.actor, refused.action, refused.subject
        if actor is not None and action is not None and subject is not None:
            with engine.begin() as conn:
                audit.append(
                    conn, actor.username, f"recommendation.{action}.refused", subject, None, {"role": actor.role}
                )
        raise


def _refuse_unpermitted(actor: Actor, action: str, subject: str) -> None:
    """Check the role. A refusal carries who tried what, for `unit_of_work` to audit."""
    try:
        require(actor, action)
    except NotPermitted as refused:
        raise NotPermitted(refused.message, actor=actor, action=action, subject=subject) from None


def create_draft(
    conn: Connection,
    actor: Actor,
    terms: LibraryTerms,
    *,
    review: str,
    text: str,
    rationale: str,
    items=(),
    areas=(),
    layers=(),
    now: dt.datetime | None = None,
) -> Recommendation:
    """A new draft, with the next free number of its review's year and series."""
    _refuse_unpermitted(actor, "draft", review or "(no review)")
    errors = _check_texts(text=text, rationale=rationale)
    found = _check_review(terms, review, errors)
    items, areas, layers = _check_named(terms, items, areas, layers, errors)
    if errors:
        raise InvalidInput(errors)
    now = _now(now)
    number = _next_number(conn, found.year, found.series)
    rec_id = f"R-{found.year}-{found.series}-{number:02d}"
    conn.execute(
        table.insert().values(
            id=rec_id,
            year=found.year,
            series=found.series,
            number=number,
            review=found.id,
            text=text_rules.clean(text),
            rationale=text_rules.clean(rationale),
            items=json.dumps(items),
            areas=json.dumps(areas),
            layers=json.dumps(layers),
            status=DRAFT,
            created_at=now,
            created_by=actor.username,
            updated_at=now,
            version=1,
        )
    )
    created = read(conn, rec_id)
    audit.append(conn, actor.username, "recommendation.draft", rec_id, None, created.audit_view(), at=now)
    return created


def _next_number(conn: Connection, year: int, series: str) -> int:
    """One more than the highest ever used: rows are never deleted, so a number is never reused.
    Allocation takes turns, so two drafts never read the same highest number: on SQLite every
    transaction begins IMMEDIATE (holding the write lock from the start, `state.database`), and on
    PostgreSQL the table is locked against other writers until the caller's transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE recommendations IN SHARE ROW EXCLUSIVE MODE"))
    highest = conn.execute(
        select(func.max(table.c.number)).where(table.c.year == year, table.c.series == series)
    ).scalar()
    number = (highest or 0) + 1
    if number > MAX_NUMBER:
        raise InvalidInput({"review": f"{year} already has {MAX_NUMBER} recommendations in series {series}."})
    return number


def _change(
    conn: Connection,
    actor: Actor,
    action: str,
    rec_id: str,
    from_version: int,
    values: dict,
    now: dt.datetime,
) -> Recommendation:
    """Save `values` over the recommendation if its state allows and nobody saved since `from_version`."""
    before = read(conn, rec_id) if ID_PATTERN.fullmatch(rec_id or "") else None
    if before is None:
        raise NotFound(f"There is no recommendation {str(rec_id)[:40]!r}.")
    if before.version != from_version:
        raise StaleEdit(before, from_version)
    check_transition(action, before)
    changed = conn.execute(
        update(table)
        .where(table.c.id == rec_id, table.c.version == from_version)
        .values(**values, updated_at=now, version=from_version + 1)
    ).rowcount
    if changed != 1:
        # Someone saved between our read and our write; they won.
        raise StaleEdit(read(conn, rec_id), from_version)
    after = read(conn, rec_id)
    audit.append(
        conn, actor.username, f"recommendation.{action}", rec_id, before.audit_view(), after.audit_view(), at=now
    )
    return after


ALLOWED_FROM = {"edit": (DRAFT,), "publish": (DRAFT,), "respond": (PUBLISHED,), "withdraw": (PUBLISHED,)}


def check_transition(action: str, rec: Recommendation) -> None:
    """Refuse, naming the state, an action the recommendation's state does not allow (a form for it
    is refused too, before anyone fills it in)."""
    answered_already = action == "respond" and rec.response is not None
    if rec.status not in ALLOWED_FROM[action] or answered_already:
        raise InvalidTransition(_transition_message(action, rec))


def _state_words(rec: Recommendation) -> str:
    if rec.status == PUBLISHED and rec.response:
        return f"published, with the department's response ({RESPONSES[rec.response].lower()})"
    return rec.status


def _transition_message(action: str, rec: Recommendation) -> str:
    state = _state_words(rec)
    return {
        "edit": f"{rec.id} is {state}: only a draft can be edited.",
        "publish": f"{rec.id} is {state}: only a draft can be published.",
        "respond": (
            f"{rec.id} is {state}: the department responds once, to a published recommendation."
            if rec.status == PUBLISHED
            else f"{rec.id} is {state}: only a published recommendation can be responded to."
        ),
        "withdraw": f"{rec.id} is {state}: only a published recommendation can be withdrawn.",
    }[action]


def edit_draft(
    conn: Connection,
    actor: Actor,
    terms: LibraryTerms,
    rec_id: str,
    from_version: int,
    *,
    text: str,
    rationale: str,
    items=(),
    areas=(),
    layers=(),
    now: dt.datetime | None = None,
) -> Recommendation:
    """The review that made it is fixed (its ID says so); everything else in a draft may change."""
    _refuse_unpermitted(actor, "edit", rec_id)
    errors = _check_texts(text=text, rationale=rationale)
    items, areas, layers = _check_named(terms, items, areas, layers, errors)
    if errors:
        raise InvalidInput(errors)
    values = dict(
        text=text_rules.clean(text),
        rationale=text_rules.clean(rationale),
        items=json.dumps(items),
        areas=json.dumps(areas),
        layers=json.dumps(layers),
    )
    return _change(conn, actor, "edit", rec_id, from_version, values, _now(now))


def publish(
    conn: Connection, actor: Actor, rec_id: str, from_version: int, *, now: dt.datetime | None = None
) -> Recommendation:
    _refuse_unpermitted(actor, "publish", rec_id)
    now = _now(now)
    return _change(conn, actor, "publish", rec_id, from_version, {"status": PUBLISHED, "published_at": now}, now)


def respond(
    conn: Connection,
    actor: Actor,
    rec_id: str,
    from_version: int,
    *,
    response: str,
    explanation: str | None = None,
    now: dt.datetime | None = None,
) -> Recommendation:
    """The department's response, once. Partly accepted and not accepted need an explanation, which
    is published; an explanation of an acceptance is optional."""
    _refuse_unpermitted(actor, "respond", rec_id)
    errors = {}
    if response not in RESPONSES:
        errors["response"] = "Choose the response: accepted, partly accepted or not accepted."
    if response in NEEDS_EXPLANATION or text_rules.clean(explanation):
        errors |= _check_texts(explanation=explanation)
        if "explanation" in errors and not text_rules.clean(explanation):
            errors["explanation"] = (
                f"Explain why the recommendation is {RESPONSES[response].lower()}: the explanation is published with it."
            )
    if errors:
        raise InvalidInput(errors)
    now = _now(now)
    values = {"response": response, "explanation": text_rules.clean(explanation) or None, "responded_at": now}
    return _change(conn, actor, "respond", rec_id, from_version, values, now)


def withdraw(
    conn: Connection, actor: Actor, rec_id: str, from_version: int, *, reason: str, now: dt.datetime | None = None
) -> Recommendation:
    _refuse_unpermitted(actor, "withdraw", rec_id)
    errors = _check_texts(reason=reason)
    if errors:
        raise InvalidInput(errors)
    now = _now(now)
    values = {"status": WITHDRAWN, "withdrawal_reason": text_rules.clean(reason), "withdrawn_at": now}
    return _change(conn, actor, "withdraw", rec_id, from_version, values, now)
