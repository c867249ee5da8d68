"""Whole numbers from addresses, read strictly: ASCII digits only, no sign, no spaces, no
underscores, no leading zero, within a range. Python's `int()` also takes '１', '١', ' 1' and '1_0',
and Werkzeug's `int` converter matches any Unicode digit: each would give one page a second address
(and '²', which `str.isdigit()` calls a digit, made `int()` raise). Plain functions, and the URL
converter that every `<int:...>` in a route uses."""

from __future__ import annotations

import re

from werkzeug.routing import BaseConverter, ValidationError

CANONICAL_WHOLE = re.compile(r"0|[1-9][0-9]*", re.ASCII)
# SQLite's integers are 64-bit: nothing larger may reach a query. Numbers in addresses (versions,
# pages) are far smaller, so this bound only guards against overflow.
LARGEST = 2**63 - 1


def whole_number(text: str, low: int = 0, high: int = LARGEST) -> int | None:
    """`text` as a whole number from `low` to `high`, or None when it is not written exactly so."""
    if len(text) > len(str(high)) or not CANONICAL_WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


class WholeNumberConverter(BaseConverter):
    """`<int:n>` in a route: a positive whole number written canonically ('1', never '01' or '１').
    Anything else matches no route, so it is a 404, like any other address that does not exist."""

    regex = r"[0-9]+"
    weight = 50  # as Werkzeug's own number converters: ranked before a plain string segment
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = whole_number(value, low=1)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_app(app) -> None:
    # Before any blueprint is registered: rules pick their converter when they are added.
    app.url_map.converters["int"] = WholeNumberConverter
