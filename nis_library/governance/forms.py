"""What the workspace's recommendation forms send, read into the domain's arguments (no Flask: a
form is any mapping of a name to its list of values), and what a stale save shows: each field as
the person typed it beside what the other person saved."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nis_library.governance.recommendations import InvalidInput, Recommendation
from nis_library.web.numbers import whole_number

_SEPARATORS = re.compile(r"[\s,;]+")
MAX_FIELD = 20_000  # characters of any one field read at all; the domain's own limits are far lower


@dataclass(frozen=True)
class DraftFields:
    text: str
    rationale: str
    items: tuple[str, ...]
    areas: tuple[str, ...]
    layers: tuple[str, ...]

    def as_kwargs(self) -> dict:
        return {
            "text": self.text,
            "rationale": self.rationale,
            "items": self.items,
            "areas": self.areas,
            "layers": self.layers,
        }


def _one(form, name: str) -> str:
    values = form.getlist(name) if hasattr(form, "getlist") else form.get(name, [])
    if isinstance(values, str):
        values = [values]
    return (values[0] if values else "")[:MAX_FIELD]


def _many(form, name: str) -> tuple[str, ...]:
    values = form.getlist(name) if hasattr(form, "getlist") else form.get(name, [])
    if isinstance(values, str):
        values = [values]
    return tuple(v[:200] for v in values[:200])


def draft_fields(form) -> DraftFields:
    """Items are typed as IDs separated by spaces or commas; areas and layers are checkboxes."""
    items = tuple(i.upper() for i in _SEPARATORS.split(_one(form, "items")) if i)
    return DraftFields(
        _one(form, "text"), _one(form, "rationale"), items[:200], _many(form, "areas"), _many(form, "layers")
    )


def edited_from(form) -> int:
    """The version the form was opened at (a hidden field): the save names it."""
    number = whole_number(_one(form, "version"), low=1)
    if number is None:
        raise InvalidInput({"version": "The form is missing the version it was opened at: open it again."})
    return number


@dataclass(frozen=True)
class Difference:
    label: str
    yours: str
    theirs: str

    @property
    def differs(self) -> bool:
        return self.yours != self.theirs


def stale_comparison(yours: DraftFields, theirs: Recommendation) -> list[Difference]:
    """Every field: what you typed, and what is saved now (the other person's change)."""
    return [
        Difference("Recommendation", yours.text, theirs.text),
        Difference("Rationale", yours.rationale, theirs.rationale),
        Difference("Items", ", ".join(yours.items), ", ".join(theirs.items)),
        Difference("Areas", ", ".join(sorted(yours.areas)), ", ".join(theirs.areas)),
        Difference("Layers", ", ".join(sorted(yours.layers)), ", ".join(theirs.layers)),
    ]
