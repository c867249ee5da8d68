#!/usr/bin/env python3
"""An example ISP system talking to the NIS Library, end to end, in a throwaway copy of the library.

It copies content/ into a temporary folder with its own instance and state store, adds an API
client (`nis clients add`), starts the service under gunicorn, and then, as a setting's ISP system
would, over HTTP with the token: registers a webhook callback (a small receiver in this script that
verifies every signature), links a plan to an item, and asks which links need review (none). Then,
as the library's editors would, it makes a substantive revision of that item, publishes it with
`nis publish`, rebuilds with `nis build` (which queues the webhook once it serves the version), and sends the webhook with
`nis webhooks deliver`. It checks that the link is now flagged by `status=review-needed` with the
change note and diff URL, and that the signed webhook arrived. Exit 0 if all of that held.

    .venv/bin/python scripts/example_isp_client.py [--keep]

Nothing outside the temporary folder is touched. `--keep` leaves the folder to look at.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks import Webhook

REPO = Path(__file__).resolve().parent.parent
ITEM = "INT-0407"  # the gradual return plan
ITEM_FILE = f"items/intervention/{ITEM}.md"
REVIEW = "standards-2031-scheduled"
PUBLISHED_ON = "2031-09-01"


def step(message: str) -> None:
    print(f"-> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Library:
    """The throwaway library: its folders, its environment, and the `nis` command run in it."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.content = root / "content"
        shutil.copytree(REPO / "content", self.content)
        self.env = os.environ | {
            "NIS_CONTENT_DIR": str(self.content),
            "NIS_INSTANCE_DIR": str(root / "instance"),
            "NIS_DATABASE_URL": f"sqlite:///{root / 'instance' / 'state.db'}",
            "NIS_EMBEDDER": "hashing",  # the fast stand-in: this example is about the API, not search quality
            "NIS_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "NIS_WEBHOOKS_ALLOW_LOCALHOST": "true",  # the receiver is on this machine, over plain http
            "NIS_WORKERS": "2",
            "PYTHONPATH": str(REPO),  # this checkout's code, whatever the venv has installed
        }

    def nis(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "nis_library.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            cwd=self.root,
        )
        if done.returncode != 0:
            raise SystemExit(f"nis {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def serve(self, log: Path) -> subprocess.Popen:
        command = [sys.executable, "-m", "gunicorn", "-c", "python:nis_library.gunicorn_conf"]
        command += ["--bind", f"127.0.0.1:{self.port}", "nis_library:create_app()"]
        with log.open("wb") as out:
            server = subprocess.Popen(command, env=self.env, cwd=self.root, stdout=out, stderr=out)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
                return server
            except urllib.error.HTTPError:
                return server  # it answers
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn stopped:\n{log.read_text()}") from None
                time.sleep(0.1)
        server.terminate()
        raise SystemExit("gunicorn did not start")

    def revise_substantively(self) -> None:
        """What an editor does: change the item's advice, say so in a change block, and open the
        review the new edition comes from."""
        path = self.content / ITEM_FILE
        text = path.read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 1)
        front = _without_change_block(front)
        front += (
            "\nchange:\n  class: substantive\n  note: >-\n"
            "    Sample revision made by scripts/example_isp_client.py: the plan now names who\n"
            "    agrees each step of the return.\n"
        )
        body += "\nSample revision: the school, the family and the pupil agree each step before it starts.\n"
        path.write_text(front + "\n---\n" + body, encoding="utf-8")
        (self.content / "reviews" / f"{REVIEW}.yaml").write_text(
            "\n".join(
                [
                    f"id: {REVIEW}",
                    "publication: standards",
                    "type: scheduled",
                    "title: Sample scheduled review made by scripts/example_isp_client.py",
                    "opened: 2031-06-01",
                    "due: 2031-09-01",  # the Standards' first scheduled review
                ]
            )
            + "\n",
            encoding="utf-8",
        )


def _without_change_block(front_matter: str) -> str:
    """The front matter less its `change:` block (the last version's), as an editor replaces it."""
    kept, skipping = [], False
    for line in front_matter.split("\n"):
        if line == "change:":
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept)


class Receiver:
    """The ISP system's webhook endpoint: verifies each message's Standard Webhooks signature."""

    def __init__(self):
        self.webhook: Webhook | None = None
        self.messages: list[dict] = []
        self.rejected = 0
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    receiver.messages.append(receiver.webhook.verify(body, dict(self.headers)))
                    self.send_response(204)
                    receiver.arrived.set()
                except Exception:
                    receiver.rejected += 1
                    self.send_response(401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/nis-webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class IspSystem:
    """The setting's ISP system: the API with its bearer token."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {message}")
    print(f"   ok: {message}", flush=True)


def run(root: Path) -> None:
    port = free_port()
    library = Library(root, port)
    step("a throwaway library: content copied, state store migrated, bundle built")
    library.nis("db", "upgrade")
    library.nis("build")
    step('nis clients add "Example Primary School"')
    token = library.nis("clients", "add", "Example Primary School").strip().splitlines()[-1]
    check(token.startswith("nis_"), "a token was printed once")
    server = library.serve(root / "gunicorn.log")
    receiver = Receiver()
    try:
        isp = IspSystem(f"http://127.0.0.1:{port}", token)
        status, body = IspSystem(isp.base, "").call("GET", "/api/v1/isp-links")
        check(status == 401 and body["code"] == "missing-token", "without a token: a JSON 401")

        step("the ISP system registers its webhook and links a plan to the item")
        status, body = isp.call("PUT", "/api/v1/webhook", {"url": receiver.url})
        check(status == 200 and body["secret"].startswith("whsec_"), "webhook registered; secret shown once")
        receiver.webhook = Webhook(body["secret"])
        plan = "plan_" + secrets.token_urlsafe(16)  # opaque: it means nothing outside the ISP system
        status, link = isp.call("POST", "/api/v1/isp-links", {"isp_ref": plan, "item_id": ITEM})
        check(
            status == 201 and link["version"] == link["latest_version"], f"{ITEM} linked at version {link['version']}"
        )
        pinned = link["version"]  # the latest in the shipped record; the revision below makes the next
        status, body = isp.call("GET", "/api/v1/isp-links?status=review-needed")
        check(status == 200 and body["isp_links"] == [], "nothing needs review yet")

        step(f"the editors revise {ITEM} substantively and publish (nis publish), then rebuild (nis build)")
        library.revise_substantively()
        dry = library.nis(
            "publish",
            "standards",
            "--review",
            REVIEW,
            "--notes",
            "Sample edition.",
            "--date",
            PUBLISHED_ON,
            "--dry-run",
        )
        check(f"{ITEM} v{pinned + 1}: 1" in dry, "the dry run says the change flags 1 ISP link (a count, no names)")
        published = library.nis(
            "publish", "standards", "--review", REVIEW, "--notes", "Sample edition.", "--date", PUBLISHED_ON
        )
        check("Queued" not in published, "publishing queues no webhook: the service does not serve it yet")
        built = library.nis("build")
        check("Queued 1 webhook" in built, "the build that serves it queued one webhook delivery")

        # The first request after the build answers from the new bundle: no waiting, no stale answer.
        status, body = isp.call("GET", "/api/v1/isp-links?status=review-needed")
        flagged = body["isp_links"]
        check(status == 200 and [x["id"] for x in flagged] == [link["id"]], "the link is flagged for review")
        (change,) = flagged[0]["review"]["changes"]
        check(
            change["version"] == pinned + 1 and "who" in change["change_note"],
            f"what changed: {change['change_note']!r}",
        )
        check(
            change["diff_url"].endswith(f"/items/{ITEM}/diff?from={pinned}&to={pinned + 1}"),
            f"the diff: {change['diff_url']}",
        )

        step("nis webhooks deliver")
        print("   " + library.nis("webhooks", "deliver").strip())
        check(receiver.arrived.wait(10), "the webhook arrived")
        check(receiver.rejected == 0, "its signature verified")
        message = receiver.messages[0]
        check(
            message["type"] == "item.revised"
            and message["data"]["item_id"] == ITEM
            and message["data"]["version"] == pinned + 1,
            f"it says {ITEM} has version {pinned + 1}, naming the link {message['data']['isp_links'][0]['id']}",
        )
        (flagged_link,) = message["data"]["isp_links"]
        check(
            flagged_link["version"] == pinned and flagged_link["diff_url"].endswith(f"from={pinned}&to={pinned + 1}"),
            "its diff starts at the version this link pins",
        )
        status, announced = isp.call("GET", message["data"]["api_url"].removeprefix(isp.base))
        check(status == 200 and announced["version"] == pinned + 1, "the version it announces is served")
        status, body = isp.call("GET", "/api/v1/webhooks/deliveries")
        statuses = [d["status"] for d in body["deliveries"]]
        check(statuses == ["delivered"], "one delivery, delivered (the rebuild queued no second one)")
        # Review status and acknowledgement read the versions the build recorded in the state store,
        # so every worker agrees with the webhook at once.
        status, body = isp.call("POST", f"/api/v1/isp-links/{link['id']}/acknowledge")
        check(
            status == 200 and body["version"] == pinned + 1 and not body["review_needed"],
            f"acknowledged: re-pinned to v{pinned + 1}",
        )
    finally:
        receiver.close()
        server.terminate()
        server.wait(timeout=30)
    print("The example ISP client ran end to end.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="nis-isp-example-"))
    try:
        run(root)
    finally:
        if options.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
