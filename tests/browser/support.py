"""Helpers the browser tests share: watching pages for errors, opening a page with the status
expected, and the axe accessibility check.

The app's Content-Security-Policy is `script-src 'self'` with no 'unsafe-eval', so:
- `page.add_script_tag()` is refused (it injects an inline script), and `page.wait_for_function()`
  must be given a function (`"() => ..."`), never a bare expression (Playwright evals those);
- `page.evaluate()` runs through the DevTools protocol, which the page's CSP does not govern, so axe
  is injected by evaluating its source. The page keeps its real CSP: nothing here uses
  `bypass_csp`, so the accessibility checks see exactly what a visitor's browser runs."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, Response

CONTENT = Path(__file__).resolve().parents[2] / "content"  # the shipped content the bundle is built from
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})\b")


class PageProblems:
    """Console errors (chromium reports CSP violations there too) and uncaught exceptions seen on
    one browser context's pages."""

    def __init__(self):
        self.messages: list[str] = []
        self.expected_failures: set[tuple[str, int]] = set()  # (path?query, status) a test expects
        self.allowed_prefixes: tuple[str, ...] = ()  # console errors a test expects
        self.allowed: list[str] = []  # ... and those seen

    def watch(self, context: BrowserContext) -> None:
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)

    def _watch_page(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught exception: {error}"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        failed = FAILED_LOAD.match(message.text)
        if failed and (_path_of(url), int(failed.group(1))) in self.expected_failures:
            return
        if message.text.startswith(self.allowed_prefixes):
            self.allowed.append(message.text)
            return
        self.messages.append(f"console error: {message.text} (at {url})")

    def check(self) -> None:
        assert self.messages == [], "the browser reported errors:\n" + "\n".join(self.messages)


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


_problems: dict[BrowserContext, PageProblems] = {}


def watch(context: BrowserContext) -> PageProblems:
    problems = _problems[context] = PageProblems()
    problems.watch(context)
    return problems


def forget(context: BrowserContext) -> PageProblems:
    return _problems.pop(context)


def allow_console_errors(page: Page, *prefixes: str) -> list[str]:
    """Lets console errors that start with one of `prefixes` pass on this page's context (say
    htmx's own log of a request it aborted on purpose); returns the list they are collected in."""
    problems = _problems[page.context]
    problems.allowed_prefixes += prefixes
    return problems.allowed


def goto(page: Page, path: str, status: int = 200) -> Response:
    """Open `path` (relative to the live server) and check the status. When an error status is
    expected, the console message chromium logs for it ("Failed to load resource: ... 404") is not
    counted as a problem."""
    if status != 200:
        _problems[page.context].expected_failures.add((path, status))
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path}: status {response.status}, expected {status}"
    return response


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """Runs axe-core on the page as it is now (after any htmx swaps) and returns its violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def axe_rule_violations(page: Page, rule: str) -> list[str]:
    """The elements axe-core's one `rule` finds at fault on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """async (rule) => {
            const results = await axe.run(document, {runOnly: {type: 'rule', values: [rule]}});
            return results.violations.flatMap(v => v.nodes.map(n => n.target.join(' ')));
        }""",
        rule,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {(node['summary'] or '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe found accessibility problems on {page.url}:\n{format_violations(violations)}"
