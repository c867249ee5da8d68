"""What many tests share: the repository's paths, a content tree a test may break, and a build with the
stand-in embedder. The fixtures that hand these out are in `conftest.py`."""

from __future__ import annotations

from pathlib import Path

from indexer.record.library import Library
from indexer.record.loading import load_library

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class ContentTree:
    """A content folder the test may break, one file at a time."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str | bytes) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def replace(self, relative: str, old: str, new: str) -> None:
        text = self.read(relative)
        assert old in text, f"{old!r} not in {relative}"
        self.write(relative, text.replace(old, new, 1))

    def line_of(self, relative: str, fragment: str) -> int:
        """The 1-based line of the first line containing `fragment`."""
        for number, line in enumerate(self.read(relative).splitlines(), start=1):
            if fragment in line:
                return number
        raise AssertionError(f"{fragment!r} not in {relative}")

    def load(self) -> Library:
        return load_library(self.root)


def build_hashing(tree: ContentTree, instance: Path, source: str = "working", **kwargs):
    """Build a bundle with the deterministic stand-in embedder (fast; no model). Tests of the
    build's mechanics build from the working copies (as a preview does), so an edit to a fixture
    file shows without publishing it; publishing has tests of its own."""
    from indexer.bundle.build import build
    from indexer.bundle.embeddings import HashingEmbedder

    return build(tree.root, instance, embedder=HashingEmbedder(), source=source, **kwargs)


_accounts_made = iter(range(1, 10**9))


def csrf_token_of(html: str) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def make_account(app, role: str = "panel-member", password: str = "a-long-test-password") -> str:
    """A new account with `role` in the app's state store; its username."""
    from nis_library.accounts import store
    from nis_library.web.context import STATE_ENGINE

    username = f"test-{role}-{next(_accounts_made)}-{id(app) % 10000}"
    with app.extensions[STATE_ENGINE].begin() as conn:
        store.add(conn, "cli:tests", username, f"Test {role}", role, password)
    return username


def sign_in(app, client, role: str = "panel-member", password: str = "a-long-test-password") -> str:
    """Sign `client` in, through the sign-in form, as a new account with `role`; its username."""
    username = make_account(app, role, password)
    token = csrf_token_of(client.get("/panel/sign-in").get_data(as_text=True))
    response = client.post("/panel/sign-in", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return username
