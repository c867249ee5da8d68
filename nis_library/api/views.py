"""The JSON API (`/api/v1`), for settings' ISP systems. Its contract is `openapi.yaml`; errors are
JSON too: `{"error": {"code": ..., "message": ...}}` (`nis_library.web.errors.json_error`, which answers
every error under /api/ this way)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from nis_library.catalogue import get_catalogue
from nis_library.history import service as history
from nis_library.web.caching import for_polling
from nis_library.web.errors import json_error
from nis_library.web.hosts import public_root

blueprint = Blueprint("api", __name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError):
    return json_error(error.status, error.code, error.message)


@blueprint.get("/changes")
def changes():
    """Item versions published since a date or an edition: what an ISP system polls."""
    unknown = sorted(set(request.args) - {"since"})
    if unknown:
        raise ApiError(400, "unknown-parameter", f"Unknown parameter '{unknown[0]}'. This endpoint takes: since.")
    values = request.args.getlist("since")
    if len(values) != 1 or not values[0].strip():
        raise ApiError(400, "missing-since", "Give 'since' once: a date (YYYY-MM-DD) or an edition (standards/2026).")
    catalogue = get_catalogue(Path(current_app.config["INSTANCE_DIR"]))
    try:
        found = history.changes_since(catalogue, values[0])
    except history.InvalidSince as exc:
        raise ApiError(400, "invalid-since", str(exc)) from None
    root = public_root()
    answer = jsonify(
        {
            "since": values[0],
            "count": len(found),
            "changes": [
                {
                    "id": v.id,
                    "version": v.number,
                    "title": v.title,
                    "kind": v.kind,
                    "publication": v.publication,
                    "edition": v.edition,
                    "published": v.date,
                    "change_class": v.change_class,
                    "change_note": v.change_note,
                    "implements": list(v.implements),
                    "status": v.status,
                    "url": root + v.path,
                    "latest_url": f"{root}/items/{v.id}",
                }
                for v in found
            ],
        }
    )
    return for_polling(answer)
