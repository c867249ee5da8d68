"""Parts of a result card that are the same for one item wherever it appears: its tags and its
facts, drawn once per process and not once per result. On the search page they were a quarter of
the time spent drawing: five macro calls and a dozen label lookups a result, twenty results a page.

A part is remembered under everything it is drawn from (the item's fields it shows, whether the
reader is in the preview, whose links differ) and checked against the `Labels` it was drawn with,
so a new bundle, whose labels are a new object, draws its parts again."""

from __future__ import annotations

from flask import Flask, get_template_attribute
from markupsafe import Markup

from nis_library.web.context import in_preview

MACROS = "web/_macros.html"
PARTS = ("item_tags", "item_facts")
LIMIT = 50_000  # parts remembered before the memory is emptied: two per item of a 10k-item library, and more

_drawn: dict[tuple, tuple[object, Markup]] = {}


def drawn_part(part: str, item, labels) -> Markup:
    """The macro `part` of web/_macros.html drawn for `item` with `labels`, remembered."""
    if part not in PARTS:
        raise ValueError(f"{part} is not a card part: one of {', '.join(PARTS)}")
    key = (
        part,
        in_preview(),
        item.id,
        item.kind,
        tuple(item.layers),
        item.evidence,
        bool(item.sample),
        item.time,
        item.cost,
    )
    remembered = _drawn.get(key)
    if remembered is not None and remembered[0] is labels:
        return remembered[1]
    html = get_template_attribute(MACROS, part)(item, labels)
    if len(_drawn) >= LIMIT:
        _drawn.clear()
    _drawn[key] = (labels, html)
    return html


def init_app(app: Flask) -> None:
    app.jinja_env.globals["drawn_part"] = drawn_part
