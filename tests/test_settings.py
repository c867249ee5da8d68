"""Settings: the docs (docs/configuration.md, docs/cli.md) document exactly the declared settings and
the `nis` commands and options; the README is short and points at them;
the loader's order and the sources it reports; clear errors; `nis config`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nis_library import create_app
from nis_library import settings as config
from nis_library.cli import main

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
README_MOST_BYTES = 12 * 1024  # what it is, the two commands, where to read on


# -- the documentation ---------------------------------------------------------------------------


def markdown_table(document: Path, section: str, first_header: str) -> list[list[str]]:
    """The rows (cells, stripped, `\\|` unescaped) of the table under `## section` of `document`
    whose first column is headed `first_header`."""
    text = document.read_text(encoding="utf-8") + "\n## "
    match = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## )", text, re.DOTALL | re.MULTILINE)
    assert match, f"{document.name} has no '## {section}' section"
    rows, inside = [], False
    for line in match.group(1).splitlines():
        if not line.startswith("|"):
            if inside:
                break
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if cells[0] == first_header:
            inside = True
        elif inside and not set(cells[0]) <= {"-", ":"}:
            rows.append(cells)
    assert rows, f"no table headed '{first_header}' in '## {section}'"
    return rows


def code(cell: str) -> str:
    assert cell.startswith("`") and cell.endswith("`"), f"{cell!r} is not `code`"
    return cell[1:-1]


def documented_default(cell: str):
    """A default as the README writes it: `unset`, or JSON, or plain text."""
    if cell == "unset":
        return None
    text = code(cell)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def test_the_readme_is_short_and_points_at_every_document():
    text = README.read_text(encoding="utf-8")
    assert len(text.encode()) <= README_MOST_BYTES
    assert "scripts/run" in text and "scripts/test" in text
    for document in sorted(DOCS.glob("*.md")):
        assert f"(docs/{document.name})" in text, f"the README does not point at docs/{document.name}"


def test_every_link_between_the_documents_lands_on_a_file_and_heading():
    for document in [README, *sorted(DOCS.glob("*.md"))]:
        for target, heading in re.findall(
            r"\]\(([^)#\s]*\.md)?(?:#([a-z0-9-]+))?\)", document.read_text(encoding="utf-8")
        ):
            if not target and not heading:
                continue
            linked = (document.parent / target) if target else document
            assert linked.is_file(), f"{document.name} links to {target}, which does not exist"
            if heading:
                headings = re.findall(r"(?m)^#+ (.+)$", linked.read_text(encoding="utf-8"))
                anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}
                assert heading in anchors, (
                    f"{document.name} links to {linked.name}#{heading}, which has no such heading"
                )


def test_the_configuration_document_lists_exactly_the_declared_settings_with_their_defaults():
    rows = markdown_table(DOCS / "configuration.md", "Configuration", "setting")
    documented = {code(row[0]): row for row in rows}
    assert len(documented) == len(rows), "a setting is listed twice"
    assert list(documented) == [s.name for s in config.SETTINGS], "docs/configuration.md's table and SETTINGS differ"
    for setting in config.SETTINGS:
        _, variable, default, meaning = documented[setting.name]
        assert code(variable) == setting.variable == f"NIS_{setting.name}"
        assert documented_default(default) == config._plain(setting.default), setting.name
        assert meaning, setting.name


def test_the_cli_document_lists_every_command_and_every_option():
    rows = markdown_table(DOCS / "cli.md", "The command line", "command")
    documented = {}
    for row in rows:
        words = code(row[0]).split()
        assert words[0] == "nis", row[0]
        documented[words[1]] = row[0]
    assert sorted(documented) == sorted(main.commands), "docs/cli.md's command table and the nis commands differ"
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                for option in param.opts:
                    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", documented[name]), (
                        f"docs/cli.md's row for 'nis {name}' does not mention {option}"
                    )


# -- the loader ----------------------------------------------------------------------------------


def test_defaults_are_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = config.load_settings(environ={})
    assert settings.content_dir == tmp_path / "content" and settings.instance_dir == tmp_path / "instance"
    assert {str(s) for s in settings.sources.values()} == {"default"}
    assert settings["TODAY"] is None and settings["EMBEDDER"] == "minilm-onnx-int8" and settings["PREVIEW"] is False
    assert settings.unknown_variables == ()


def test_each_source_overrides_the_one_before_and_is_reported(tmp_path):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text(
        "RESULTS_PER_PAGE = 7\nSERVICE_NAME = 'From the file'\n"
        "ITEMS_PER_LAYER = 12\nTODAY = '2031-09-01'\nSECRET_KEY = 'x'\n"
    )
    environ = {
        "NIS_INSTANCE_DIR": str(instance),
        "NIS_RESULTS_PER_PAGE": "11",
        "NIS_ITEMS_PER_LAYER": "13",
        "NIS_PREVIEW": "true",
        "NIS_EMBEDDER": "hashing",
    }
    settings = config.load_settings(
        {"ITEMS_PER_LAYER": 3, "CONTENT_DIR": None}, overridden_by="the test", environ=environ
    )
    source = {name: settings.sources[name] for name in settings.values}
    assert settings["SERVICE_NAME"] == "From the file" and source["SERVICE_NAME"].as_dict() == {
        "kind": "file",
        "where": str(instance / "config.py"),
    }
    assert settings["TODAY"] == dt.date(2031, 9, 1) and source["TODAY"].kind == "file"
    assert settings["RESULTS_PER_PAGE"] == 11 and source["RESULTS_PER_PAGE"].as_dict() == {
        "kind": "environment",
        "where": "NIS_RESULTS_PER_PAGE",
    }
    assert settings["PREVIEW"] is True and settings["EMBEDDER"] == "hashing"
    assert settings["ITEMS_PER_LAYER"] == 3 and str(source["ITEMS_PER_LAYER"]) == "the test"
    assert settings.instance_dir == instance and source["INSTANCE_DIR"].kind == "environment"
    assert source["CONTENT_DIR"].kind == "default" and source["STATIC_MAX_AGE"].kind == "default"
    assert settings.extra == {"SECRET_KEY": "x"} and settings.extra_sources["SECRET_KEY"].kind == "file"


def test_an_overridden_instance_folder_is_where_config_py_is_read(tmp_path):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("RESULTS_PER_PAGE = 9\n")
    settings = config.load_settings({"INSTANCE_DIR": str(instance)}, environ={"NIS_INSTANCE_DIR": str(tmp_path)})
    assert settings["RESULTS_PER_PAGE"] == 9 and settings.sources["INSTANCE_DIR"].kind == "override"


def test_the_app_takes_its_settings_from_the_loader(tmp_path, monkeypatch):
    monkeypatch.setenv("NIS_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("NIS_TODAY", "2030-01-31")
    app = create_app({"RESULTS_PER_PAGE": 4, "TESTING": True})
    assert app.config["TODAY"] == dt.date(2030, 1, 31) and app.config["RESULTS_PER_PAGE"] == 4
    assert app.config["INSTANCE_DIR"] == str(tmp_path) and app.instance_path == str(tmp_path)
    assert app.config["TESTING"] is True
    assert app.extensions["nis_settings"].sources["TODAY"].where == "NIS_TODAY"


@pytest.mark.parametrize(
    "variable, value, reason",
    [
        ("NIS_RESULTS_PER_PAGE", "abc", "is not a whole number"),
        ("NIS_RESULTS_PER_PAGE", "0", "is less than 1"),
        ("NIS_PREVIEW", "perhaps", "is not true or false"),
        ("NIS_EMBEDDER", "bert", "is not one of: minilm, minilm-onnx, minilm-onnx-int8, hashing"),
        ("NIS_TODAY", "31/12/2030", "is not a date"),
        ("NIS_HTMX_CONFIG", "[1]", "is not a JSON object"),
    ],
)
def test_a_bad_environment_value_is_a_clear_error_naming_the_variable(variable, value, reason):
    with pytest.raises(config.SettingsError) as error:
        config.load_settings(environ={variable: value})
    assert str(error.value).startswith(f"{variable}={value!r} {reason}")


def test_a_bad_value_in_config_py_or_an_override_names_where_it_came_from(tmp_path):
    (tmp_path / "config.py").write_text("RESULTS_PER_PAGE = 'many'\n")
    with pytest.raises(
        config.SettingsError, match=r"RESULTS_PER_PAGE = 'many' \(from file .*config.py\) is not a whole"
    ):
        config.load_settings({"INSTANCE_DIR": tmp_path}, environ={})
    with pytest.raises(config.SettingsError, match=r"PREVIEW = 'yes please' \(from override\) is not true or false"):
        config.load_settings({"PREVIEW": "yes please"}, environ={})
    with pytest.raises(config.SettingsError, match=r"RESULTS_PER_PAGE = True \(from override\) is a bool, not int"):
        config.load_settings({"RESULTS_PER_PAGE": True}, environ={})


def test_the_app_refuses_a_bad_environment_value_at_once(monkeypatch):
    monkeypatch.setenv("NIS_RESULTS_PER_PAGE", "abc")
    with pytest.raises(config.SettingsError, match="NIS_RESULTS_PER_PAGE='abc' is not a whole number"):
        create_app()


def test_unknown_nis_variables_are_ignored_with_a_warning(caplog):
    environ = {"NIS_RESULT_PER_PAGE": "3", "NIS_PATH": "org_dir:$", "NIS_SECRET_KEY": "s", "NIS_CONTENT_DIR": ""}
    with caplog.at_level(logging.WARNING, logger="nis_library.settings"):
        settings = config.load_settings(environ=environ)
    assert settings.unknown_variables == ("NIS_RESULT_PER_PAGE",)  # NIS_PATH belongs to the NIS+ name service
    assert "did you mean NIS_RESULTS_PER_PAGE?" in caplog.text and "NIS_PATH" not in caplog.text
    assert settings["RESULTS_PER_PAGE"] == 20 and "RESULT_PER_PAGE" not in settings.flask_config()
    assert settings.extra == {"SECRET_KEY": "s"}
    assert settings.sources["CONTENT_DIR"].kind == "default"  # empty counts as unset


def test_make_embedder_no_longer_reads_the_environment(monkeypatch):
    from indexer.bundle.embeddings import make_embedder

    monkeypatch.setenv("NIS_EMBEDDER", "no-such-model")
    assert make_embedder("hashing").name == "hashing-stand-in"


# -- nis config ----------------------------------------------------------------------------------


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_nis_config_prints_every_setting_its_value_and_source(tmp_path):
    (tmp_path / "config.py").write_text("SERVICE_NAME = 'Local'\n")
    result = run("config", env={"NIS_INSTANCE_DIR": str(tmp_path), "NIS_RESULTS_PER_PAGE": "30", "NIS_TODAY": None})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for setting in config.SETTINGS:
        assert any(line.startswith(f"{setting.name} = ") for line in lines), setting.name
        assert setting.help in result.stdout
    assert f'SERVICE_NAME = "Local"  [file {tmp_path / "config.py"}]' in lines
    assert "RESULTS_PER_PAGE = 30  [environment NIS_RESULTS_PER_PAGE]" in lines
    assert "ITEMS_PER_LAYER = 30  [default]" in lines


def test_nis_config_as_json(tmp_path):
    result = run(
        "config",
        "--format",
        "json",
        env={"NIS_INSTANCE_DIR": str(tmp_path), "NIS_EMBEDDER": "hashing", "NIS_NO_SUCH_THING": "1"},
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    rows = {row["setting"]: row for row in report["settings"]}
    assert list(rows) == [s.name for s in config.SETTINGS]
    assert rows["EMBEDDER"]["value"] == "hashing" and rows["EMBEDDER"]["default"] == "minilm-onnx-int8"
    assert rows["EMBEDDER"]["source"] == {"kind": "environment", "where": "NIS_EMBEDDER"}
    assert rows["INSTANCE_DIR"]["value"] == str(tmp_path) and rows["TODAY"]["default"] is None
    assert report["unknown_variables"] == ["NIS_NO_SUCH_THING"]


def test_a_bad_environment_value_stops_a_command_with_a_clear_message():
    result = run("validate", env={"NIS_CONTENT_DIR": None, "NIS_RESULTS_PER_PAGE": "abc"})
    assert result.exit_code == 1
    assert "Error: NIS_RESULTS_PER_PAGE='abc' is not a whole number" in result.stderr
    assert "Traceback" not in result.output


def test_command_line_options_override_the_settings_and_say_so(tree, tmp_path):
    result = run("validate", "--content", str(tree.root), env={"NIS_CONTENT_DIR": str(tmp_path / "nowhere")})
    assert result.exit_code == 0 and "5 items checked" in result.stderr
    settings = config.load_settings(
        {"CONTENT_DIR": tree.root}, overridden_by={"CONTENT_DIR": "option --content"}, environ={}
    )
    assert str(settings.sources["CONTENT_DIR"]) == "option --content"


def test_nis_config_never_prints_the_state_keys_and_refuses_a_short_one(tmp_path):
    key, retired = "k" * 40, "r" * 40
    env = {"NIS_INSTANCE_DIR": str(tmp_path), "NIS_STATE_KEY": key, "NIS_STATE_RETIRED_KEYS": retired}
    for form in ([], ["--format", "json"]):
        result = run("config", *form, env=env)
        assert result.exit_code == 0, result.output
        assert key not in result.output and retired not in result.output and "***" in result.output
    short = run("config", env=env | {"NIS_STATE_KEY": "too-short"})
    assert short.exit_code != 0 and "NIS_STATE_KEY" in short.output and "at least 32 characters" in short.output
