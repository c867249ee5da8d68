"""The glossary publishes what each evidence strength needs, from the taxonomy's criteria."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import yaml

from nis_library import create_app
from tests.support import REPO


@pytest.fixture(scope="module")
def glossary(shipped_instance: Path) -> str:
    client = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True}).test_client()
    response = client.get("/glossary")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_each_strength_says_what_it_needs(glossary: str):
    taxonomy = yaml.safe_load((REPO / "content" / "taxonomy.yaml").read_text(encoding="utf-8"))
    for strength in taxonomy["evidence_strengths"]:
        entry = glossary.split(f'id="evidence_strengths-{strength["id"]}"', 1)[1].split("</dd>", 1)[0]
        assert "What this rating needs:" in entry, strength["id"]
        assert " ".join(strength["criteria"].split()) in " ".join(entry.split()), strength["id"]
