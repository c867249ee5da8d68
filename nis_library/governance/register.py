"""The public register: every published or withdrawn recommendation (drafts never), with the
department's response and its explanation, and its implementation, derived from the published
record: an item version that names the recommendation in `implements` implements it. Filters
(review, publication, area, status) with counts as the search page has them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nis_library.governance.library_names import SERIES, LibraryTerms
from nis_library.governance.recommendations import RESPONSES, WITHDRAWN, Recommendation
from nis_library.web import addresses

STATUSES = {
    "awaiting-response": "Awaiting response",
    "accepted": "Accepted",
    "partly-accepted": "Partly accepted",
    "not-accepted": "Not accepted",
    "implemented": "Implemented",
    "withdrawn": "Withdrawn",
}
PUBLICATION_OF_SERIES = {letter: publication for publication, letter in SERIES.items()}
FILTERS = ("review", "publication", "area", "status")
FILTER_LEGENDS = {"review": "Review", "publication": "Publication", "area": "Area of development", "status": "Status"}


@dataclass(frozen=True)
class Implementation:
    """A published item version that implements a recommendation, and the edition holding it."""

    item_id: str
    number: int
    title: str
    publication: str
    edition: str
    date: str

    @property
    def path(self) -> str:
        return addresses.version_page(self.item_id, self.number)

    @property
    def edition_path(self) -> str:
        return f"/editions/{self.publication}/{self.edition}"


@dataclass(frozen=True)
class Entry:
    """One recommendation as the register shows it."""

    rec: Recommendation
    review_title: str
    publication: str
    implementations: tuple[Implementation, ...]
    due: dt.date | None
    overdue: bool

    @property
    def id(self) -> str:
        return self.rec.id

    @property
    def status(self) -> str:
        if self.rec.status == WITHDRAWN:
            return "withdrawn"
        if self.implementations:
            return "implemented"
        return self.rec.response or "awaiting-response"

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def response_label(self) -> str | None:
        return RESPONSES.get(self.rec.response) if self.rec.response else None

    @property
    def path(self) -> str:
        return f"/recommendations/{self.rec.id}"

    def filter_values(self) -> dict[str, tuple[str, ...]]:
        return {
            "review": (self.rec.review,),
            "publication": (self.publication,),
            "area": self.rec.areas,
            "status": (self.status,),
        }

    def as_dict(self, root: str = "") -> dict:
        """For the JSON export (and, flattened, the CSV)."""
        rec = self.rec
        return {
            "id": rec.id,
            "url": root + self.path,
            "review": rec.review,
            "publication": self.publication,
            "text": rec.text,
            "rationale": rec.rationale,
            "items": list(rec.items),
            "areas": list(rec.areas),
            "layers": list(rec.layers),
            "status": self.status,
            "published": rec.published_at.date().isoformat() if rec.published_at else None,
            "response": rec.response,
            "response_date": rec.responded_at.date().isoformat() if rec.responded_at else None,
            "explanation": rec.explanation,
            "response_due": self.due.isoformat() if self.due else None,
            "response_overdue": self.overdue,
            "withdrawn": rec.withdrawn_at.date().isoformat() if rec.withdrawn_at else None,
            "withdrawal_reason": rec.withdrawal_reason,
            "implemented_by": [
                {
                    "item": i.item_id,
                    "version": i.number,
                    "url": root + i.path,
                    "edition": f"{i.publication}/{i.edition}",
                    "edition_url": root + i.edition_path,
                }
                for i in self.implementations
            ],
        }


def implementations_by_id(versions) -> dict[str, tuple[Implementation, ...]]:
    """From the published versions naming recommendations (`history.published_history.versions_implementing`)."""
    found: dict[str, list[Implementation]] = {}
    for v in versions:
        for rec_id in v.implements:
            found.setdefault(rec_id, []).append(
                Implementation(v.id, v.number, v.title, v.publication, v.edition, v.date)
            )
    return {rec_id: tuple(found[rec_id]) for rec_id in found}


def entries(
    recommendations: list[Recommendation],
    implementations: dict[str, tuple[Implementation, ...]],
    terms: LibraryTerms,
    due_days: int,
    today: dt.date,
) -> list[Entry]:
    """The public ones (drafts left out), in ID order."""
    return [
        Entry(
            rec,
            terms.reviews[rec.review].title if rec.review in terms.reviews else rec.review,
            PUBLICATION_OF_SERIES.get(rec.series, ""),
            implementations.get(rec.id, ()),
            rec.response_due(due_days),
            rec.overdue(due_days, today),
        )
        for rec in recommendations
        if rec.public
    ]


# -- filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FilterGroup:
    name: str
    legend: str
    values: list[FilterValue]
    hint: str = ""


def filter_labels(terms: LibraryTerms) -> dict[str, dict[str, str]]:
    """Every value each filter accepts, with its label: a value not here is refused."""
    return {
        "review": {r.id: r.title for r in sorted(terms.reviews.values(), key=lambda r: r.id) if r.series},
        "publication": {p: p.capitalize() for p in SERIES},
        "area": dict(terms.areas),
        "status": dict(STATUSES),
    }


def matches(entry: Entry, filters: dict[str, list[str]], skip: str | None = None) -> bool:
    """Any chosen value within a group; every group with a choice."""
    own = entry.filter_values()
    return all(set(own[name]) & set(chosen) for name, chosen in filters.items() if chosen and name != skip)


def apply(all_entries: list[Entry], filters: dict[str, list[str]]) -> list[Entry]:
    return [e for e in all_entries if matches(e, filters)]


def filter_groups(all_entries: list[Entry], filters: dict[str, list[str]], terms: LibraryTerms) -> list[FilterGroup]:
    """Each value with how many entries it would show, given the other groups' choices. Values with
    none are left out unless chosen (so a chosen one can always be unticked)."""
    groups = []
    for name, labels in filter_labels(terms).items():
        others = [e for e in all_entries if matches(e, filters, skip=name)]
        chosen = set(filters.get(name, ()))
        values = []
        for value, label in labels.items():
            count = sum(value in e.filter_values()[name] for e in others)
            if count or value in chosen:
                values.append(FilterValue(value, label, count, value in chosen))
        if values:
            groups.append(FilterGroup(name, FILTER_LEGENDS[name], values))
    return groups


# -- the item page ---------------------------------------------------------------------------------


def about_item(all_entries: list[Entry], item_id: str) -> list[Entry]:
    """Public recommendations that name the item."""
    return [e for e in all_entries if item_id in e.rec.items]
