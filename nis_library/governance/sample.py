"""The sample register (`nis sample register`): recommendations made by the shipped sample reviews
(`content/reviews/`), in every state, each following from its review's findings and each text marked
as sample. Loaded through the same domain functions as the workspace, so every step is checked and
audited, as the sample accounts `sample-panel`, `sample-chair` and `sample-responder` (the accounts
need not exist: the domain checks roles, not accounts).

Idempotent and resumable: each recommendation is taken only as far as it has not gone yet. IDs are
allocated in order, so the plan lists them in the order they were drafted; a register whose IDs are
already someone else's is refused, never overwritten. The whole load is one transaction, the
caller's (`nis sample register` opens `recommendations.unit_of_work`): it is all loaded or none of
it, and a load that failed is simply run again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from nis_library.accounts import roles
from nis_library.governance import recommendations as recs
from nis_library.governance.library_names import LibraryTerms
from nis_library.governance.permissions import Actor, GovernanceError

PANEL = Actor("sample-panel", roles.PANEL_MEMBER)
CHAIR = Actor("sample-chair", roles.CHAIR)
RESPONDER = Actor("sample-responder", roles.RESPONDER)
MARK = "Sample"  # every text starts with it


@dataclass(frozen=True)
class Planned:
    id: str
    review: str
    drafted: str
    text: str
    rationale: str
    items: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    published: str | None = None
    response: tuple[str, str, str | None] | None = None  # (date, response, explanation)
    withdrawn: tuple[str, str] | None = None  # (date, reason)


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10, 0), tzinfo=dt.UTC)


PLAN: tuple[Planned, ...] = (
    Planned(
        "R-2026-S-01",
        "standards-2026-initial",
        "2026-08-18",
        'Sample recommendation. Find checked sources for the items marked "not yet rated", so that each '
        "can be given an evidence strength at the next scheduled review.",
        "Sample rationale. The first edition rates evidence only from the checked list of sources, and "
        'items with nothing checked behind them are marked "not yet rated" (the review\'s findings). '
        "Readers cannot weigh those items against rated ones.",
        layers=("targeted", "targeted-plus", "universal"),
        published="2026-09-30",
        response=(
            "2026-11-20",
            "partly-accepted",
            "Sample explanation. The department will look for checked sources for the Targeted and Targeted "
            'Plus items marked "not yet rated" before the next scheduled review. The Universal items will '
            "follow at the review after: there is not time to check sources for every item at once.",
        ),
    ),
    Planned(
        "R-2026-S-02",
        "standards-2026-initial",
        "2026-08-20",
        "Sample recommendation. Check that every area of development has items at each of the Universal, "
        "Targeted and Targeted Plus layers, and fill any gap at the next scheduled review.",
        "Sample rationale. The first edition gathers items across the five areas of development and the "
        "three layers (the review's findings); a reader looking in an area and layer with no item finds "
        "nothing to act on.",
        areas=(
            "executive-function",
            "motor-physical",
            "sensory",
            "social-emotional",
            "speech-language-communication",
        ),
        layers=("targeted", "targeted-plus", "universal"),
        published="2026-08-28",  # an interim recommendation, published while the review ran
    ),
    Planned(
        "R-2026-S-03",
        "standards-2026-ooc-1",
        "2026-10-28",
        "Sample recommendation. Keep the reduced timetable adjustment (ADJ-0008) as an item of its own, "
        "pointing readers to the gradual return plan (INT-0407).",
        "Sample rationale. ADJ-0008 already told readers to use a reduced timetable as one step of the "
        "gradual return plan (INT-0407).",
        items=("ADJ-0008", "INT-0407"),
        areas=("social-emotional",),
        layers=("targeted", "targeted-plus"),
        published="2026-11-02",
        withdrawn=(
            "2026-11-18",
            "Sample reason. Superseded by the panel's finding that ADJ-0008 and INT-0407 gave much the same "
            "advice for the same need and layer: ADJ-0008 was withdrawn and its rules merged into INT-0407 "
            "instead.",
        ),
    ),
    Planned(
        "R-2026-S-04",
        "standards-2026-ooc-1",
        "2026-11-10",
        "Sample recommendation. Publish the criteria each evidence strength needs, and check every rating "
        "against them.",
        "Sample rationale. The panel had to decide whether MetaSENse changed the strength of pre-teaching "
        "key words (INT-0502) and the storytelling group (INT-0504); it kept both, because MetaSENse does "
        "not test either approach itself. Written criteria for each strength would show readers why, and "
        "let every rating be checked the same way.",
        items=("INT-0502", "INT-0504"),
        areas=("speech-language-communication",),
        layers=("targeted",),
        published="2026-11-18",
        response=(
            "2026-11-27",
            "accepted",
            "Sample explanation. The department will publish the criteria with the next edition of the "
            "Standards and check each rating against them.",
        ),
    ),
    Planned(
        "R-2026-S-05",
        "standards-2026-ooc-1",
        "2026-11-12",
        "Sample recommendation. Review the Standards every year instead of every two years, so that "
        "SEND-specific evidence such as MetaSENse reaches them sooner.",
        "Sample rationale. MetaSENse had to be taken in by an out-of-cycle review; a shorter cycle would "
        "make such reviews less often needed.",
        published="2026-11-18",
        response=(
            "2026-11-27",
            "not-accepted",
            "Sample explanation. The two-year cycle of the Standards is the one the consultation commits "
            "to. Out-of-cycle reviews, such as the one that made this recommendation, already take in "
            "significant new evidence between scheduled reviews, so a shorter cycle is not needed for that.",
        ),
    ),
    Planned(
        "R-2026-S-06",
        "standards-2026-ooc-1",
        "2026-11-16",
        "Sample recommendation. Look for evaluations of pre-teaching key words (INT-0502) and of the "
        "storytelling group (INT-0504) with pupils with SEND, so that their strength can rest on evidence "
        "that tests each approach.",
        "Sample rationale. The review added MetaSENse to both items' evidence but left their strength "
        "unchanged: MetaSENse pools targeted interventions for SEND groups in general and does not test "
        "either approach itself.",
        items=("INT-0502", "INT-0504"),
        areas=("speech-language-communication",),
        layers=("targeted",),
    ),
    Planned(
        "R-2026-P-01",
        "packages-2026-initial",
        "2026-09-15",
        "Sample recommendation. Check each package's costing-framework reference whenever the national "
        "costing framework changes.",
        "Sample rationale. Every sample package carries a reference into the costing framework (the "
        "review's findings); a reference to a changed or removed entry would mislead the reader.",
        layers=("specialist",),
        published="2026-09-30",
        response=("2026-11-20", "accepted", None),
    ),
    Planned(
        "R-2026-P-02",
        "packages-2026-ooc-1",
        "2026-11-21",
        "Sample recommendation. When the Standards withdraw an item, check every package that lists it as "
        "a component in the same review.",
        "Sample rationale. SPP-0003 still listed the reduced timetable adjustment (ADJ-0008) after the "
        "Standards withdrew it, so a second review was needed to change the package (the review's "
        "findings).",
        items=("SPP-0003",),
        areas=("social-emotional",),
        layers=("specialist",),
        published="2026-11-24",
    ),
)


class NotTheSample(GovernanceError):
    """The register already holds a recommendation with a sample ID that is not the sample's."""


def load(conn: Connection, terms: LibraryTerms) -> list[str]:
    """Take every planned recommendation as far as the plan goes; what was done, one line each."""
    done = []
    for plan in PLAN:
        rec = _existing(conn, plan)
        if rec is None:
            rec = recs.create_draft(
                conn,
                PANEL,
                terms,
                review=plan.review,
                text=plan.text,
                rationale=plan.rationale,
                items=plan.items,
                areas=plan.areas,
                layers=plan.layers,
                now=_at(plan.drafted),
            )
            if rec.id != plan.id:
                raise NotTheSample(
                    f"The sample's {plan.id} was given the ID {rec.id}: the register already had other "
                    f"recommendations of {plan.id[2:8]}. Load the sample register into an empty store."
                )
            done.append(f"{rec.id} drafted")
        if plan.published and rec.status == recs.DRAFT:
            rec = recs.publish(conn, CHAIR, rec.id, rec.version, now=_at(plan.published))
            done.append(f"{rec.id} published")
        if plan.response and rec.status == recs.PUBLISHED and rec.response is None:
            day, response, explanation = plan.response
            rec = recs.respond(
                conn, RESPONDER, rec.id, rec.version, response=response, explanation=explanation, now=_at(day)
            )
            done.append(f"{rec.id} {response}")
        if plan.withdrawn and rec.status == recs.PUBLISHED:
            day, reason = plan.withdrawn
            rec = recs.withdraw(conn, CHAIR, rec.id, rec.version, reason=reason, now=_at(day))
            done.append(f"{rec.id} withdrawn")
    return done


def _existing(conn: Connection, plan: Planned) -> recs.Recommendation | None:
    rec = recs.read(conn, plan.id)
    if rec is not None and (rec.review != plan.review or not rec.text.startswith(MARK)):
        raise NotTheSample(f"{plan.id} is already in the register and is not the sample's: nothing was loaded over it.")
    return rec
