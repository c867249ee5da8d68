"""The `nis` command: exit codes, text and JSON output, coverage."""

from __future__ import annotations

import json

from click.testing import CliRunner

from nis_library.cli import main
from tests.support import ContentTree


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_validate_exits_0_on_clean_content(tree: ContentTree):
    result = run("validate", "--content", str(tree.root))
    assert result.exit_code == 0, result.output
    assert "5 items checked: 0 error(s), 0 warning(s)" in result.stderr
    assert result.stdout == ""


def test_validate_exits_1_and_prints_path_line_message(tree: ContentTree):
    tree.replace("items/practice/PRA-0001.md", "cost: very-low", "cost: cheap")
    line = tree.line_of("items/practice/PRA-0001.md", "cost: cheap")
    result = run("validate", "--content", str(tree.root))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"content/items/practice/PRA-0001.md:{line}: error: unknown value 'cheap' in 'cost'; "
        "valid values: very-low, low, moderate, high"
    ]


def test_validate_json_for_machines(tree: ContentTree):
    tree.replace("items/practice/PRA-0001.md", "phases: [primary]", "phases: [primery]")
    result = run("validate", "--content", str(tree.root), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["errors"] == 1 and report["items"] == 5
    [problem] = report["problems"]
    assert problem["code"] == "unknown-value"
    assert problem["severity"] == "error"
    assert problem["line"] == tree.line_of("items/practice/PRA-0001.md", "phases:")
    assert "(did you mean 'primary'?)" in problem["message"]


def test_usage_errors_exit_2(tree: ContentTree):
    assert run("validate", "--format", "xml").exit_code == 2
    assert run("validate", "--no-such-option").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_missing_content_folder_is_a_clear_error(tmp_path):
    result = run("validate", "--content", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "content folder not found" in result.stdout


def test_content_folder_from_the_environment(tree: ContentTree, monkeypatch):
    monkeypatch.setenv("NIS_CONTENT_DIR", str(tree.root))
    result = run("validate")
    assert result.exit_code == 0
    assert "5 items checked" in result.stderr


def test_stats_counts_area_by_layer_and_kind(tree: ContentTree):
    result = run("stats", "--content", str(tree.root), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["total"] == 5
    assert report["kinds"] == {
        "practice": 1,
        "intervention": 1,
        "identification-tool": 1,
        "adjustment": 1,
        "package": 1,
    }
    slc = report["area_by_layer"]["speech-language-communication"]
    assert slc == {"universal": 1, "targeted": 2, "targeted-plus": 0, "specialist": 1}
    assert report["universal_offer"]["high-quality-teaching"] == 1
    assert report["tools_leading_to_items"] == 1


def test_stats_min_per_cell_fails_on_thin_cells(tree: ContentTree):
    result = run("stats", "--content", str(tree.root), "--min-per-cell", "1")
    assert result.exit_code == 1
    assert "below 1: motor-physical × universal has 0" in result.stdout
    assert "specialist" not in "".join(line for line in result.stdout.splitlines() if line.startswith("below"))
