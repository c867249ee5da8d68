"""Announcing a bundle `nis build` has just made current: the versions it serves are recorded in the
state store (the ISP links API reads review status from there) and, in the same transaction, a
webhook delivery is queued for every client whose links they flag (never twice for one event). So no
notice, and no review-needed answer, ever precedes the version it is about. `nis webhooks deliver`
sends them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from nis_library.catalogue import Catalogue
from nis_library.isp_links import served, webhooks


@dataclass(frozen=True)
class Announced:
    items: int  # items whose served versions were recorded
    queued: int  # webhook deliveries queued
    webhooks_queued: bool  # False without a public URL: notices need links that work, so none were queued


def announce(conn: Connection, catalogue: Catalogue, public_url: str | None) -> Announced:
    """Record the versions `catalogue` serves and queue the webhooks they call for, with links under
    `public_url` (none queued without one: the next announcement queues them)."""
    histories = served.record_bundle(conn, catalogue)
    queued = webhooks.queue(conn, histories, public_url.rstrip("/")) if public_url else 0
    return Announced(items=len(histories), queued=queued, webhooks_queued=bool(public_url))
