"""Who may do what to a recommendation: each action checks the actor's role itself, whatever route
or command called it, against the one table of roles (`accounts.roles`)."""

from __future__ import annotations

from dataclasses import dataclass

from nis_library.accounts.roles import ACTIONS, ROLES, roles_that_may


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
    """The actor's role may not do this. A refusal that is to be audited carries who tried what
    (`actor`, `action`, `subject`): the refused change rolls back, so whoever opened its transaction
    audits the refusal in one of its own (`recommendations.unit_of_work`)."""

    def __init__(
        self, message: str, *, actor: Actor | None = None, action: str | None = None, subject: str | None = None
    ):
        super().__init__(message)
        self.actor = actor
        self.action = action
        self.subject = subject


def permitted(actor: Actor, action: str) -> bool:
    return action in ROLES[actor.role].may


def require(actor: Actor, action: str) -> None:
    if not permitted(actor, action):
        allowed = " or ".join(roles_that_may(action))
        raise NotPermitted(f"{actor.username} ({actor.role}) may not {ACTIONS[action]}: only the {allowed} role may.")
