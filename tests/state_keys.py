"""The state key every test shares: made once per test run (never a committed secret), given to
the apps, `nis` commands and gunicorns the tests start through NIS_STATE_KEY, and to the engines
tests open themselves through `session_keys()`."""

from __future__ import annotations

import os
import secrets

from nis_library.state.keys import StateKeys

VARIABLE = "NIS_STATE_KEY"


def ensure_variable() -> None:
    os.environ.setdefault(VARIABLE, secrets.token_hex(32))


def session_keys() -> StateKeys:
    ensure_variable()
    return StateKeys(os.environ[VARIABLE])
