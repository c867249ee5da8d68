"""BM25F scoring as a sparse matrix product, with Whoosh's own formula and statistics.

Whoosh's `BM25F` weighting scores a term in a field as
    idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * fl / avgfl)),  idf = log(N / (df + 1)) + 1,
with the document's field length `fl` stored to one byte (so we round it the same way) and `avgfl`
the field's total length over the number of documents. A Whoosh `Term` query's boost multiplies
the score. Here every document-term score is computed once, when the bundle is loaded, so a query
is the sum of a few columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from scipy import sparse
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.bundle.keyword_index import TEXT_FIELDS
from indexer.bundle.term_matrix import SEPARATOR, TermMatrix

ROWS_CACHED = 50_000  # terms whose documents are cached (a few MB at most)
B = BM25F().B
K1 = BM25F().K1


def whoosh_length(lengths: np.ndarray) -> np.ndarray:
    """Field lengths as Whoosh stores them: quantised to one byte."""
    unique, inverse = np.unique(lengths, return_inverse=True)
    rounded = np.array([byte_to_length(length_to_byte(int(v))) if v else 0 for v in unique], dtype=np.float64)
    return rounded[inverse].reshape(lengths.shape)


class BM25FScorer:
    def __init__(self, matrix: TermMatrix, field_boosts: Mapping[str, float]):
        n_docs = len(matrix.ids)
        field_index = {field: i for i, field in enumerate(TEXT_FIELDS)}
        column_field = np.array([field_index[key.split(SEPARATOR, 1)[0]] for key in matrix.columns], dtype=np.int32)
        self.column_of = {key: i for i, key in enumerate(matrix.columns)}

        weights = matrix.weights.tocsr().astype(np.float64)
        document_frequency = np.diff(weights.tocsc().indptr)
        idf = np.log(n_docs / (document_frequency + 1)) + 1 if n_docs else np.zeros(0)
        average_length = matrix.lengths.sum(axis=0) / max(n_docs, 1)
        average_length[average_length == 0] = 1
        stored_length = whoosh_length(matrix.lengths)
        boosts = np.array([field_boosts[f] for f in TEXT_FIELDS])

        rows = np.repeat(np.arange(n_docs), np.diff(weights.indptr))
        fields = column_field[weights.indices]
        tf = weights.data
        fl = stored_length[rows, fields]
        score = idf[weights.indices] * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * fl / average_length[fields]))
        scores = sparse.csr_matrix((score * boosts[fields], weights.indices, weights.indptr), shape=weights.shape)
        self.scores_matrix = scores.tocsc()  # column slices for queries
        self._rows_of_term: dict[str, np.ndarray] = {}  # see _rows_with
        self.rows_matrix = scores  # row slices for "which words matched"

    def columns(self, terms: Iterable[str]) -> list[tuple[int, str]]:
        """The matrix columns for `terms` (analysed), in every field where they occur."""
        found = []
        for term in terms:
            for field in TEXT_FIELDS:
                column = self.column_of.get(field + SEPARATOR + term)
                if column is not None:
                    found.append((column, term))
        return found

    def score(self, weighted_terms: Iterable[tuple[str, float]]) -> np.ndarray:
        """Each document's score for the terms, as Whoosh's Or of boosted Term queries would give."""
        columns, weights = [], []
        for term, weight in weighted_terms:
            for column, _ in self.columns([term]):
                columns.append(column)
                weights.append(weight)
        if not columns:
            return np.zeros(self.scores_matrix.shape[0])
        scores: np.ndarray = self.scores_matrix[:, columns] @ np.array(weights)  # scipy has no types
        return scores

    def rows_with_all(self, terms: Iterable[str]) -> np.ndarray:
        """The documents (rows, ascending) that have every one of `terms`, each in some field."""
        rows: np.ndarray | None = None
        for term in terms:
            having = self._rows_with(term)
            rows = having if rows is None else np.intersect1d(rows, having, assume_unique=True)
            if not len(rows):
                break
        return rows if rows is not None else np.zeros(0, dtype=np.int64)

    def _rows_with(self, term: str) -> np.ndarray:
        """The documents with `term` in any field; cached, as a query's words recur."""
        having = self._rows_of_term.get(term)
        if having is None:
            # A CSC column's rows are a slice of `indices`: no sparse slicing needed.
            indptr, indices = self.scores_matrix.indptr, self.scores_matrix.indices
            parts = [indices[indptr[column] : indptr[column + 1]] for column, _ in self.columns([term])]
            having = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
            if len(self._rows_of_term) < ROWS_CACHED:
                self._rows_of_term[term] = having
        return having

    def term_columns(self, terms: Iterable[str]) -> list[tuple[str, tuple[int, ...]]]:
        """Each of `terms` with its columns, for `matched_terms`: looked up once per query rather
        than once per result (it was a tenth of a search's time)."""
        return [(term, tuple(column for column, _ in self.columns([term]))) for term in terms]

    def matched_terms(self, row: int, looked_up: list[tuple[str, tuple[int, ...]]]) -> tuple[str, ...]:
        """Which of the terms (as `term_columns` gives them) occur in document `row`."""
        start, end = self.rows_matrix.indptr[row], self.rows_matrix.indptr[row + 1]
        present = set(self.rows_matrix.indices[start:end].tolist())
        return tuple(term for term, columns in looked_up if not present.isdisjoint(columns))
