"""The minimal page the run command serves until the web service lands."""

from __future__ import annotations

from conftest import ContentTree
from nis_library import create_app


def test_home_page_lists_the_library_and_says_it_is_sample_content(tree: ContentTree):
    client = create_app({"CONTENT_DIR": str(tree.root), "TESTING": True}).test_client()
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sample content." in page
    assert "Test intervention - small-group vocabulary sessions" in page
    assert "All items (5)" in page


def test_home_page_says_when_content_has_problems(tree: ContentTree):
    tree.replace("items/practice/PRA-0001.md", "cost: very-low", "cost: cheap")
    client = create_app({"CONTENT_DIR": str(tree.root), "TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Run <code>nis validate</code>" in page
    assert "All items (4)" in page
