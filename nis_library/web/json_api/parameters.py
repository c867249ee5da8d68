"""The one reader of the API's query strings, for the read API and the ISP links API alike: every
parameter is one the endpoint takes, given once (unless it is a filter that repeats), and a page's
`limit` and `cursor` are checked the same way everywhere. Each refusal is a `Problem` whose code says
what was wrong and whose detail names the parameter."""

from __future__ import annotations

from typing import Any

from flask import request

from nis_library.web.json_api import tokens
from nis_library.web.json_api.problems import Problem
from nis_library.web.numbers import whole_number


def query(*names: str) -> dict[str, str]:
    """The query string's parameters: each one of `names`, each at most once."""
    for name in request.args:
        if name not in names:
            takes = f"This endpoint takes: {', '.join(names)}." if names else "This endpoint takes no parameters."
            raise Problem("unknown-parameter", f"Unknown parameter '{name[:40]}'. {takes}")
        if len(request.args.getlist(name)) > 1:
            raise Problem("repeated-parameter", f"'{name[:40]}' appears more than once; give it once.")
    return request.args.to_dict()


def limit(given: dict[str, str], default: int, maximum: int) -> int:
    if "limit" not in given:
        return default
    number = whole_number(given["limit"], low=1, high=maximum)
    if number is None:
        raise Problem("invalid-parameter", f"'limit' must be a whole number from 1 to {maximum}, in digits.")
    return number


def choice(given: dict[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    if name not in given:
        return None
    if given[name] not in choices:
        raise Problem("invalid-parameter", f"'{name}' may be: {', '.join(choices)}.")
    return given[name]


def cursor(given: dict[str, str], purpose: str) -> Any:
    """The position a `cursor` continues after, or None for the first page."""
    if "cursor" not in given:
        return None
    try:
        return tokens.read(purpose, given["cursor"])
    except tokens.InvalidToken:
        raise Problem(
            "invalid-cursor",
            "The cursor is not one this API gave out for this list. Start from the first page (no cursor) "
            "and follow links.next.",
        ) from None
