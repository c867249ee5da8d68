"""Coverage of the library: how many items serve each area and layer, each kind, each element of
the Universal offer. Used by `nis stats` and by the tests that hold the starter library to its targets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TypedDict

from indexer.content.folder import Content


class CoverageDict(TypedDict):
    """Coverage as `nis stats --format json` gives it."""

    total: int
    kinds: dict[str, int]
    area_by_layer: dict[str, dict[str, int]]
    universal_offer: dict[str, int]
    evidence_strength: dict[str, int]
    tools_leading_to_items: int


@dataclass
class Coverage:
    areas: list[str]
    layers: list[str]
    cells: dict[tuple[str, str], int] = field(default_factory=dict)  # (area, layer) -> items
    kinds: Counter[str] = field(default_factory=Counter)
    universal_offer: dict[str, int] = field(default_factory=dict)
    evidence: Counter[str] = field(default_factory=Counter)
    tools_leading_somewhere: int = 0
    total: int = 0

    def as_dict(self) -> CoverageDict:
        return {
            "total": self.total,
            "kinds": dict(self.kinds),
            "area_by_layer": {a: {layer: self.cells[(a, layer)] for layer in self.layers} for a in self.areas},
            "universal_offer": self.universal_offer,
            "evidence_strength": dict(self.evidence),
            "tools_leading_to_items": self.tools_leading_somewhere,
        }

    def thin_cells(self, minimum: int, layers: list[str] | None = None) -> list[tuple[str, str, int]]:
        """The (area, layer, count) cells below `minimum`, within `layers` (default: all)."""
        return [
            (a, layer, self.cells[(a, layer)])
            for a in self.areas
            for layer in (layers or self.layers)
            if self.cells[(a, layer)] < minimum
        ]


def coverage(library: Content) -> Coverage:
    taxonomy = library.taxonomy
    assert taxonomy is not None, "coverage is counted only once the taxonomy has been read"
    result = Coverage(areas=[a.id for a in taxonomy.areas], layers=[layer.id for layer in taxonomy.layers])
    result.cells = {(a, layer): 0 for a in result.areas for layer in result.layers}
    result.universal_offer = {e.id: 0 for e in taxonomy.universal_offer}
    result.kinds = Counter({k.id: 0 for k in taxonomy.kinds})
    items = [i for i in library.items.values() if i.status == "active"]
    for item in items:
        result.total += 1
        result.kinds[item.kind] += 1
        result.evidence[item.evidence.strength] += 1
        for area in item.areas:
            for layer in item.layers:
                result.cells[(area, layer)] += 1
        for element in item.universal_offer:
            result.universal_offer[element] += 1
        if getattr(item, "leads_to", None):
            result.tools_leading_somewhere += 1
    return result
