"""The import rules of docs/architecture.md, read from the code's own imports.

Every `import` and `from ... import` counts, wherever it stands (inside a function, or under
TYPE_CHECKING), because each is a dependency a reader has to hold in mind.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import REPO

OURS = ("indexer", "nis_library")

# indexer: each part may import only the parts before it.
INDEXER_MAY_IMPORT = {
    "indexer.content": {"indexer.content"},
    "indexer.record": {"indexer.content", "indexer.record"},
    "indexer.bundle": {"indexer.content", "indexer.record", "indexer.bundle"},
}
# nis_library: what every page shares, below the features ...
SHARED = ("nis_library.settings", "nis_library.catalogue", "nis_library.loaded_bundles", "nis_library.web")
# ... the features, each a package with its views and plain functions ...
FEATURES = (
    "nis_library.browse",
    "nis_library.search",
    "nis_library.history",
    "nis_library.api",
    "nis_library.state",
    "nis_library.isp_links",
    "nis_library.governance",
    "nis_library.accounts",
    "nis_library.workspace",
)
# ... and the wiring above them all, which nothing imports.
WIRING = ("nis_library.app", "nis_library.cli", "nis_library.gunicorn_conf")
WEB_FRAMEWORK = ("flask", "flask_cors", "flask_htmx", "flask_login", "flask_wtf", "werkzeug", "wtforms")
# Settings read Flask's own setting names too (NIS_SECRET_KEY is passed to Flask, not refused).
MAY_USE_FLASK = ("nis_library.web", "nis_library.settings") + WIRING
STORAGE = ("sqlite3", "sqlite_utils", "whoosh", "indexer.bundle.store")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Every module `path` imports, relative imports resolved. `from pkg import name` counts as
    pkg.name when that is one of `modules`, else as pkg."""
    current = module_name(path)
    package = current if path.name == "__init__.py" else current.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in modules else source)
    return found


def within(module: str, prefixes) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def our_modules() -> dict[str, Path]:
    return {module_name(p): p for package in OURS for p in (REPO / package).rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    """Our modules and the modules of ours each imports; also the outside modules each imports."""
    modules = our_modules()
    graph = {}
    for name, path in modules.items():
        targets = set()
        for target in imports_of(path, set(modules)):
            targets.add(target)
        graph[name] = targets - {name}
    return graph


def is_view(module: str) -> bool:
    return module.rpartition(".")[2] == "views"


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule, as 'importer -> imported: why'."""
    found = []
    for importer, targets in graph.items():
        for target in targets:
            found.extend(f"{importer} -> {target}: {why}" for why in broken_rules(importer, target))
    return sorted(found)


def broken_rules(importer: str, target: str) -> list[str]:
    """Why `importer` may not import `target`; empty when it may."""
    why = []
    if within(importer, "indexer"):
        if within(target, "nis_library"):
            why.append("the indexer never imports the service")
        for part, allowed in INDEXER_MAY_IMPORT.items():
            if (
                within(importer, part)
                and within(target, tuple(INDEXER_MAY_IMPORT))
                and not within(target, tuple(allowed))
            ):
                why.append(f"{part} may import only {', '.join(sorted(allowed))}")
    if within(importer, SHARED) and within(target, FEATURES + WIRING):
        why.append("what every page shares imports no feature")
    if within(importer, FEATURES) and within(target, WIRING):
        why.append("features do not import the wiring")
    if is_view(target) and importer != "nis_library.app":
        why.append("only the app factory imports views, to register them")
    uses_flask = within(importer, "nis_library") and within(target, WEB_FRAMEWORK)
    if uses_flask and not (is_view(importer) or within(importer, MAY_USE_FLASK)):
        why.append("only views, the web shell and the wiring use Flask; the rest are plain functions")
    if is_view(importer) and within(target, STORAGE):
        why.append("views hold no SQL and no Whoosh calls: they call plain functions")
    return why


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_code_keeps_the_import_rules():
    assert violations(import_graph()) == []


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def test_every_package_says_its_one_job():
    for name, path in our_modules().items():
        if path.name == "__init__.py":
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert docstring and len(docstring) > 30, f"{name} needs a docstring saying what it holds"


@pytest.mark.parametrize(
    "importer, target, rule",
    [
        ("indexer.content.loader", "indexer.record.editions", "indexer.content may import only"),
        ("indexer.record.publish", "indexer.bundle.build", "indexer.record may import only"),
        ("indexer.bundle.build", "nis_library.settings", "the indexer never imports the service"),
        ("nis_library.web.errors", "nis_library.search.request", "what every page shares imports no feature"),
        ("nis_library.catalogue", "nis_library.history.published_history", "what every page shares imports no feature"),
        ("nis_library.search.bundle_search", "nis_library.app", "features do not import the wiring"),
        ("nis_library.history.views", "nis_library.browse.views", "only the app factory imports views"),
        ("nis_library.search.bundle_search", "flask", "only views, the web shell and the wiring use Flask"),
        ("nis_library.browse.views", "indexer.bundle.store", "views hold no SQL"),
        ("nis_library.search.views", "sqlite3", "views hold no SQL"),
    ],
)
def test_each_rule_catches_a_broken_import(importer, target, rule):
    graph = {importer: {target}, target: set()}
    assert [v for v in violations(graph) if rule in v], violations(graph)


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_imports_are_read_as_modules():
    found = imports_of(REPO / "nis_library" / "app.py", set(our_modules()))
    assert {"nis_library.web.context", "nis_library.search.views", "nis_library.settings", "flask"} <= found
    assert "nis_library" not in found and "nis_library.web" not in found


# -- transactions: the edge opens the unit of work; domain functions take a connection -------------

EDGE = ("nis_library.cli", "nis_library.app", "nis_library.web")
# Functions that must manage their own transactions, each for the reason docs/architecture.md gives.
OWN_TRANSACTIONS = {
    "nis_library.state.migrate:current_revision",
    "nis_library.state.migrate:upgrade",
    "nis_library.state.migrate:require_current_schema",
    "nis_library.state.backup:_snapshot",
    "nis_library.state.backup:backup",
    "nis_library.state.backup:restore",
    "nis_library.state.rekey:rekey",
    "nis_library.accounts.sign_in:attempt",
    "nis_library.isp_links.webhooks:deliver",
    "nis_library.isp_links.webhooks:_claim",
    "nis_library.governance.recommendations:unit_of_work",
}


def engine_takers() -> set[str]:
    """Every function outside the edge and the views with a parameter annotated `Engine`."""
    found = set()
    for path in sorted((REPO / "nis_library").rglob("*.py")):
        module = module_name(path)
        if any(module == edge or module.startswith(edge + ".") for edge in EDGE) or is_view(module):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                if any(
                    a.annotation is not None and ast.unparse(a.annotation).strip("'\"") == "Engine" for a in arguments
                ):
                    found.add(f"{module}:{node.name}")
    return found


def test_domain_functions_take_a_connection_and_the_edge_opens_the_transaction():
    takers = engine_takers()
    unexplained = takers - OWN_TRANSACTIONS
    assert not unexplained, f"take a Connection from the caller instead of an Engine: {sorted(unexplained)}"
    converted = OWN_TRANSACTIONS - takers
    assert not converted, f"no longer take an Engine: take them off the list here: {sorted(converted)}"
