"""Read and check content: the taxonomy, publications and synonyms, and the item files with every
problem found, as `path:line` problems. Imports nothing else of ours."""
