"""The four roles an account can have, and what each is for (shown on the workspace home page)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    can: str  # what someone with this role does here, in a sentence


PANEL_MEMBER, CHAIR, RESPONDER, ADMIN = "panel-member", "chair", "responder", "admin"

ROLES: dict[str, Role] = {
    r.id: r
    for r in (
        Role(PANEL_MEMBER, "Panel member", "Read the reviews and their findings, and draft recommendations."),
        Role(CHAIR, "Panel chair", "Everything a panel member does, and publish the panel's recommendations."),
        Role(
            RESPONDER,
            "Department responder",
            "Read the reviews and record the department's response to each recommendation.",
        ),
        Role(ADMIN, "Administrator", "Read the reviews and the audit trail of every change."),
    )
}
