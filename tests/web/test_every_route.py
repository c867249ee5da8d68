"""Property-based tests of every route in the app's URL map (so a new route is covered without
touching this file): generated path segments and query strings (arbitrary bytes percent-encoded,
repeated keys, digits of other scripts, huge numbers) never cause a 500, and every response carries
the security headers."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nis_library import create_app

# Real values, so generated requests also reach deep into pages that exist, not just their 404s.
KNOWN_SEGMENTS = [
    "ADJ-0004",
    "INT-0407",
    "SPP-0003",
    "sensory",
    "standards",
    "packages",
    "2026",
    "2026.1",
    "1",
    "2",
    "R-2026-S-04",
]
KNOWN_PARAMETERS = [
    "q",
    "page",
    "mode",
    "area",
    "subcomponent",
    "layer",
    "kind",
    "from",
    "to",
    "since",
    "v",
    "review",
    "publication",
    "status",
]
KNOWN_VALUES = [
    "1",
    "2",
    "noise",
    "keyword",
    "sensory",
    "targeted",
    "2026-01-01",
    "standards/2026",
    "",
    "accepted",
    "standards-2026-ooc-1",
]
# Characters for which str.isdigit() is true, though int() takes only some of them ('²' it refuses).
DIGITS = "0123456789²³¹０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳४५६௧๑"

numbers = st.one_of(
    st.text(alphabet=DIGITS, min_size=1, max_size=6),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=2**63 - 2, max_value=2**64).map(str),  # around SQLite's largest integer
    st.integers(min_value=0, max_value=10**400).map(str),  # past float's range and int()'s 4300 digits
    st.text(alphabet=DIGITS + "_+-. ", min_size=1, max_size=12),
)
known_segments = st.sampled_from(KNOWN_SEGMENTS)
# Half the time a real value: a diff's numbers are only read once its item is found.
segments = st.one_of(known_segments, known_segments, numbers, st.text(min_size=1, max_size=40))
raw_values = st.one_of(
    numbers.map(str.encode),
    numbers.map(str.encode),
    st.sampled_from(KNOWN_VALUES).map(str.encode),
    st.binary(max_size=60),  # invalid UTF-8 included
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
raw_names = st.one_of(st.sampled_from(KNOWN_PARAMETERS).map(str.encode), st.binary(max_size=12))


def _encode(pairs: list[tuple[bytes, bytes]]) -> str:
    return "&".join(f"{quote_from_bytes(name, safe='')}={quote_from_bytes(value, safe='')}" for name, value in pairs)


# The parameters pages read, each at most once with a generated value (so `from` and `to` often
# arrive together, as a diff needs), then any pairs at all: unknown names, repeated keys.
query_strings = st.tuples(
    st.dictionaries(st.sampled_from(KNOWN_PARAMETERS).map(str.encode), raw_values, max_size=len(KNOWN_PARAMETERS)),
    st.lists(st.tuples(raw_names, raw_values), max_size=4),
).map(lambda parts: _encode(list(parts[0].items()) + parts[1]))
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options")
CONVERTER = re.compile(r"<(?:[^:>]+:)?[^>]+>")
HYPOTHESIS = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)


@pytest.fixture(scope="module")
def app(shipped_with_preview: Path):
    return create_app({"INSTANCE_DIR": str(shipped_with_preview), "PREVIEW": True, "TESTING": True})


def _rules():
    """Every rule of the app as it is configured for these tests (the preview's included). Creating
    the app reads no bundle, so the instance folder need not exist while tests are collected."""
    app = create_app({"INSTANCE_DIR": "/nonexistent/instance", "PREVIEW": True})
    return sorted(rule.rule for rule in app.url_map.iter_rules())


def _assert_safe(response, url: str) -> None:
    assert response.status_code < 500, f"{response.status_code} for {url!r}"
    for header in SECURITY_HEADERS:
        assert header in response.headers, f"no {header} for {url!r}"


def _fill(rule: str, values: list[str]) -> str:
    """The rule's path with each `<converter:name>` replaced by a generated, percent-encoded segment."""
    parts = iter(values)
    return CONVERTER.sub(lambda _: quote(next(parts), safe=""), rule)


@pytest.mark.parametrize("rule", _rules())
@HYPOTHESIS
@given(data=st.data(), query=query_strings)
def test_no_route_answers_a_500_to_any_path_segment_or_query_string(app, rule, data, query):
    values = data.draw(st.lists(segments, min_size=rule.count("<"), max_size=rule.count("<")))
    url = _fill(rule, values) + ("?" + query if query else "")
    with app.test_client() as client:
        response = client.get(url)
        _assert_safe(response, url)
        response.close()


@HYPOTHESIS
@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    path=st.lists(segments, min_size=1, max_size=5).map(lambda parts: "/" + "/".join(quote(p, safe="") for p in parts)),
    query=query_strings,
)
def test_no_address_and_method_at_all_answers_a_500(app, method, path, query):
    url = path + ("?" + query if query else "")
    with app.test_client() as client:
        response = client.open(url, method=method)
        _assert_safe(response, url)
        if response.status_code == 405:
            assert response.headers.get("Allow"), f"405 without Allow for {method} {url!r}"
        response.close()
