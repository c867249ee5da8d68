"""The published record: reviews and their schedule, editions and the frozen item versions they
introduced, diffs between versions, and `nis publish`, which appends to it. May read
`indexer.content`; never the bundle."""
