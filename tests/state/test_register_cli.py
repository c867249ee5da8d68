"""`nis sample register` (idempotent, every state, on both backends) and `nis validate`'s check of
`implements` against the register (and its note when no store can be checked)."""

from __future__ import annotations

import json
import re
import shutil

from click.testing import CliRunner

from nis_library.cli import main
from nis_library.governance import recommendations as recs
from nis_library.state.database import make_engine
from nis_library.state.schema import audit_log
from tests.state_keys import session_keys
from tests.support import REPO


def nis(env: dict, *args):
    return CliRunner().invoke(main, list(args), env=env)


def store_env(state_url, tmp_path) -> dict:
    return {"NIS_DATABASE_URL": state_url, "NIS_INSTANCE_DIR": str(tmp_path / "instance")}


def test_the_sample_register_loads_every_state_once(state_url, tmp_path):
    env = store_env(state_url, tmp_path)
    assert nis(env, "db", "upgrade").exit_code == 0
    first = nis(env, "sample", "register", "--content", str(REPO / "content"))
    assert first.exit_code == 0, first.output
    assert "R-2026-S-04 accepted" in first.output and "R-2026-S-05 not-accepted" in first.output
    again = nis(env, "sample", "register", "--content", str(REPO / "content"))
    assert again.exit_code == 0 and "0 step(s) taken now" in again.output
    engine = make_engine(state_url, session_keys())
    try:
        with engine.connect() as conn:
            every = {r.id: r for r in recs.every(conn)}
            audit_rows = conn.execute(audit_log.select()).all()
    finally:
        engine.dispose()
    states = {(r.status, r.response) for r in every.values()}
    assert {
        ("draft", None),
        ("published", None),
        ("published", "accepted"),
        ("published", "partly-accepted"),
        ("published", "not-accepted"),
        ("withdrawn", None),
    } <= states
    s04 = every["R-2026-S-04"]
    assert s04.review == "standards-2026-ooc-1" and s04.response == "accepted"
    assert "Publish the criteria each evidence strength needs" in s04.text
    assert every["R-2026-S-05"].explanation and every["R-2026-S-03"].withdrawal_reason
    assert all(r.text.startswith("Sample") and r.rationale.startswith("Sample") for r in every.values())
    assert all((r.explanation or "Sample").startswith("Sample") for r in every.values())
    assert all(r.created_at.year == 2026 for r in every.values())
    assert len(audit_rows) == 20  # one per step, none from the second run
    assert nis(env, "audit", "verify").exit_code == 0


def test_the_sample_register_needs_a_migrated_store(state_url, tmp_path):
    result = nis(store_env(state_url, tmp_path), "sample", "register", "--content", str(REPO / "content"))
    assert result.exit_code == 1 and "nis db upgrade" in result.output


def test_validate_warns_of_implements_the_register_does_not_know(state_url, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    item = content / "items" / "intervention" / "INT-0502.md"
    text = item.read_text(encoding="utf-8")
    # The working copy's change block names one the register knows and one it does not.
    changed = re.sub(r"\n  implements: \[[^\]]*\]\n", "\n", text, count=1)
    changed = re.sub(r"(\nchange:\n  class: \w+\n)", r"\1  implements: [R-2026-S-04, R-2031-S-09]\n", changed, count=1)
    assert changed != text
    item.write_text(changed, encoding="utf-8")
    env = store_env(state_url, tmp_path)
    nis(env, "db", "upgrade")
    nis(env, "sample", "register", "--content", str(content))
    result = nis(env, "validate", "--content", str(content), "--format", "json")
    report = json.loads(result.output)
    unknown = [p for p in report["problems"] if p["code"] == "unknown-recommendation"]
    assert [p["message"] for p in unknown] == [
        "INT-0502's change implements R-2031-S-09, which the recommendations register does not know (R-2031-S-09)"
    ]
    assert unknown[0]["severity"] == "warning" and result.exit_code == 0
    assert report["register"] == "implements checked against the register (1 unknown)"


def test_validate_says_when_the_register_is_not_checked(tmp_path):
    env = {"NIS_DATABASE_URL": "", "NIS_INSTANCE_DIR": str(tmp_path / "instance")}
    result = CliRunner().invoke(main, ["validate", "--content", str(REPO / "content")], env=env)
    assert result.exit_code == 0
    assert "implements not checked against the register: no state store" in result.stderr
    assert not (tmp_path / "instance" / "state.db").exists()  # validating creates no store
