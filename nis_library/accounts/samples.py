"""The sample accounts the README's run command makes on a fresh machine, one of each role, so the
workspace can be tried at once. Their passwords are generated, printed once and never stored in
plain text; an account that already exists is left alone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from nis_library.accounts import passwords, store
from nis_library.accounts.roles import ADMIN, CHAIR, PANEL_MEMBER, RESPONDER

SAMPLE_ACCOUNTS = (
    ("sample-panel", "Sample panel member", PANEL_MEMBER),
    ("sample-chair", "Sample panel chair", CHAIR),
    ("sample-responder", "Sample department responder", RESPONDER),
    ("sample-admin", "Sample administrator", ADMIN),
)


@dataclass(frozen=True)
class SampleAccount:
    account: store.Account
    password: str | None  # set only when the account was made just now


def ensure_sample_accounts(conn: Connection, actor: str) -> list[SampleAccount]:
    """In the caller's transaction: the accounts are made together or not at all."""
    made = []
    for username, name, role in SAMPLE_ACCOUNTS:
        found = store.find(conn, username)
        if found is not None:
            made.append(SampleAccount(found[0], None))
            continue
        password = passwords.generate_password()
        made.append(SampleAccount(store.add(conn, actor, username, name, role, password), password))
    return made
