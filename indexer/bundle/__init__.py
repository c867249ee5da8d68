"""The search bundle: what is searchable about an item, the Whoosh index, the term matrix, the
vectors and the SQLite store, built by `nis build` and swapped in atomically. May read
`indexer.content` and `indexer.record`."""
