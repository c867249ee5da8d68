"""The four roles an account can have: what each is for (shown on the workspace home page) and the
actions each may take. This is the one table of who may do what: the domain's checks
(`governance.permissions`), the web guard (`accounts.permissions`), the CLI's role choices and the
role-matrix test all read it."""

from __future__ import annotations

from dataclasses import dataclass

PANEL_MEMBER, CHAIR, RESPONDER, ADMIN = "panel-member", "chair", "responder", "admin"

# Every action a role may be given, in words that finish "may not ...".
ACTIONS: dict[str, str] = {
    "draft": "draft a recommendation",
    "edit": "edit a draft recommendation",
    "publish": "publish a recommendation",
    "withdraw": "withdraw a recommendation",
    "respond": "respond to a recommendation for the department",
    "read-audit": "read the audit trail",
}


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    can: str  # what someone with this role does here, in a sentence
    may: frozenset[str]  # the ACTIONS it may take (every role may read the workspace)

    def __post_init__(self) -> None:
        unknown = self.may - set(ACTIONS)
        if unknown:
            raise ValueError(f"{self.id}: unknown actions {sorted(unknown)}")


ROLES: dict[str, Role] = {
    r.id: r
    for r in (
        Role(
            PANEL_MEMBER,
            "Panel member",
            "Read the reviews and their findings, and draft recommendations.",
            frozenset({"draft", "edit"}),
        ),
        Role(
            CHAIR,
            "Panel chair",
            "Everything a panel member does, and publish the panel's recommendations.",
            frozenset({"draft", "edit", "publish", "withdraw"}),
        ),
        Role(
            RESPONDER,
            "Department responder",
            "Read the reviews and record the department's response to each recommendation.",
            frozenset({"respond"}),
        ),
        # Administrators run the service; they take no part in recommendations.
        Role(
            ADMIN, "Administrator", "Read the reviews and the audit trail of every change.", frozenset({"read-audit"})
        ),
    )
}


def roles_that_may(action: str) -> tuple[str, ...]:
    """The roles given `action`, in the table's order."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return tuple(role.id for role in ROLES.values() if action in role.may)
