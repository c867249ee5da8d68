"""The API's contract, `openapi.yaml` (hand-written, at the top of the repository; a link to it ships
in this package so an installed service serves it too), read once: served as it is at
`/api/v1/openapi.yaml`, and laid out as the API page, so the page cannot say anything the document
does not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

METHODS = ("get", "put", "post", "delete", "patch")


@cache
def document_text() -> str:
    return files("nis_library.api").joinpath("openapi.yaml").read_text(encoding="utf-8")


@cache
def document() -> dict:
    return yaml.safe_load(document_text())


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # path, query or header
    required: bool
    description: str


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    shared: str | None  # the name under components/responses when it is one every endpoint shares


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    needs_token: bool
    parameters: tuple[Parameter, ...]
    responses: tuple[Response, ...]
    fields: tuple[Field, ...]  # the top-level fields of the successful answer's JSON
    example: str | None  # an example of the successful answer (or the body sent, for a webhook)

    @property
    def anchor(self) -> str:
        """A fragment id for the page: `get-api-v1-items-id`."""
        words = "".join(ch if ch.isalnum() else " " for ch in f"{self.method} {self.path}").split()
        return "-".join(words).lower()

    @property
    def own_responses(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.shared is None)

    @property
    def shared_responses(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.shared is not None)


def operations() -> list[Operation]:
    """Every operation the document describes, in its order."""
    spec = document()
    return [op for path, item in spec.get("paths", {}).items() for op in _operations(spec, path, item)]


def webhooks() -> list[Operation]:
    """What the library sends to clients' callbacks (`webhooks:`), each named by its key."""
    spec = document()
    return [op for name, item in spec.get("webhooks", {}).items() for op in _operations(spec, name, item)]


def _operations(spec: dict, path: str, item: dict) -> list[Operation]:
    shared = item.get("parameters", [])
    found = []
    for method in METHODS:
        operation = item.get(method)
        if operation is None:
            continue
        parameters = [_resolve(spec, p) for p in shared + operation.get("parameters", [])]
        security = operation.get("security", spec.get("security", []))
        success = _success(spec, operation)
        found.append(
            Operation(
                method.upper(),
                path,
                operation.get("operationId", ""),
                operation.get("summary", ""),
                operation.get("description", ""),
                bool(security) and {} not in security,
                tuple(
                    Parameter(p["name"], p["in"], bool(p.get("required")), p.get("description", "")) for p in parameters
                ),
                tuple(
                    Response(str(status), _resolve(spec, response).get("description", ""), _shared_name(response))
                    for status, response in operation.get("responses", {}).items()
                ),
                _fields(spec, success),
                _example(spec, success),
            )
        )
    return found


def _shared_name(response: dict) -> str | None:
    ref = response.get("$ref", "")
    return ref.rpartition("/")[2] if ref.startswith("#/components/responses/") else None


def _success(spec: dict, operation: dict) -> dict:
    """The JSON media of the first 2xx answer; for a webhook, which answers nothing, what it sends."""
    sent = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return _json_media(spec, operation) or sent


def _json_media(spec: dict, operation: dict) -> dict | None:
    for status, response in operation.get("responses", {}).items():
        if str(status).startswith("2"):
            media = _resolve(spec, response).get("content", {}).get("application/json")
            if media:
                return media
    return None


def _fields(spec: dict, media: dict) -> tuple[Field, ...]:
    return tuple(_properties(spec, _resolve(spec, media.get("schema", {}))))


def _properties(spec: dict, schema: dict, prefix: str = ""):
    """Each property, and those of an object written out in place (a webhook's `data`), dotted."""
    required = set(schema.get("required", []))
    for name, field in schema.get("properties", {}).items():
        yield Field(
            prefix + name, _type_name(spec, field), name in required, _resolve(spec, field).get("description", "")
        )
        if "$ref" not in field and field.get("type") == "object" and "properties" in field:
            yield from _properties(spec, field, f"{prefix}{name}.")


def _type_name(spec: dict, field: dict) -> str:
    if "$ref" in field:
        target = _resolve(spec, field)
        name = field["$ref"].rpartition("/")[2]
        return name if target.get("type") in ("object", None) else f"{target.get('type')} ({name})"
    kind = field.get("type", "object" if "oneOf" in field else "")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds and "items" in field:
        return f"array of {_type_name(spec, field['items'])}"
    if "oneOf" in field:
        return " or ".join(_type_name(spec, choice) for choice in field["oneOf"])
    return " or ".join(str(k) for k in kinds)


def _example(spec: dict, media: dict) -> str | None:
    example = media.get("example")
    if example is None:
        examples = _resolve(spec, media.get("schema", {})).get("examples")
        example = examples[0] if examples else None
    return json.dumps(example, indent=2, ensure_ascii=False) if example is not None else None


def shared_responses() -> list[tuple[str, str, str]]:
    """(name, statuses, meaning) of each answer several endpoints share, listed once on the page."""
    spec = document()
    statuses: dict[str, set[str]] = {}
    for op in operations():
        for response in op.shared_responses:
            statuses.setdefault(response.shared, set()).add(response.status)
    return [
        (name, ", ".join(sorted(statuses[name])), spec["components"]["responses"][name].get("description", ""))
        for name in spec["components"]["responses"]
        if name in statuses
    ]


def security_scheme() -> dict:
    return document()["components"]["securitySchemes"]["bearerToken"]


def error_codes() -> list[tuple[str, str]]:
    """(code, meaning) of every error code the document lists: an `enum`, explained in the same order
    by `x-enum-descriptions` (an enum, not `oneOf` consts, so generated clients read it)."""
    code = document()["components"]["schemas"]["Problem"]["properties"]["code"]
    return list(zip(code["enum"], code["x-enum-descriptions"], strict=True))


def _resolve(spec: dict, node: dict) -> dict:
    """Follow a local `$ref` (`#/components/...`)."""
    while "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node
