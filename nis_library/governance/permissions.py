"""Who may do what to a recommendation: the roles and the object-level rule each action checks
itself, whatever route or command called it."""

from __future__ import annotations

from dataclasses import dataclass

PANEL_MEMBER, CHAIR, RESPONDER, ADMIN = "panel-member", "chair", "responder", "admin"
ROLES = (PANEL_MEMBER, CHAIR, RESPONDER, ADMIN)

# Administrators run the service; they take no part in recommendations.
MAY = {
    "draft": (PANEL_MEMBER, CHAIR),
    "edit": (PANEL_MEMBER, CHAIR),
    "publish": (CHAIR,),
    "withdraw": (CHAIR,),
    "respond": (RESPONDER,),
}

ACTION_WORDS = {
    "draft": "draft a recommendation",
    "edit": "edit a draft recommendation",
    "publish": "publish a recommendation",
    "withdraw": "withdraw a recommendation",
    "respond": "respond to a recommendation for the department",
}


@dataclass(frozen=True)
class Actor:
    username: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}: one of {', '.join(ROLES)}")


class GovernanceError(ValueError):
    """A refused request, with a message fit to show the person who made it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(GovernanceError):
    """The actor's role may not do this."""


def permitted(actor: Actor, action: str) -> bool:
    return actor.role in MAY[action]


def require(actor: Actor, action: str) -> None:
    if not permitted(actor, action):
        allowed = " or ".join(MAY[action])
        raise NotPermitted(
            f"{actor.username} ({actor.role}) may not {ACTION_WORDS[action]}: only the {allowed} role may."
        )
