"""Schemathesis fuzzes every endpoint `openapi.yaml` documents, over HTTP, against the document
itself, as its command line does: all its phases (examples, coverage, fuzzing, and stateful: links
created, then read, acknowledged and deleted by following the document's `links`), valid and invalid
inputs, with a client's token so the ISP links endpoints are reached and not only refused: no 500s,
and every answer as documented (status code, content type, headers, body schema, `Allow` on a 405,
auth not ignored, nothing readable after it is deleted). Deterministic (derandomized, no example
database) and bounded, so CI gets the same cases every run (about 1,700), in under a minute.

Its engine is driven directly: its pytest plugin's lazy schema (`from_fixture`) reads a node
attribute pytest 9 no longer has. Every check runs. `positive_data_acceptance` is told, per
operation, the one status (`DATA_DEPENDENT`) with which a request valid by the document may still be
refused because of the library's data or the service's own tokens, not the value's form (an item
ID no item has, a review or an edition never published, a callback host that does not resolve to a
public address, a cursor this API did not sign); filter values are enums of the taxonomy, so those
are not among them."""

from __future__ import annotations

import collections
import threading

import pytest
import schemathesis
from schemathesis.config import OperationConfig, OperationsConfig
from schemathesis.engine import events
from werkzeug.serving import make_server

from nis_library import create_app
from nis_library.api import document
from nis_library.isp_links import clients

EXAMPLES_PER_OPERATION = 60
# `positive_data_acceptance` expects a request valid by the document to be accepted. These refusals
# depend on the library's data or the service's own tokens, not on the value's form, so no schema can
# rule them out: each operation may also answer with the status named, and with nothing else.
DATA_DEPENDENT = {  # by operationId
    "searchLibrary": ("400", "a page beyond the last page of results"),
    "listItems": ("400", "a cursor this API did not sign"),
    "listChanges": ("400", "an edition never published, a next_since this API did not sign"),
    "listRecommendations": ("400", "a review the register does not have"),
    "listIspLinks": ("400", "a cursor this API did not sign for this client"),
    "createIspLink": ("422", "an Idempotency-Key this client already used for another request"),
    "createIspLinks": ("422", "entries naming items the library does not have, a reused Idempotency-Key"),
    "registerWebhook": ("422", "a callback host that does not resolve to a public address"),
}
ACCEPTED = ["2xx", "304", "401", "403", "404", "409", "429"]  # schemathesis' own list, and a 304


@pytest.fixture(scope="module")
def fuzzed_app(shipped_instance, register_url):
    """The service with a client's token, and limits high enough for thousands of cases."""
    app = create_app(
        {
            "INSTANCE_DIR": str(shipped_instance),
            "DATABASE_URL": register_url,
            "TESTING": True,
            "API_ADDRESS_LIMIT": 0,
            "API_RATE_LIMIT": 10**9,
        }
    )
    with app.extensions["nis_state_engine"].begin() as conn:
        _, token = clients.add(conn, "Fuzzing client")
    return app, token


@pytest.fixture(scope="module")
def served_over_http(fuzzed_app):
    """Over real HTTP (a threaded Werkzeug server on a free port), as clients reach it. In process,
    schemathesis' `ignored_auth` check re-sends a case without its token through the WSGI transport
    with an option that transport does not take (schemathesis 4.32.5), so that check could not run."""
    app, token = fuzzed_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def fuzzing_run(served_over_http):
    base, token = served_over_http
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.yaml")
    schema.config.update(base_url=base, headers={"Authorization": f"Bearer {token}"})
    schema.config.generation.update(
        modes=["positive", "negative"], max_examples=EXAMPLES_PER_OPERATION, deterministic=True, database="none"
    )
    schema.config.operations = OperationsConfig(
        operations=[
            OperationConfig.from_dict(
                {
                    "include-operation-id": operation_id,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, status]}},
                }
            )
            for operation_id, (status, _) in DATA_DEPENDENT.items()
        ]
    )
    schema.config.checks.positive_data_acceptance.expected_statuses = ACCEPTED
    run = {
        "cases": collections.Counter(),
        "phases": collections.Counter(),
        "failed": [],
        "errors": [],
        "checks": set(),
        "stop": None,
    }
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, node in event.recorder.cases.items():
                case = node.value
                run["cases"][(case.method.upper(), case.operation.path)] += 1
                run["phases"][event.phase.value] += 1
                for check in event.recorder.checks.get(case_id, []):
                    run["checks"].add(check.name)
                    if check.status.value != "success":
                        failure = check.failure_info.failure.title if check.failure_info else ""
                        response = event.recorder.interactions.get(case_id)
                        status = response.response.status_code if response and response.response else "?"
                        run["failed"].append(
                            f"{check.name}: {failure} ({status}) for {case.method} {case.formatted_path} {case.query}"
                        )
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            run["errors"].append(f"{getattr(event, 'label', '')}: {getattr(event, 'value', event)!r}")
        elif isinstance(event, events.EngineFinished):
            run["stop"] = event.stop_reason.value
    return run


def test_every_documented_endpoint_answers_as_the_document_says(fuzzing_run):
    assert fuzzing_run["errors"] == []
    assert fuzzing_run["failed"] == [], "\n".join(fuzzing_run["failed"])
    assert fuzzing_run["stop"] == "completed"
    print(f"\nchecks run: {', '.join(sorted(fuzzing_run['checks']))}")
    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "positive_data_acceptance",
        "negative_data_rejection",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
    } <= fuzzing_run["checks"]


def test_the_fuzzing_reached_every_documented_operation(fuzzing_run):
    # Schemathesis runs no case against the address it loaded the document from; test_read_api
    # checks that one.
    documented = {(op.method, op.path) for op in document.operations()} - {("GET", "/api/v1/openapi.yaml")}
    assert documented <= set(fuzzing_run["cases"])  # other methods too, for their 405s
    assert all(fuzzing_run["cases"][operation] >= 1 for operation in documented)
    total = sum(fuzzing_run["cases"].values())
    assert total >= 400
    phases = ", ".join(f"{phase} {count}" for phase, count in sorted(fuzzing_run["phases"].items()))
    print(
        f"\nschemathesis ran {total} cases over {len(documented)} documented operations (and other methods): {phases}"
    )
    assert fuzzing_run["phases"]["stateful"] >= 50  # create, then read, acknowledge and delete what was made
