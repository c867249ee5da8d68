"""The API's rate limits as clients see them: every answer counted against a limit carries
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the oldest request
counted leaves the sliding window, so one more is free), so a well-behaved client slows down before it is refused; a refusal is
a 429 `rate-limited` problem with `Retry-After`. The read API counts per token when a request
carries one (each setting behind one vendor gets its own budget) and per address otherwise; the ISP
links API always per token."""

from __future__ import annotations

from flask import g

from nis_library.web.json_api.problems import Problem


def enforce(decision, limit, whose: str) -> None:
    """Keep the decision (`nis_library.state.rate_limits`' Decision and Limit: what every page shares
    imports no feature) for the answer's headers; a 429 if it refuses."""
    g.rate_limit = (decision, limit)
    if not decision.allowed:
        raise Problem(
            "rate-limited",
            f"Over {limit.count} requests in {int(limit.window.total_seconds())} s {whose}. "
            f"Try again in {decision.retry_after} s.",
            {"Retry-After": str(decision.retry_after)},
        )


def add_headers(response):
    """An after-request hook: the headers of the decision this request was counted by, if any."""
    counted = g.get("rate_limit")
    if counted is not None:
        decision, limit = counted
        response.headers["RateLimit-Limit"] = str(limit.count)
        response.headers["RateLimit-Remaining"] = str(decision.remaining)
        response.headers["RateLimit-Reset"] = str(decision.reset)
    return response
