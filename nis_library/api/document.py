"""The API's contract, `openapi.yaml` (hand-written, at the top of the repository; a link to it ships
in this package so an installed service serves it too), read once: served as it is at
`/api/v1/openapi.yaml`, and laid out as the API page, so the page cannot say anything the document
does not."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    responses: tuple[Response, ...]

    @property
    def anchor(self) -> str:
        """A fragment id for the page: `get-api-v1-items-id`."""
        words = "".join(ch if ch.isalnum() else " " for ch in f"{self.method} {self.path}").split()
        return "-".join(words).lower()


def operations() -> list[Operation]:
    """Every operation the document describes, in its order."""
    spec = document()
    found = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [_resolve(spec, p) for p in shared + operation.get("parameters", [])]
            found.append(
                Operation(
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    operation.get("description", ""),
                    tuple(
                        Parameter(p["name"], p["in"], bool(p.get("required")), p.get("description", ""))
                        for p in parameters
                    ),
                    tuple(
                        Response(str(status), _resolve(spec, response).get("description", ""))
                        for status, response in operation.get("responses", {}).items()
                    ),
                )
            )
    return found


def error_codes() -> list[tuple[str, str]]:
    """(code, meaning) of every error code the document lists (each a `const` with a description)."""
    code = document()["components"]["schemas"]["Problem"]["properties"]["code"]
    return [(choice["const"], choice.get("description", "")) for choice in code["oneOf"]]


def _resolve(spec: dict, node: dict) -> dict:
    """Follow a local `$ref` (`#/components/...`)."""
    while "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node
