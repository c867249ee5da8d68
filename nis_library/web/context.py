"""What a page needs to know about the request it answers: which bundle it reads (the public one,
or in the preview the one built from the working copies), how to link to a sibling page without
leaving the preview, the date review schedules are worked out for, and whether htmx asked for a
fragment, and the state store's engine. Every feature's views use these; nothing here knows about any feature."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, url_for
from flask_htmx import HTMX
from sqlalchemy import Engine

from nis_library.settings import preview_dir
from nis_library.web.rendering import render_short_text
from nis_library.web.text import lead_sentence, link_item_codes, long_date

PAGES = "web"  # the blueprint holding the pages a reader browses, served again at /preview ...
PREVIEW = "preview"  # ... under this name
STATE_ENGINE = "nis_state_engine"  # app.extensions key: the state store's engine, opened by the app factory

htmx = HTMX()  # reads only the current request's headers


def init_app(app: Flask) -> None:
    htmx.init_app(app)
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["lead_sentence"] = lead_sentence
    app.jinja_env.filters["link_items"] = link_items
    # Release notes and review findings: sanitised by nh3 like item text, and never rendered beyond
    # the bounds item text keeps to (shown escaped instead), so no text can stall a page.
    app.jinja_env.filters["markdown"] = render_short_text
    app.context_processor(lambda: {"in_preview": in_preview()})


def link_items(html, titles, own_id=None):
    """Item codes in text as links to their items (see `text.link_item_codes`)."""
    return link_item_codes(html, titles, lambda item_id: page_url("browse.item", item_id=item_id), own_id)


def in_preview() -> bool:
    return has_request_context() and (request.blueprint or "").split(".")[0] == PREVIEW


def bundle_instance() -> Path:
    """The public bundle's instance folder, or in the preview the working copies' one."""
    instance = Path(current_app.config["INSTANCE_DIR"])
    return preview_dir(instance) if in_preview() else instance


def page_url(endpoint: str, **values) -> str:
    """A link to another browsing page (`"browse.item"`, `"search.search_page"`) that stays in the
    preview when the reader is in it."""
    return url_for(f"{PREVIEW if in_preview() else PAGES}.{endpoint}", **values)


def state_engine() -> Engine:
    """The state store's engine (one per process; its pool hands each request a connection)."""
    return current_app.extensions[STATE_ENGINE]


def today() -> dt.date:
    """The date review schedules are worked out for: `TODAY` in tests, else the real one."""
    return current_app.config.get("TODAY") or dt.date.today()


def wants_fragment() -> bool:
    """htmx asked for the page's own partial. A history restore asks for the whole page, although
    htmx sends it."""
    return bool(htmx) and not htmx.history_restore_request
