"""Every setting, declared once (name, default, parser, one line of help), and the one loader the web
app and the `nis` command share.

Each value comes from the last of these that gives it: the defaults below, `INSTANCE_DIR/config.py`
if it exists (plain Python: `RESULTS_PER_PAGE = 30`), `NIS_<NAME>` environment variables
(`NIS_RESULTS_PER_PAGE=30`), explicit overrides (a test's config, or a command-line option such as
`--content`). The loader records where each value came from;
`nis config` prints them. Relative folders are taken from the current working directory when the
settings are loaded, so a checkout run from its root uses its own `content/` and `instance/`.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import logging
import os
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from indexer.bundle.embeddings import DEFAULT_EMBEDDER, EMBEDDERS

PREFIX = "NIS_"
CONFIG_FILE = "config.py"
# Read by the NIS+ name service (glibc), not by us: never warned about.
NAME_SERVICE_VARIABLES = frozenset({"NIS_PATH", "NIS_DEFAULTS", "NIS_GROUP"})

log = logging.getLogger(__name__)


class SettingsError(ValueError):
    """A value that cannot be used, with a message naming where it came from."""


# -- parsers: the text of an environment variable to a value of the setting's type ------------------
# Each raises ValueError with the reason; the loader adds the variable's name.


def _text(raw: str) -> str:
    return raw


def _folder(raw: str) -> Path:
    return Path(raw).expanduser()


def _switch(raw: str) -> bool:
    words = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}
    try:
        return words[raw.strip().lower()]
    except KeyError:
        raise ValueError("is not true or false (also accepted: 1/0, yes/no, on/off)") from None


def _whole_number(minimum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            number = int(raw.strip())
        except ValueError:
            raise ValueError("is not a whole number") from None
        if number < minimum:
            raise ValueError(f"is less than {minimum}")
        return number

    return parse


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"is not one of: {', '.join(choices)}")
        return raw

    return parse


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("is not a date like 2031-09-01") from None


def _json_object(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"is not JSON ({error.msg})") from None
    if not isinstance(value, dict):
        raise ValueError("is not a JSON object")
    return value


def _ports(raw: str | list | tuple) -> list[int]:
    """Comma-separated TCP port numbers (or a list from instance/config.py)."""
    items = [str(p).strip() for p in (raw.split(",") if isinstance(raw, str) else raw)]
    if not items or not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 65535 for p in items):
        raise ValueError("must be port numbers from 1 to 65535, comma-separated (443)")
    return [int(p) for p in items]


HOST_NAME = re.compile(r"\.?[a-z0-9]([a-z0-9.-]*[a-z0-9])?", re.ASCII)


def _host_names(raw: str | list | tuple) -> list[str]:
    """Comma-separated (or a list from instance/config.py); a leading dot takes every sub-domain."""
    names = [str(n).strip().lower() for n in (raw.split(",") if isinstance(raw, str) else raw)]
    names = [n for n in names if n]
    if not names:
        raise ValueError("names no host: give at least one (an empty list would trust every Host header)")
    for name in names:
        if not HOST_NAME.fullmatch(name):
            raise ValueError(f"has {name!r}, which is not a host name such as nis.example.org or 127.0.0.1")
    return names


def _public_url(raw: str) -> str:
    """The address the public reaches the service at: scheme, host, optional port and path prefix."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("is not an address such as https://nis.example.org")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("must be scheme, host and optional path only: no user, query or fragment")
    if not HOST_NAME.fullmatch(parts.hostname) or parts.hostname.startswith("."):
        raise ValueError(f"has a host {parts.hostname!r} that is not a host name such as nis.example.org")
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when asked)
    except ValueError:
        raise ValueError("has a port that is not a number from 0 to 65535") from None
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _key(raw: str) -> str:
    key = raw.strip()
    if len(key) < 32 or "," in key:
        raise ValueError(
            "must be a secret of at least 32 characters, with no comma (python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return key


def _keys(raw: str | list | tuple) -> list[str]:
    """Comma-separated keys (or a list from instance/config.py); none is allowed."""
    items = [str(k).strip() for k in (raw.split(",") if isinstance(raw, str) else raw)]
    return [_key(k) for k in items if k]


def _database_url(raw: str) -> str:
    if not raw.strip().startswith(("sqlite://", "postgresql://", "postgresql+psycopg://", "postgres://")):
        raise ValueError(
            "is not a database URL such as postgresql://user:password@host/nis or sqlite:////path/state.db"
        )
    return raw.strip()


def masked_url(url: str | None) -> str | None:
    """A URL with its password replaced, fit to print or log."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def public_host(public_url: str | None) -> str | None:
    return urlsplit(public_url).hostname if public_url else None


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]  # the text of an environment variable, to a value
    kind: type | tuple[type, ...]  # what a value from instance/config.py or an override must be
    help: str

    @property
    def variable(self) -> str:
        return PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("SERVICE_NAME", "NIS Library", _text, str, "the service's name, in the header and page titles"),
    Setting(
        "CONTENT_DIR",
        Path("content"),
        _folder,
        (str, Path),
        "the content folder that nis validate, stats, build and publish read",
    ),
    Setting(
        "INSTANCE_DIR",
        Path("instance"),
        _folder,
        (str, Path),
        "the bundles (instance/library), the preview's (instance/preview) and config.py",
    ),
    Setting(
        "EMBEDDER",
        DEFAULT_EMBEDDER,
        _one_of(*EMBEDDERS),
        str,
        "the model nis build embeds with: minilm-onnx-int8 (the real one quantised to int8, run by ONNX Runtime), "
        "minilm-onnx (the same in float32: slower), minilm (float32 on torch) "
        "or hashing (a fast stand-in for tests)",
    ),
    Setting(
        "PREVIEW", False, _switch, bool, "serve the working copies, drafts marked, at /preview (off for the public)"
    ),
    Setting("RESULTS_PER_PAGE", 20, _whole_number(1), int, "search results per page"),
    Setting("ITEMS_PER_LAYER", 30, _whole_number(1), int, "items per layer on an area page, before a link to see all"),
    Setting("STATIC_MAX_AGE", 31536000, _whole_number(0), int, "seconds browsers may cache fingerprinted static files"),
    Setting(
        "API_MAX_AGE",
        300,
        _whole_number(0),
        int,
        "seconds ISP systems, feed readers and caches may reuse an API answer or a feed before asking again",
    ),
    # Counted in the state store, so the limit holds across gunicorn workers (nis_library.state.rate_limits).
    Setting(
        "API_ADDRESS_LIMIT",
        600,
        _whole_number(0),
        int,
        "requests per minute one client address may make to the API's public read endpoints without a token "
        "(then 429); 0: no limit",
    ),
    Setting(
        "SEARCH_ADDRESS_LIMIT",
        600,
        _whole_number(0),
        int,
        "searches per minute one client address may make on the search page (then 429); 0: no limit",
    ),
    Setting(
        "PUBLIC_URL",
        None,
        _public_url,
        (str, type(None)),
        "the public address (https://nis.example.org) in every absolute URL; unset: the request's own host",
    ),
    # Flask's own setting of the same name: other Host headers get a 400 (PUBLIC_URL's host is added).
    Setting(
        "TRUSTED_HOSTS",
        ["localhost", "127.0.0.1"],
        _host_names,
        (list, tuple),
        "the host names the service answers to, comma-separated (.example.org: any sub-domain); PUBLIC_URL's is added",
    ),
    # htmx 2 settings for the strict Content-Security-Policy: no eval, no injected styles; Back
    # reloads the page from the server, so the URL alone decides what a page shows.
    Setting(
        "HTMX_CONFIG",
        {
            "allowEval": False,
            "allowScriptTags": False,
            "includeIndicatorStyles": False,
            "historyCacheSize": 0,
            "refreshOnHistoryMiss": True,
            "selfRequestsOnly": True,
            "defaultSettleDelay": 0,
        },
        _json_object,
        dict,
        "htmx's settings (a JSON object), strict for the Content-Security-Policy",
    ),
    Setting(
        "TODAY",
        None,
        _date,
        (dt.date, type(None)),
        "a fixed date (YYYY-MM-DD) to work out review schedules for, in tests; unset: the real date",
    ),
    # Serving (nis_library/gunicorn_conf.py): processes, and the compute threads each may use.
    Setting(
        "WORKERS",
        None,
        _whole_number(1),
        (int, type(None)),
        "gunicorn worker processes; unset: one per CPU core this process may run on",
    ),
    Setting(
        "COMPUTE_THREADS",
        1,
        _whole_number(1),
        int,
        "threads each process's embedding model (torch, OpenMP) and BLAS (numpy, scipy) may use",
    ),
    # The consultation sets no period for the department's response to a recommendation: 90 days is
    # our default, not a rule of the consultation's.
    Setting(
        "RESPONSE_DUE_DAYS",
        90,
        _whole_number(1),
        int,
        "days after a recommendation is published before the department's response is flagged overdue",
    ),
    # The state store (nis_library.state). Holds a password in production: never printed unmasked.
    Setting(
        "DATABASE_URL",
        None,
        _database_url,
        (str, type(None)),
        "the state store's database, postgresql://user:password@host/name; unset: SQLite at INSTANCE_DIR/state.db",
    ),
    # The state key (nis_library.state.keys), kept outside the database. Never printed.
    Setting(
        "STATE_KEY",
        None,
        _key,
        (str, type(None)),
        "the secret that seals the audit log and backups and encrypts webhook secrets (32+ characters; "
        "every server the same); unset: made on first use in INSTANCE_DIR/state_key",
    ),
    Setting(
        "STATE_RETIRED_KEYS",
        [],
        _keys,
        (list, tuple),
        "earlier state keys, comma-separated: what they sealed still checks until nis db rekey",
    ),
    # The ISP links API (nis_library.isp_links): per-token rate limit, body size, bulk size, webhooks.
    Setting(
        "API_RATE_LIMIT",
        600,
        _whole_number(1),
        int,
        "requests each API token may make per API_RATE_WINDOW seconds, to the read and the ISP links endpoints "
        "alike (counted in the state store)",
    ),
    Setting("API_RATE_WINDOW", 60, _whole_number(1), int, "seconds of the API's per-token rate limit window"),
    Setting(
        "API_MAX_BODY_BYTES",
        1048576,
        _whole_number(1024),
        int,
        "the largest JSON body the ISP links API accepts, in bytes (larger: 413)",
    ),
    Setting("ISP_LINKS_BULK_MAX", 500, _whole_number(1), int, "the most links one bulk create may hold"),
    Setting(
        "ISP_LINKS_PER_CLIENT_MAX",
        100_000,
        _whole_number(1),
        int,
        "the most links one API client may hold; a create past it is refused (409 link-cap-reached)",
    ),
    Setting(
        "WEBHOOK_TIMEOUT", 10, _whole_number(1), int, "seconds nis webhooks deliver waits for a callback to answer"
    ),
    Setting(
        "WEBHOOK_MAX_ATTEMPTS",
        8,
        _whole_number(1),
        int,
        "attempts at a webhook delivery (with exponential backoff between them) before it is marked failed",
    ),
    Setting(
        "WEBHOOK_PORTS",
        [443],
        _ports,
        (list, tuple),
        "the ports an https webhook callback may use, comma-separated",
    ),
    Setting(
        "WEBHOOKS_ALLOW_LOCALHOST",
        False,
        _switch,
        bool,
        "accept http://localhost and http://127.0.0.1 webhook callbacks (development and tests only)",
    ),
    # Sign-in (nis_library.accounts): sessions end after this long unused, or this long after sign-in.
    Setting(
        "SESSION_IDLE_MINUTES", 30, _whole_number(1), int, "minutes a signed-in session may go unused before it ends"
    ),
    Setting(
        "SESSION_LIFETIME_HOURS", 12, _whole_number(1), int, "hours after signing in that a session ends, used or not"
    ),
    # Failed sign-ins, counted in the state store (so across every worker) in a sliding window.
    Setting(
        "SIGN_IN_ATTEMPTS_PER_ACCOUNT",
        5,
        _whole_number(1),
        int,
        "failed sign-ins to one account from one address (or one browser it signed in from before) allowed in "
        "SIGN_IN_WINDOW_MINUTES before that address (or browser) is refused it for a while",
    ),
    Setting(
        "SIGN_IN_ATTEMPTS_PER_ADDRESS",
        20,
        _whole_number(1),
        int,
        "failed sign-ins from one address allowed in SIGN_IN_WINDOW_MINUTES before it is refused for a while",
    ),
    Setting(
        "SIGN_IN_ATTEMPTS_FROM_NEW_BROWSERS",
        50,
        _whole_number(1),
        int,
        "failed sign-ins to one account from all addresses together allowed in SIGN_IN_WINDOW_MINUTES before "
        "browsers it has not signed in from are refused it for a while (its known browsers are not)",
    ),
    Setting("SIGN_IN_WINDOW_MINUTES", 15, _whole_number(1), int, "the window, in minutes, the sign-in limits count in"),
    # Behind nginx every request comes from the proxy's address: the per-address sign-in limit would
    # count everyone together. With N proxies, the client's address is read from X-Forwarded-For.
    Setting(
        "PROXY_HOPS",
        0,
        _whole_number(0),
        int,
        "reverse proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto are trusted (0: none)",
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}
FOLDERS = ("CONTENT_DIR", "INSTANCE_DIR")
SECRET_URLS = ("DATABASE_URL",)  # shown with the password masked
SECRETS = ("STATE_KEY", "STATE_RETIRED_KEYS")  # shown only as whether they are set


@dataclass(frozen=True)
class Source:
    """Where a value came from: `default`, `file` (where: its path), `environment` (where: the
    variable) or `override` (where: what gave it, e.g. a test's config or a command-line option)."""

    kind: str
    where: str = ""

    def __str__(self) -> str:
        return {
            "default": "default",
            "file": f"file {self.where}",
            "environment": f"environment {self.where}",
            "override": self.where,
        }[self.kind]

    def as_dict(self) -> dict:
        return {"kind": self.kind, "where": self.where}


DEFAULT = Source("default")


@dataclass
class Settings:
    """The loaded values of every declared setting, and where each came from. `extra` holds other
    upper-case names given by instance/config.py, a `NIS_` variable naming one of Flask's own settings
    (`NIS_SECRET_KEY`), or an override (`TESTING`): they go to Flask's config as they are."""

    values: dict[str, Any]
    sources: dict[str, Source]
    extra: dict[str, Any] = field(default_factory=dict)
    extra_sources: dict[str, Source] = field(default_factory=dict)
    unknown_variables: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def content_dir(self) -> Path:
        return self.values["CONTENT_DIR"]

    @property
    def instance_dir(self) -> Path:
        return self.values["INSTANCE_DIR"]

    def flask_config(self) -> dict[str, Any]:
        """For `app.config`: folders as strings, as views and templates expect them."""
        values = {name: str(v) if name in FOLDERS else v for name, v in self.values.items()}
        host = public_host(values["PUBLIC_URL"])
        values["TRUSTED_HOSTS"] = list(values["TRUSTED_HOSTS"]) + ([host] if host else [])
        return self.extra | values

    def as_rows(self) -> list[dict]:
        """One row per declared setting, as JSON can hold it (for `nis config`)."""
        return [
            {
                "setting": s.name,
                "variable": s.variable,
                "value": _shown(s.name, self.values[s.name]),
                "default": _plain(s.default),
                "source": self.sources[s.name].as_dict(),
                "help": s.help,
            }
            for s in SETTINGS
        ]


def _shown(name: str, value: Any) -> Any:
    """A value as `nis config` may print it: secrets hidden, URLs' passwords masked."""
    if name in SECRETS:
        return ("***" if isinstance(value, str) else ["***"] * len(value)) if value else value
    return masked_url(value) if name in SECRET_URLS else _plain(value)


def _plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _absolute(path: Path) -> Path:
    """Relative to the current working directory, now: later changes of directory do not move it."""
    return Path(path).expanduser().absolute()


def _check(setting: Setting, value: Any, source: Source) -> Any:
    """A value from instance/config.py or an override: text is parsed as from the environment, and
    so is a list (item by item); anything else must be of the setting's type, within the same bounds
    (True is no number)."""
    kinds = setting.kind if isinstance(setting.kind, tuple) else (setting.kind,)
    try:
        if isinstance(value, str):
            value = setting.parse(value)
        elif isinstance(value, (list, tuple)) and list in kinds:
            value = setting.parse(value)
        elif not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            wanted = " or ".join("None" if k is type(None) else k.__name__ for k in kinds)
            raise ValueError(f"is a {type(value).__name__}, not {wanted}")
        elif kinds == (int,):
            value = setting.parse(str(value))
    except ValueError as reason:
        raise SettingsError(
            f"{setting.name} = {value!r} (from {source}) {reason}. {setting.name}: {setting.help}."
        ) from None
    return value


def _read_config_file(path: Path) -> dict[str, Any]:
    """The upper-case names a Python settings file defines (as Flask's `from_pyfile` reads them)."""
    module = types.ModuleType("config")
    module.__file__ = str(path)
    try:
        exec(compile(path.read_bytes(), str(path), "exec"), module.__dict__)
    except Exception as error:
        raise SettingsError(f"{path} cannot be read: {error.__class__.__name__}: {error}") from error
    return {k: v for k, v in vars(module).items() if k.isupper()}


def _flask_value(raw: str) -> Any:
    """A variable for one of Flask's own settings, read as Flask's `from_prefixed_env` reads it."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, list(BY_NAME), n=1)
    return f" (did you mean {PREFIX}{close[0]}?)" if close else ""


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    overridden_by: str | Mapping[str, str] = "override",
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Defaults, then INSTANCE_DIR/config.py, then `NIS_*` variables, then `overrides` (a value of
    None in `overrides` means "not given", as a command-line option left out). `overridden_by` says
    what gave the overrides, for all of them or name by name. Raises SettingsError naming the
    variable, file or override when a value cannot be used."""
    environ = os.environ if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    values = {s.name: copy.deepcopy(s.default) for s in SETTINGS}  # no app shares HTMX_CONFIG's dict
    sources = {s.name: DEFAULT for s in SETTINGS}
    extra: dict[str, Any] = {}
    extra_sources: dict[str, Source] = {}
    flask_names = set(Flask.default_config)

    # The environment, read first: it may say where the instance folder (and its config.py) is.
    from_environment: dict[str, Any] = {}
    unknown: list[str] = []
    for variable, raw in sorted(environ.items()):
        if not variable.startswith(PREFIX) or raw == "" or variable in NAME_SERVICE_VARIABLES:
            continue
        name = variable[len(PREFIX) :]
        setting = BY_NAME.get(name)
        if setting is not None:
            try:
                from_environment[name] = setting.parse(raw)
            except ValueError as reason:
                raise SettingsError(f"{variable}={raw!r} {reason}. {name}: {setting.help}.") from None
        elif name in flask_names:
            extra[name], extra_sources[name] = _flask_value(raw), Source("environment", variable)
        else:
            unknown.append(variable)
    for variable in unknown:
        log.warning(
            "%s is not a setting of the NIS Library and is ignored%s; 'nis config' lists the settings.",
            variable,
            _did_you_mean(variable[len(PREFIX) :]),
        )

    # INSTANCE_DIR/config.py, from the instance folder the environment or an override names.
    instance = overrides.get("INSTANCE_DIR", from_environment.get("INSTANCE_DIR", values["INSTANCE_DIR"]))
    config_file = _absolute(Path(instance)) / CONFIG_FILE
    if config_file.is_file():
        file_source = Source("file", str(config_file))
        for name, value in _read_config_file(config_file).items():
            if name in BY_NAME:
                values[name], sources[name] = _check(BY_NAME[name], value, file_source), file_source
            else:
                if name not in flask_names:
                    log.warning(
                        "%s in %s is not a setting of the NIS Library; passed to Flask as it is%s.",
                        name,
                        config_file,
                        _did_you_mean(name).replace(PREFIX, ""),
                    )
                extra[name], extra_sources[name] = value, file_source

    for name, value in from_environment.items():
        values[name], sources[name] = value, Source("environment", PREFIX + name)
    for name, value in overrides.items():
        override_source = Source("override", overridden_by if isinstance(overridden_by, str) else overridden_by[name])
        if name in BY_NAME:
            values[name], sources[name] = _check(BY_NAME[name], value, override_source), override_source
        else:
            extra[name], extra_sources[name] = value, override_source

    for name in FOLDERS:
        values[name] = _absolute(Path(values[name]))
    return Settings(values, sources, extra, extra_sources, tuple(unknown))


def templates_dir() -> Path:
    """Inside the package, so an installed wheel serves them (`templates/` in a checkout links here)."""
    return Path(__file__).resolve().parent / "templates"


def preview_dir(instance: Path) -> Path:
    """The preview's own instance folder: its bundle is built from the working copies."""
    return Path(instance) / "preview"
