"""`nis clients add|list|revoke`, `nis webhooks deliver`, the impact `nis publish --dry-run` shows,
and the example ISP client run end to end."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from nis_library.cli import main
from nis_library.isp_links import clients
from nis_library.state.database import make_engine
from tests.state_keys import session_keys
from tests.support import REPO


def nis(state_url, tmp_path, *args):
    env = {"NIS_DATABASE_URL": state_url, "NIS_INSTANCE_DIR": str(tmp_path / "instance")}
    return CliRunner().invoke(main, list(args), env=env)


def test_clients_add_list_and_revoke(state_url, tmp_path):
    added = nis(state_url, tmp_path, "clients", "add", "Northfield Primary")
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert "shown only now" in added.output and token.startswith("nis_")
    listed = nis(state_url, tmp_path, "clients", "list", "--format", "json")
    (row,) = json.loads(listed.output)["clients"]
    assert row["name"] == "Northfield Primary" and row["revoked_at"] is None
    assert token not in listed.output and token not in nis(state_url, tmp_path, "clients", "list").output
    engine = make_engine(state_url, session_keys())
    with engine.connect() as conn:
        assert clients.authenticate(conn, token).id == row["id"]
    revoked = nis(state_url, tmp_path, "clients", "revoke", str(row["id"]))
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    with engine.connect() as conn:
        assert clients.authenticate(conn, token) is None
    engine.dispose()
    assert "revoked" in nis(state_url, tmp_path, "clients", "list").output
    missing = nis(state_url, tmp_path, "clients", "revoke", "42")
    assert missing.exit_code == 2 and "no client 42" in missing.output
    blank = nis(state_url, tmp_path, "clients", "add", "   ")
    assert blank.exit_code == 2 and "printable" in blank.output


def test_client_commands_refuse_an_unmigrated_store_naming_the_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = nis(url, tmp_path, "clients", "list")
    assert result.exit_code == 1 and "nis db upgrade" in result.output


def test_webhooks_deliver_with_nothing_queued(state_url, tmp_path):
    result = nis(state_url, tmp_path, "webhooks", "deliver")
    assert result.exit_code == 0 and result.output == "Webhooks: 0 delivered, 0 to retry, 0 failed.\n"


def test_the_example_isp_client_runs_end_to_end(tmp_path):
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "example_isp_client.py")],
        capture_output=True,
        text=True,
        timeout=900,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the link is flagged for review" in done.stdout and "its signature verified" in done.stdout
    assert "The example ISP client ran end to end." in done.stdout


def test_a_build_records_what_it_serves_for_the_links_api_and_needs_public_url_to_queue(state_url, tmp_path):
    from sqlalchemy import func, select

    from nis_library.state.schema import served_items, served_versions

    build = ["build", "--content", str(REPO / "content"), "--embedder", "hashing"]
    without_url = nis(state_url, tmp_path, *build)
    assert without_url.exit_code == 0, without_url.output
    assert "Webhooks not queued: set NIS_PUBLIC_URL" in without_url.output
    engine = make_engine(state_url, session_keys())
    with engine.connect() as conn:
        items = conn.execute(select(func.count()).select_from(served_items)).scalar_one()
        versions = conn.execute(select(func.count()).select_from(served_versions)).scalar_one()
        withdrawn = conn.execute(select(served_versions.c.item_id).where(served_versions.c.status == "withdrawn"))
        assert "ADJ-0008" in withdrawn.scalars().all()
    engine.dispose()
    assert items >= 100 and versions > items  # every item, and every version of those revised
    env = {"NIS_DATABASE_URL": state_url, "NIS_INSTANCE_DIR": str(tmp_path / "instance")}
    again = CliRunner().invoke(main, build, env=env | {"NIS_PUBLIC_URL": "https://nis.example.org"})
    assert again.exit_code == 0 and "Webhooks not queued" not in again.output
