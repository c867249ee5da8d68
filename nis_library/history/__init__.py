"""The published history as people read it: versions, diffs, editions, reviews and their Atom
feeds. `service` holds the plain functions; `views` and `feeds` are the pages."""
