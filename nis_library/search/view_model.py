"""What the search page shows, worked out from a `SearchResults`: the count sentence, the selected
filters as removable tags, the filter panel's groups and the pagination. No Flask; easy to test."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict, Unpack

from indexer.bundle.documents import FACET_BY_NAME
from nis_library.browse.shortlist import with_item, without_item
from nis_library.catalogue import Labels
from nis_library.search import FacetCount, FacetValue, SearchResults
from nis_library.search.params import search_path, without_filter


@dataclass(frozen=True)
class SelectedFilter:
    facet: str
    label: str
    remove_href: str


@dataclass(frozen=True)
class FilterGroup:
    name: str  # the query-string name
    legend: str
    values: list[FacetValue]
    heading: str = ""  # sub-component groups: the area they belong to
    hint: str = ""
    glossary: str = ""  # the glossary section explaining the values (its anchor, a vocabulary name)


class SearchState(TypedDict, total=False):
    """`search_path`'s arguments: the page's state, or what a link changes in it."""

    text: str
    mode: str
    filters: Mapping[str, Iterable[str]]
    page: int
    base: str
    as_typed: bool
    sort: str
    shortlist: tuple[str, ...]


class Link(TypedDict):
    href: str


class PageItem(TypedDict, total=False):
    """A page number's link, or a gap between numbers (`ellipsis`)."""

    number: int
    href: str
    current: bool
    ellipsis: bool


class Pagination(TypedDict):
    """The pagination component's parameters."""

    items: list[PageItem]
    previous: Link | None
    next: Link | None
    landmarkLabel: str


SORT_LABELS = {
    "relevance": "Best match",
    "evidence": "Strongest evidence first",
    "cost": "Lowest cost first",
}


class SearchView:
    def __init__(self, results: SearchResults, labels: Labels, base: str = "/search", shortlist: tuple[str, ...] = ()):
        self.results = results
        self.labels = labels
        self.base = base  # the search page's own address (/search, or /preview/search)
        self.shortlist = shortlist  # item IDs the visitor has shortlisted, kept in every link

    def href(self, **changes: Unpack[SearchState]) -> str:
        r = self.results
        state: SearchState = {
            "text": r.query,
            "mode": r.mode,
            "filters": r.filters,
            "page": 1,
            "base": self.base,
            "sort": r.sort,
        }
        state["shortlist"] = self.shortlist
        state |= {"as_typed": r.as_typed} | changes  # asked for the words as typed: the links keep asking
        return search_path(**state)

    @property
    def count_text(self) -> str:
        total = self.results.total
        found = "No results" if total == 0 else "1 result" if total == 1 else f"{total:,} results"
        if self.results.query:
            return f"{found} for ‘{self.results.query}’"
        return found

    @property
    def page_title(self) -> str:
        r = self.results
        parts = [f"‘{r.query}’" if r.query else "Search"]
        if r.total and r.pages > 1:
            parts.append(f"page {r.page} of {r.pages}")
        return " – ".join(parts)

    @property
    def selected(self) -> list[SelectedFilter]:
        facets = {f.name: f for f in self.results.facets}
        chosen = []
        for name, values in self.results.filters.items():
            facet = facets[name]
            for value in values:
                label = next((v.label for v in facet.values if v.value == value), value)
                chosen.append(
                    SelectedFilter(
                        facet.label, label, self.href(filters=without_filter(self.results.filters, name, value))
                    )
                )
        return chosen

    @property
    def clear_all_href(self) -> str:
        return self.href(filters={})

    def filter_groups(self) -> list[FilterGroup]:
        """One group per facet; an area's sub-components only once the area (or one of its
        sub-components) is chosen, so the panel stays short enough to reach the results."""
        groups = []
        area_of = self.labels.taxonomy.area_of_subcomponent()
        for facet in self.results.facets:
            if facet.name == "subcomponent":
                groups.extend(self._subcomponent_groups(facet, area_of))
            elif facet.name == "area":
                groups.append(
                    FilterGroup(
                        facet.name,
                        facet.label,
                        list(facet.values),
                        hint="Choose an area to filter by its sub-components too.",
                        glossary=glossary_section(facet.name),
                    )
                )
            else:
                groups.append(
                    FilterGroup(facet.name, facet.label, list(facet.values), glossary=glossary_section(facet.name))
                )
        return groups

    def _subcomponent_groups(self, facet: FacetCount, area_of: dict[str, str]) -> list[FilterGroup]:
        chosen = set(self.results.filters.get("area", ())) | {
            area_of.get(s) for s in self.results.filters.get("subcomponent", ())
        }
        by_area: dict[str, list[FacetValue]] = {}
        for value in facet.values:
            if area_of.get(value.value) in chosen:
                by_area.setdefault(area_of.get(value.value, ""), []).append(value)
        return [
            FilterGroup(
                facet.name,
                f"{self.labels.label('areas', area)}: {facet.label.lower()}s",
                values,
                heading=self.labels.label("areas", area),  # explained with the areas' own group
            )
            for area, values in by_area.items()
        ]

    @property
    def pagination(self) -> Pagination | None:
        r = self.results
        if r.pages <= 1 or r.page > r.pages:
            return None
        numbers = sorted({1, r.pages, r.page - 1, r.page, r.page + 1} & set(range(1, r.pages + 1)))
        items: list[PageItem] = []
        last = 0
        for n in numbers:
            if n - last > 1:
                items.append({"ellipsis": True})
            items.append({"number": n, "href": self.href(page=n), "current": n == r.page})
            last = n
        return {
            "items": items,
            "previous": {"href": self.href(page=r.page - 1)} if r.page > 1 else None,
            "next": {"href": self.href(page=r.page + 1)} if r.page < r.pages else None,
            "landmarkLabel": "Results pages",
        }

    def shortlist_toggle_href(self, item_id: str) -> str:
        """This page again with the item added to the shortlist, or taken off it."""
        change = without_item if item_id in self.shortlist else with_item
        return self.href(page=self.results.page, shortlist=change(self.shortlist, item_id))

    @property
    def sort_options(self) -> list[tuple[str, str, bool]]:
        """(value, label, chosen) for the sort control."""
        return [(value, label, value == self.results.sort) for value, label in SORT_LABELS.items()]

    @property
    def did_you_mean_href(self) -> str | None:
        suggestion = self.results.did_you_mean
        return self.href(text=suggestion, as_typed=False) if suggestion else None

    @property
    def as_typed_href(self) -> str | None:
        """When the search ran on a spelling correction: the same search on the words as typed."""
        typed = self.results.corrected_from
        return self.href(text=typed, as_typed=True) if typed else None


def glossary_section(facet_name: str) -> str:
    """The glossary section that explains a facet's values: its vocabulary's name."""
    return FACET_BY_NAME[facet_name].vocabulary
