"""Everything that reads `content/` and derives from it, in three parts, each importing only the
parts before it:

- `indexer.content`: read and check the working copies and the files they are checked against.
- `indexer.record`: the published record (reviews, schedule, editions, frozen versions, diffs,
  `nis publish`); it may read `indexer.content`.
- `indexer.bundle`: the search bundle built from the record (`nis build`); it may read both.

Nothing here imports `nis_library`. `docs/architecture.md` has the data flow; `tests/test_architecture.py`
holds these rules.
"""
