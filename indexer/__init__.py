"""Read, validate and (later) index the NIS Library's content.

Everything that reads `content/` goes through this package: `indexer.library.load_library` returns
the taxonomy, the publications and every item as typed objects, with every problem found.
"""
