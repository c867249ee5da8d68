"""Facet filtering and counting over boolean matrices (items × values), GOV.UK-style: each facet's
counts ignore that facet's own selection, so a reader can see how to widen as well as narrow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from indexer.bundle.documents import FACETS
from nis_library.search.results import FacetCount, FacetValue


@dataclass
class FacetMatrix:
    name: str
    label: str
    values: tuple[str, ...]
    labels: tuple[str, ...]
    matrix: np.ndarray  # bool, items × values

    def __post_init__(self) -> None:
        self.counting = self.matrix.astype(np.float32)  # for counting by matrix product

    def mask(self, selected: tuple[str, ...]) -> np.ndarray:
        """Items having any of the selected values (OR within a facet)."""
        columns = [self.values.index(v) for v in selected]
        # numpy types any(axis=...) as maybe a scalar, which it is not for a 2-D matrix
        return self.matrix[:, columns].any(axis=1)  # type: ignore[return-value]


def build_matrices(
    item_values: list[dict[str, list[str]]], vocab: Mapping[str, list[tuple[str, str]]]
) -> dict[str, FacetMatrix]:
    matrices = {}
    for facet in FACETS:
        values = tuple(v for v, _ in vocab[facet.vocabulary])
        labels = tuple(label for _, label in vocab[facet.vocabulary])
        column = {v: i for i, v in enumerate(values)}
        matrix = np.zeros((len(item_values), len(values)), dtype=bool)
        for row, item in enumerate(item_values):
            for value in item[facet.name]:
                if value in column:
                    matrix[row, column[value]] = True
        matrices[facet.name] = FacetMatrix(facet.name, facet.label, values, labels, matrix)
    return matrices


def filter_masks(matrices: Mapping[str, FacetMatrix], filters: Mapping[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
    return {name: matrices[name].mask(values) for name, values in filters.items()}


def combined(masks: Mapping[str, np.ndarray], size: int, *, except_facet: str | None = None) -> np.ndarray:
    """AND of every facet's mask (facets are combined with AND), leaving one facet out if asked."""
    result = np.ones(size, dtype=bool)
    for name, mask in masks.items():
        if name != except_facet:
            result &= mask
    return result


def count(
    matrices: Mapping[str, FacetMatrix],
    candidates: np.ndarray,
    masks: Mapping[str, np.ndarray],
    filters: Mapping[str, tuple[str, ...]],
) -> list[FacetCount]:
    facets = []
    for facet in FACETS:
        fm = matrices[facet.name]
        within = candidates & combined(masks, len(candidates), except_facet=facet.name)
        counts = within.astype(np.float32) @ fm.counting if len(within) else np.zeros(len(fm.values))
        selected = set(filters.get(facet.name, ()))
        facets.append(
            FacetCount(
                facet.name,
                facet.label,
                tuple(
                    FacetValue(v, label, int(round(c)), v in selected)
                    for v, label, c in zip(fm.values, fm.labels, counts, strict=True)
                ),
            )
        )
    return facets
