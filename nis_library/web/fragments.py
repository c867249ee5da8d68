"""Parts of pages rendered once and cached, not rendered again for every request: they cost more
than the rest of the search page's rendering, and are the same every time for what they are
rendered from.

Both caches are per app (in `app.extensions`), as the macros that render them are the app's.

- An item's result-card parts, its tags and its facts: five macro calls and a dozen label lookups a
  result, twenty results a page. Cached under the whole summary they are rendered from (a frozen
  dataclass: every field is in the key, so a macro that reads one more field can never be served
  a part rendered before that field changed) and whether the reader is in the preview (whose links
  differ), and checked against the `Labels` they were rendered with, so a new bundle, whose labels
  are a new object, renders them again.
- The page's chrome (web/_chrome.html: header and menu, phase banner, footer), under the
  section marked in the menu and the preview: GOV.UK's macros for them took a ninth of a search."""

from __future__ import annotations

from flask import Flask, current_app, get_template_attribute, request
from markupsafe import Markup

from nis_library.catalogue import ItemSummary
from nis_library.web.context import in_preview

MACROS = "web/_macros.html"
PARTS = ("item_tags", "item_facts")
LIMIT = 50_000  # parts cached before the cache is emptied: two per item of a 10k-item library, and more
_PARTS_KEY = "nis_rendered_card_parts"  # app.extensions: the app's rendered card parts, with the labels of each


def rendered_card_part(part: str, item: ItemSummary, labels) -> Markup:
    """The macro `part` of web/_macros.html rendered for `item` with `labels`, cached. A search
    hit is rendered from its summary alone, so what the macro can read is exactly what the key holds
    (a hit's rank or snippet would make every card a miss)."""
    if part not in PARTS:
        raise ValueError(f"{part} is not a card part: one of {', '.join(PARTS)}")
    summary = item if type(item) is ItemSummary else ItemSummary(**item.summary_fields())
    key = (part, in_preview(), summary)
    rendered: dict[tuple, tuple[object, Markup]] = current_app.extensions.setdefault(_PARTS_KEY, {})
    cached = rendered.get(key)
    if cached is not None and cached[0] is labels:
        return cached[1]
    html = get_template_attribute(MACROS, part)(summary, labels)
    if len(rendered) >= LIMIT:
        rendered.clear()
    rendered[key] = (labels, html)
    return html


CHROME = "web/_chrome.html"
CHROME_PARTS = ("site_header", "phase_banner", "site_footer")
_CHROME_KEY = "nis_rendered_chrome"  # app.extensions: the app's rendered chrome


def rendered_chrome(part: str, *args) -> Markup:
    """The macro `part` of web/_chrome.html rendered with `args`, cached for this app."""
    if part not in CHROME_PARTS:
        raise ValueError(f"{part} is not a part of the chrome: one of {', '.join(CHROME_PARTS)}")
    rendered = current_app.extensions.setdefault(_CHROME_KEY, {})
    key = (part, args, in_preview(), request.script_root)
    html = rendered.get(key)
    if html is None:
        html = rendered[key] = get_template_attribute(CHROME, part)(*args)
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
    app.jinja_env.globals.update(
        rendered_card_part=rendered_card_part, rendered_chrome=rendered_chrome, section=section
    )
