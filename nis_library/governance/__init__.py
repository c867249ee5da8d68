"""The panel's recommendations and the department's responses: the rules of their life (who may do
what, in which state, with optimistic locking and an audit row for every change), the public
register built from them, its exports and feed, and the sample register. Plain functions over the
state store; only `views.py` uses Flask."""
