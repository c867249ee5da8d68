"""Per-document term weights and field lengths, exactly as the Whoosh index records them, kept in
the bundle as a sparse matrix (documents × field:term).

Whoosh walks posting lists in pure Python: at 10,000 items one teacher's query (a handful of words
and their synonyms across six fields) takes over 100 ms. The same BM25F statistics held as a sparse
matrix score a query with one sparse product in about a millisecond. The terms come from the
keyword index's own fields (`FieldType.index`), so the two agree term for term; a test checks that
the scores match Whoosh's own BM25F.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from whoosh.fields import Schema

from indexer.bundle.documents import SearchDocument
from indexer.bundle.keyword_index import TEXT_FIELDS

SEPARATOR = "\x1f"  # between field name and term in a column key
FILE_NAME = "terms.npz"

Row = tuple[dict[str, float], tuple[int, ...]]  # {field\x1fterm: weight}, length per field


def document_row(schema: Schema, document: SearchDocument) -> Row:
    """What Whoosh indexes for this document: each term's weight and each field's length."""
    weights: dict[str, float] = {}
    lengths = []
    for field in TEXT_FIELDS:
        total = 0
        for btext, freq, weight, _ in schema[field].index(getattr(document, field)):
            weights[field + SEPARATOR + btext.decode("utf-8")] = float(weight)
            total += freq
        lengths.append(total)
    return weights, tuple(lengths)


@dataclass
class TermMatrix:
    ids: list[str]  # row order
    columns: list[str]  # field\x1fterm keys
    weights: sparse.csr_matrix  # float32, rows × columns
    lengths: NDArray[np.int32]  # rows × len(TEXT_FIELDS)

    @classmethod
    def empty(cls) -> TermMatrix:
        return cls([], [], sparse.csr_matrix((0, 0), dtype=np.float32), np.zeros((0, len(TEXT_FIELDS)), np.int32))

    def save(self, path: Path) -> None:
        np.savez(
            path,
            ids=np.array(self.ids, dtype=str),
            columns=np.array(self.columns, dtype=str),
            indptr=self.weights.indptr,
            indices=self.weights.indices,
            data=self.weights.data,
            shape=np.array(self.weights.shape),
            lengths=self.lengths,
        )

    @classmethod
    def load(cls, path: Path) -> TermMatrix:
        with np.load(path, allow_pickle=False) as f:
            weights = sparse.csr_matrix((f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"]))
            return cls(f["ids"].tolist(), f["columns"].tolist(), weights, f["lengths"])


def assemble(previous: TermMatrix | None, order: list[str], new_rows: Mapping[str, Row]) -> TermMatrix:
    """The matrix for documents `order`: rows in `new_rows` from their analysis, every other row
    carried over from `previous` (vectorised, so an edit to one item costs little at any size)."""
    previous = previous or TermMatrix.empty()
    columns = list(previous.columns)
    column_of = {key: i for i, key in enumerate(columns)}
    for weights, _ in new_rows.values():
        for key in weights:
            if key not in column_of:
                column_of[key] = len(columns)
                columns.append(key)
    old_row = {doc_id: i for i, doc_id in enumerate(previous.ids)}
    carried = [doc_id for doc_id in order if doc_id not in new_rows]
    old = previous.weights[[old_row[d] for d in carried]] if carried else sparse.csr_matrix((0, len(previous.columns)))
    old = sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(len(carried), len(columns)), dtype=np.float32)
    fresh = _rows_matrix([new_rows[d][0] for d in order if d in new_rows], column_of, len(columns))
    stacked = sparse.vstack([old, fresh], format="csr", dtype=np.float32)
    lengths = np.vstack(
        [
            previous.lengths[[old_row[d] for d in carried]].reshape(-1, len(TEXT_FIELDS)),
            np.array([new_rows[d][1] for d in order if d in new_rows], dtype=np.int32).reshape(-1, len(TEXT_FIELDS)),
        ]
    )
    # Back into `order`, then drop columns no document uses any more.
    position = {d: i for i, d in enumerate(carried + [d for d in order if d in new_rows])}
    permutation = [position[d] for d in order]
    stacked, lengths = stacked[permutation], lengths[permutation]
    used = np.flatnonzero(stacked.getnnz(axis=0))
    return TermMatrix(list(order), [columns[i] for i in used], stacked[:, used].tocsr(), lengths.astype(np.int32))


def _rows_matrix(rows: Iterable[dict[str, float]], column_of: Mapping[str, int], width: int) -> sparse.csr_matrix:
    indptr, indices, data = [0], [], []
    for weights in rows:
        for key, weight in weights.items():
            indices.append(column_of[key])
            data.append(weight)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)),
        shape=(len(indptr) - 1, width),
    )
