"""The secret key: NIS_SECRET_KEY when given; else made once, on the first request, in the instance
folder with mode 0600, and the same key read by every app (worker) using that folder after."""

from __future__ import annotations

import stat

from nis_library import create_app
from nis_library.web.secret_key import SECRET_FILE, load_or_create


def test_made_once_with_mode_0600_and_shared(tmp_path):
    instance = tmp_path / "instance"
    first = load_or_create(instance)
    path = instance / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) == 64
    assert load_or_create(instance) == first
    assert not [p for p in instance.iterdir() if p.name != SECRET_FILE]  # no temporary file left


def test_the_app_makes_it_on_the_first_request_not_at_start(tmp_path, monkeypatch):
    monkeypatch.delenv("NIS_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_DIR": str(instance)})
    assert not (instance / SECRET_FILE).exists()
    assert app.test_client().get("/panel/sign-in").status_code == 200
    key = (instance / SECRET_FILE).read_text().strip()
    assert app.secret_key == key
    other = create_app({"INSTANCE_DIR": str(instance)})
    other.test_client().get("/panel/sign-in")
    assert other.secret_key == key


def test_nis_secret_key_is_used_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("NIS_SECRET_KEY", "k" * 40)
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_DIR": str(instance)})
    app.test_client().get("/panel/sign-in")
    assert app.secret_key == "k" * 40 and not (instance / SECRET_FILE).exists()
