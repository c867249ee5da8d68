"""`nis db upgrade`, `nis db current` and `nis audit verify` on both backends, through
NIS_DATABASE_URL (and, for SQLite's default, NIS_INSTANCE_DIR alone)."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import update

from nis_library.cli import main
from nis_library.state import audit
from nis_library.state.database import make_engine
from nis_library.state.migrate import head_revision
from nis_library.state.schema import audit_log
from tests.state.tampering import bypass_append_only
from tests.state_keys import session_keys


def nis(state_url, tmp_path, *args):
    env = {"NIS_DATABASE_URL": state_url, "NIS_INSTANCE_DIR": str(tmp_path / "instance")}
    return CliRunner().invoke(main, list(args), env=env)


def test_upgrade_current_and_verify(state_url, tmp_path):
    assert nis(state_url, tmp_path, "db", "current").output == "none\n"
    upgraded = nis(state_url, tmp_path, "db", "upgrade")
    assert upgraded.exit_code == 0 and f"revision {head_revision()} (head)" in upgraded.output
    assert nis(state_url, tmp_path, "db", "upgrade").exit_code == 0
    assert nis(state_url, tmp_path, "db", "current").output == f"{head_revision()}\n"
    ok = nis(state_url, tmp_path, "audit", "verify")
    assert ok.exit_code == 0 and ok.output == "audit log intact\n"


def test_verify_exits_1_naming_the_first_bad_row(state_url, tmp_path):
    nis(state_url, tmp_path, "db", "upgrade")
    engine = make_engine(state_url, session_keys())
    with engine.begin() as conn:
        for n in range(3):
            audit.append(conn, "editor", "item.update", f"ITEM-{n}", None, {"n": n})
    with engine.begin() as conn:
        bypass_append_only(conn)  # as the tables' owner could
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(subject="ITEM-99"))
    engine.dispose()
    result = nis(state_url, tmp_path, "audit", "verify")
    assert result.exit_code == 1
    assert "audit_log row 2: its contents do not match its hash" in result.output


def test_verify_refuses_an_unmigrated_database(state_url, tmp_path):
    result = nis(state_url, tmp_path, "audit", "verify")
    assert result.exit_code == 1 and "run `nis db upgrade`" in result.output


def test_sqlite_in_the_instance_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("NIS_DATABASE_URL")
    env = {"NIS_INSTANCE_DIR": str(tmp_path / "instance")}
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    assert (tmp_path / "instance" / "state.db").is_file()


def test_nis_config_masks_the_password(tmp_path):
    env = {"NIS_DATABASE_URL": "postgresql://nis:s3cret@db.example.org/nis", "NIS_INSTANCE_DIR": str(tmp_path)}
    for args in (["config"], ["config", "--format", "json"]):
        output = CliRunner().invoke(main, args, env=env).output
        assert "s3cret" not in output and "postgresql://nis:***@db.example.org/nis" in output
