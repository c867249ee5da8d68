"""Caching for what machines poll: the JSON API and the Atom feeds. Their answers change only when a
new edition is published and built, which happens a few times a year, while every school's ISP
system and every feed reader may ask many times a day. So a shared cache (or the poller itself) may
reuse an answer for `API_MAX_AGE` seconds (five minutes by default: a new edition is seen within
minutes), and after that revalidate it cheaply with its ETag (a 304, no body)."""

from __future__ import annotations

from flask import current_app, make_response, request


def for_polling(body, mimetype: str | None = None):
    """A 200 answer as a response that caches may share for `API_MAX_AGE` seconds, with an ETag."""
    response = make_response(body)
    if mimetype:
        response.mimetype = mimetype
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["API_MAX_AGE"]
    response.add_etag()
    return response.make_conditional(request)


IMMUTABLE_MAX_AGE = 31536000  # a year: the longest HTTP caches are asked to keep anything


def for_ever(body, mimetype: str | None = None):
    """A 200 answer at an address whose answer never changes (a published version): any cache may
    keep it for a year and need not revalidate it (`immutable`); an ETag still answers those that do."""
    response = make_response(body)
    if mimetype:
        response.mimetype = mimetype
    response.cache_control.public = True
    response.cache_control.max_age = IMMUTABLE_MAX_AGE
    response.cache_control.immutable = True
    response.add_etag()
    return response.make_conditional(request)


def for_one_client(response):
    """A 200 answer that is one client's own data (its links, its webhook): never kept by a shared
    cache, revalidated every time, and answered with a 304 when the client's ETag still matches."""
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)
