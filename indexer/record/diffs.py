"""Readable differences between two item versions: field by field on the front matter, word by
word on the text (difflib's sequence matching over words and the spaces between them)."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Span:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str  # dotted path, e.g. evidence.strength
    old: str | None  # None: the field was added
    new: str | None  # None: the field was removed
    spans: tuple[Span, ...] = ()  # for a long text changed in place: the words that changed


@dataclass(frozen=True)
class SectionChange:
    heading: str
    spans: tuple[Span, ...]

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.spans)


@dataclass(frozen=True)
class ItemDiff:
    fields: tuple[FieldChange, ...]
    sections: tuple[SectionChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.fields) or any(s.changed for s in self.sections)


def word_diff(old: str, new: str) -> tuple[Span, ...]:
    a, b = WORDS.findall(old), WORDS.findall(new)
    spans: list[Span] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            spans.append(Span("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                spans.append(Span("delete", "".join(a[i1:i2])))
            if j2 > j1:
                spans.append(Span("insert", "".join(b[j1:j2])))
    return tuple(spans)


def flatten(data: object, prefix: str = "") -> dict[str, str]:
    """Front matter as dotted paths to readable values (lists of plain values joined)."""
    flat: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and any(isinstance(v, (dict, list)) for v in data):
        for i, value in enumerate(data, 1):
            flat.update(flatten(value, f"{prefix}[{i}]"))
    elif isinstance(data, list):
        flat[prefix] = ", ".join(str(v) for v in data)
    elif data is not None:
        flat[prefix] = data if isinstance(data, str) else json.dumps(data)
    return flat


def field_diff(
    old: Mapping[str, object], new: Mapping[str, object], ignore: tuple[str, ...] = ("change",)
) -> tuple[FieldChange, ...]:
    a = {k: v for k, v in flatten(old).items() if k.split(".")[0].split("[")[0] not in ignore}
    b = {k: v for k, v in flatten(new).items() if k.split(".")[0].split("[")[0] not in ignore}
    return tuple(
        FieldChange(k, a.get(k), b.get(k), _spans(a.get(k), b.get(k)))
        for k in sorted(a.keys() | b.keys())
        if a.get(k) != b.get(k)
    )


LONG_TEXT = 60  # characters: shorter values read better whole, side by side


def _spans(old: str | None, new: str | None) -> tuple[Span, ...]:
    if old is None or new is None or max(len(old), len(new)) < LONG_TEXT:
        return ()
    return word_diff(old, new)


def item_diff(
    old_data: Mapping[str, object],
    old_sections: list[tuple[str, str]],
    new_data: Mapping[str, object],
    new_sections: list[tuple[str, str]],
) -> ItemDiff:
    old_by_heading = dict(old_sections)
    new_by_heading = dict(new_sections)
    headings = [h for h, _ in new_sections] + [h for h, _ in old_sections if h not in new_by_heading]
    sections = tuple(
        SectionChange(h, word_diff(old_by_heading.get(h, ""), new_by_heading.get(h, ""))) for h in headings
    )
    return ItemDiff(field_diff(old_data, new_data), sections)


def as_text(diff: ItemDiff) -> str:
    """For a terminal: [-removed-]{+added+}, only the fields and sections that changed."""
    lines = []
    for change in diff.fields:
        lines.append(
            f"  {change.field}: {change.old if change.old is not None else '(none)'} -> "
            f"{change.new if change.new is not None else '(removed)'}"
        )
    for section in diff.sections:
        if section.changed:
            text = "".join(
                s.text if s.op == "equal" else f"[-{s.text}-]" if s.op == "delete" else f"{{+{s.text}+}}"
                for s in section.spans
            )
            lines.append(f"  ## {section.heading}\n" + "\n".join("    " + line for line in text.splitlines()))
    return "\n".join(lines)
