"""Item addresses are made in one place (`web/addresses.py`), and each is the address of the route
that serves it: a route moved without the helper (or the reverse) fails here."""

from __future__ import annotations

import ast

import pytest
from flask import url_for

from nis_library.app import create_app
from nis_library.web import addresses
from tests.support import REPO

ROOT = "https://nis.example.gov.uk"


@pytest.fixture(scope="module")
def app(shipped_instance):
    return create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True, "PUBLIC_URL": ROOT})


@pytest.mark.parametrize(
    "made, endpoint, values",
    [
        (addresses.item_page("INT-0001"), "web.browse.item", {"item_id": "INT-0001"}),
        (addresses.version_page("INT-0001", 3), "history.item_version", {"item_id": "INT-0001", "number": 3}),
        (addresses.history_page("INT-0001"), "history.item_history", {"item_id": "INT-0001"}),
        (addresses.diff_page("INT-0001", 1, 3), "history.item_diff", {"item_id": "INT-0001", "from": 1, "to": 3}),
        (addresses.item_feed("INT-0001"), "history.item_feed", {"item_id": "INT-0001"}),
        (addresses.api_item("INT-0001"), "api.item", {"item_id": "INT-0001"}),
        (addresses.api_version("INT-0001", 3), "api.item_version", {"item_id": "INT-0001", "number": 3}),
    ],
)
def test_each_address_is_its_routes(app, made, endpoint, values):
    with app.test_request_context():
        assert made == url_for(endpoint, **values)


def test_the_root_goes_in_front():
    assert addresses.version_page("PKG-0002", 1, ROOT) == f"{ROOT}/items/PKG-0002/v/1"
    assert addresses.api_item("PKG-0002", ROOT) == f"{ROOT}/api/v1/items/PKG-0002"


def test_no_module_writes_an_item_address_itself():
    """An f-string that starts an item address ("/items/{") belongs in web/addresses.py only."""
    found = []
    for path in sorted((REPO / "nis_library").rglob("*.py")):
        if path.name == "addresses.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if "/items/" in literal:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not found, f"make these with nis_library/web/addresses.py: {found}"
