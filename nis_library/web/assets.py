"""Static files with fingerprinted URLs: `asset_url("vendor/htmx/htmx.min.js")` gives
`/static/vendor/htmx/htmx.min.js?v=<hash of the file>`, which browsers may keep for a year
because a changed file gets a new URL. Unfingerprinted requests must revalidate."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for

from indexer.content.hashing import sha256_hex


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["vendored_versions"] = vendored_versions(Path(app.static_folder))
    app.after_request(_cache_static)


def asset_url(filename: str) -> str:
    # Remembered per app: every page asks for the same seven, and url_for is not free.
    urls = current_app.extensions.setdefault("nis_asset_urls", {})
    key = (request.script_root, filename)
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for("static", filename=filename, v=fingerprint(Path(current_app.static_folder), filename))
    return url


@lru_cache(maxsize=256)
def fingerprint(static_folder: Path, filename: str) -> str:
    return sha256_hex((static_folder / filename).read_bytes())[:16]


def vendored_versions(static_folder: Path) -> dict[str, str]:
    path = static_folder / "vendor" / "versions.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _cache_static(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    try:
        current = fingerprint(Path(current_app.static_folder), filename)
    except OSError:
        current = None
    if current and request.args.get("v") == current:
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["STATIC_MAX_AGE"]
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response
