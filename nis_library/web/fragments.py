"""Parts of pages drawn once and remembered, not drawn again for every request: they cost more than
the rest of the search page's drawing, and are the same every time for what they are drawn from.

Both are remembered per app (in `app.extensions`), as the macros that draw them are the app's.

- An item's result-card parts, its tags and its facts: five macro calls and a dozen label lookups a
  result, twenty results a page. Remembered under the whole summary they are drawn from (a frozen
  dataclass: every field is in the key, so a macro that reads one more field can never be served
  a part drawn before that field changed) and whether the reader is in the preview (whose links
  differ), and checked against the `Labels` they were drawn with, so a new bundle, whose labels are
  a new object, draws them again.
- The page's chrome (web/_chrome.html: header and menu, phase banner, footer), under the
  section marked in the menu and the preview: GOV.UK's macros for them took a ninth of a search."""

from __future__ import annotations

from flask import Flask, current_app, get_template_attribute, request
from markupsafe import Markup

from nis_library.catalogue import ItemSummary
from nis_library.web.context import in_preview

MACROS = "web/_macros.html"
PARTS = ("item_tags", "item_facts")
LIMIT = 50_000  # parts remembered before the memory is emptied: two per item of a 10k-item library, and more
_PARTS_KEY = "nis_drawn_parts"  # app.extensions: the app's drawn card parts, with the labels of each


def drawn_part(part: str, item: ItemSummary, labels) -> Markup:
    """The macro `part` of web/_macros.html drawn for `item` with `labels`, remembered. A search
    hit is drawn from its summary alone, so what the macro can read is exactly what the key holds
    (a hit's rank or snippet would make every card a miss)."""
    if part not in PARTS:
        raise ValueError(f"{part} is not a card part: one of {', '.join(PARTS)}")
    summary = item if type(item) is ItemSummary else ItemSummary(**item.summary_fields())
    key = (part, in_preview(), summary)
    drawn: dict[tuple, tuple[object, Markup]] = current_app.extensions.setdefault(_PARTS_KEY, {})
    remembered = drawn.get(key)
    if remembered is not None and remembered[0] is labels:
        return remembered[1]
    html = get_template_attribute(MACROS, part)(summary, labels)
    if len(drawn) >= LIMIT:
        drawn.clear()
    drawn[key] = (labels, html)
    return html


CHROME = "web/_chrome.html"
CHROME_PARTS = ("site_header", "phase_banner", "site_footer")
_CHROME_KEY = "nis_drawn_chrome"  # app.extensions: the app's drawn chrome


def drawn_chrome(part: str, *args) -> Markup:
    """The macro `part` of web/_chrome.html drawn with `args`, remembered for this app."""
    if part not in CHROME_PARTS:
        raise ValueError(f"{part} is not a part of the chrome: one of {', '.join(CHROME_PARTS)}")
    drawn = current_app.extensions.setdefault(_CHROME_KEY, {})
    key = (part, args, in_preview(), request.script_root)
    html = drawn.get(key)
    if html is None:
        html = drawn[key] = get_template_attribute(CHROME, part)(*args)
    return html


def section() -> str | None:
    """The section of the site this request's page belongs to, marked in the menu."""
    endpoint = request.endpoint or ""
    if endpoint.endswith(".search_page"):
        return "search"
    if endpoint.endswith((".areas", ".area")):
        return "areas"
    return request.blueprint if request.blueprint in ("history", "governance") else None


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(drawn_part=drawn_part, drawn_chrome=drawn_chrome, section=section)
