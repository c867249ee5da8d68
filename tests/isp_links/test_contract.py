"""The document says exactly what the service does: its filter values are the taxonomy's, every
operation has a readable operationId, every example in it is valid by its own schema and has the
shape of a real answer, and the example queries its descriptions give are answered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from indexer.bundle.documents import FACETS
from nis_library.catalogue import get_catalogue


def _validator(spec: dict, schema: dict) -> Draft202012Validator:
    return Draft202012Validator(spec | schema, format_checker=FormatChecker())


def test_every_filter_lists_the_values_the_taxonomy_has(spec, shipped_instance: Path):
    taxonomy = get_catalogue(shipped_instance).taxonomy
    parameters = spec["components"]["parameters"]
    for facet in FACETS:
        documented = parameters[facet.name]["schema"]["items"]["enum"]
        assert documented == list(taxonomy.vocabulary(facet.vocabulary).terms), facet.name
    (register_area,) = [
        p for p in spec["paths"]["/api/v1/recommendations"]["get"]["parameters"] if p.get("name") == "area"
    ]
    assert register_area["schema"]["items"]["enum"] == list(taxonomy.vocabulary("areas").terms)


def test_every_operation_has_a_unique_readable_operation_id(spec):
    ids = [
        op["operationId"]
        for section in ("paths", "webhooks")
        for item in spec[section].values()
        for method, op in item.items()
        if method != "parameters"
    ]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z][A-Za-z]+", i) for i in ids)


def _examples(node, schema=None):
    """(example, the schema it illustrates) for every example in the document."""
    if isinstance(node, dict):
        if "examples" in node and isinstance(node["examples"], list) and node.get("type") in ("object", None):
            for example in node["examples"]:
                yield example, node
        if "example" in node and "schema" in node:
            yield node["example"], node["schema"]
        for value in node.values():
            yield from _examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _examples(value)


def test_every_example_in_the_document_is_valid_by_its_schema(spec):
    found = list(_examples(spec))
    assert len(found) >= 5
    for example, schema in found:
        errors = [e.message for e in _validator(spec, schema).iter_errors(example)]
        assert not errors, (example, errors)


@pytest.mark.parametrize(
    "schema_name, path",
    [
        ("IspLink", "/api/v1/isp-links/{id}"),
        ("WebhookEvent", None),
    ],
)
def test_an_example_has_the_shape_of_a_real_answer(spec, api, engine, schema_name, path):
    from tests.isp_links.conftest import ref

    (example,) = spec["components"]["schemas"][schema_name]["examples"]
    link = api.post("/api/v1/isp-links", json={"isp_ref": ref(), "item_id": "INT-0502", "version": 1}).get_json()
    if path:
        real = api.get(path.format(id=link["id"])).get_json()
    else:
        import json

        from sqlalchemy import select, update

        from nis_library.isp_links import clients, served, webhooks
        from nis_library.state.schema import isp_links, webhook_deliveries

        with engine.begin() as conn:
            (client,) = [c for c in clients.all_clients(conn) if c.name == "Northfield Primary"]
            webhooks.register(conn, client.id, "https://hooks.example.org/nis")
            conn.execute(update(isp_links).values(notified_through=1))
            webhooks.queue(conn, served.histories(conn, ["INT-0502"]), "https://nis.example.org")
            real = json.loads(conn.execute(select(webhook_deliveries.c.payload)).scalars().first())
    assert _shape(example) == _shape(real)
    assert not list(_validator(spec, {"$ref": f"#/components/schemas/{schema_name}"}).iter_errors(real))


def _shape(value):
    """The keys at every level (lists by their first element): what a client's parser relies on."""
    if isinstance(value, dict):
        return {key: _shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def test_the_example_queries_the_descriptions_give_are_answered(spec, app):
    client = app.test_client()
    text = str(spec)
    queries = set(re.findall(r"`((?:area|layer|phase|kind|setting|evidence|cost)=[a-z-]+(?:&[a-z]+=[a-z-]+)*)`", text))
    assert "area=sensory&area=motor-physical" in queries
    for query in queries:
        assert client.get(f"/api/v1/search?{query}").status_code == 200, query
