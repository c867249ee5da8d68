"""Read a content folder: the files every item is checked against, then the item files, each
parsed, checked on its own and typed. Never raises on bad content: it returns what it could read
with every problem found, so `nis validate` reports every mistake at once. Files unchanged since
the last build (`indexer.content.read_cache`) are restored instead of parsed again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from indexer.content import checks, files, read_cache
from indexer.content.body import parse_body
from indexer.content.characters import control_character_message, forbidden_lines
from indexer.content.everyday_words import EverydayWords, check_lists, item_lines
from indexer.content.frontmatter import FrontMatterProblem, split_front_matter
from indexer.content.hashing import sha256_hex
from indexer.content.folder import (
    EVERYDAY_WORDS_FILE,
    ITEM_SUFFIX,
    ITEMS_DIR,
    PUBLICATIONS_FILE,
    SCOPE_FILE,
    SYNONYMS_FILE,
    TAXONOMY_FILE,
    Content,
    ItemFile,
)
from indexer.content.model import MODEL_FOR_KIND
from indexer.content.problems import Problem, Problems, did_you_mean, display_path, error_at, has_errors, warning_at
from indexer.content.schema import report_validation_error
from indexer.content.scope import CHECKED_ACROSS_TOPICS, Scope, check_topics, word_lines
from indexer.content.sources import SOURCE_SUFFIX, SOURCES_DIR, SourceRecord
from indexer.content.synonyms import Synonyms
from indexer.content.taxonomy import Publications, Taxonomy
from indexer.content.yaml_lines import LocatedYaml, YamlProblem, load_located

Model = TypeVar("Model", bound=BaseModel)


def read_config_files(content: Content) -> bool:
    """Read the taxonomy, publications, synonyms, everyday words and scope; False if items cannot be
    checked without them."""
    root = content.root
    if not root.is_dir():
        content.problems.append(error_at(root.as_posix(), 1, "no-content", f"content folder not found: {root}"))
        return False
    content.taxonomy = load_yaml_model(root / TAXONOMY_FILE, Taxonomy, content, files.CONFIG_MAX_BYTES)
    content.publications = load_yaml_model(root / PUBLICATIONS_FILE, Publications, content, files.CONFIG_MAX_BYTES)
    content.synonyms = load_yaml_model(root / SYNONYMS_FILE, Synonyms, content, files.CONFIG_MAX_BYTES)
    read_everyday_words(content)
    read_scope(content)
    if content.taxonomy is not None:
        read_sources(content)
    if content.taxonomy is None or content.publications is None:
        return False
    content.config_hash = read_cache.config_hash(root, (TAXONOMY_FILE, PUBLICATIONS_FILE))
    return True


def read_items(content: Content, paths: list[Path], cache: read_cache.ReadCache | None = None) -> None:
    """Read these item files into `content`. With `cache` (from the previous build), files whose
    bytes are unchanged, checked against the same taxonomy, are restored rather than parsed."""
    reusable = cache.files if cache is not None and cache.config == content.config_hash else {}
    for path in paths:
        content.files.append(_read_item(path, content, reusable))


def _display(path: Path, content: Content) -> str:
    return display_path(content.root, path)


def _problems_for(path: Path, content: Content) -> Problems:
    return Problems(_display(path, content))


def load_yaml_model(path: Path, model: type[Model], content: Content, limit: int) -> Model | None:
    problems = _problems_for(path, content)
    located = read_yaml_file(path, problems, limit)
    result = None if located is None else _validate(located, model, problems)
    content.problems.extend(problems)
    return result


def read_everyday_words(content: Content) -> None:
    """The optional everyday-words file into `content`: its phrases by item ID, and the line of each
    ID for the checks across items. A missing file means no everyday words."""
    with _optional_file(content, EVERYDAY_WORDS_FILE) as (located, problems):
        if located is not None:
            words = _validate(located, EverydayWords, problems)
            check_lists(located, problems)
            content.everyday_words_lines = item_lines(located)
            if words is not None:
                content.everyday_words = words.by_item()


def read_scope(content: Content) -> None:
    """The optional scope file into `content`: the topics the library does not cover, and the line
    of each word for the check across items. A missing file means no topics."""
    with _optional_file(content, SCOPE_FILE) as (located, problems):
        if located is not None:
            check_topics(located, problems)
            scope = _validate(located, Scope, problems, context={CHECKED_ACROSS_TOPICS: True})
            content.scope_word_lines = word_lines(located)
            content.scope = None if has_errors(problems) else scope


def read_sources(content: Content) -> None:
    """The source register into `content`: every `content/sources/<id>.yaml`, each checked on its own.
    A missing folder means no sources (an item that cites one is then refused)."""
    folder = content.root / SOURCES_DIR
    if files.is_symlink(folder):
        content.problems.append(error_at(_display(folder, content), 1, "symlink", files.SYMLINK_MESSAGE))
        return
    if not folder.is_dir():
        return
    assert content.taxonomy is not None, "read_config_files reads the sources once it has the taxonomy"
    phases = {p.id for p in content.taxonomy.phases}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            content.problems.append(_skipped(path, content))
            continue
        problems = _problems_for(path, content)
        if path.suffix != SOURCE_SUFFIX or files.is_symlink(path) or not path.is_file():
            problems.error(1, "not-a-source", f"only source records, <id>{SOURCE_SUFFIX}, belong in {SOURCES_DIR}/")
            content.problems.extend(problems)
            continue
        located = read_yaml_file(path, problems, files.SOURCE_MAX_BYTES)
        record = None if located is None else _validate(located, SourceRecord, problems)
        if located is not None and record is not None:
            if record.id != path.stem:
                problems.error(
                    located.line_of(("id",)),
                    "source-id-file",
                    f"the source's id '{record.id}' must match its file name '{path.stem}'",
                )
            for index, phase in enumerate(record.phases):
                if phase not in phases:
                    problems.error(
                        located.line_of(("phases", index)),
                        "unknown-value",
                        f"'{phase}' is not a phase{did_you_mean(phase, sorted(phases))}",
                    )
            if not has_errors(problems):
                content.sources[record.id] = record
        content.problems.extend(problems)


@contextmanager
def _optional_file(content: Content, name: str) -> Iterator[tuple[LocatedYaml | None, Problems]]:
    """An optional YAML file of the content folder, read with its lines, and the problems found in
    it, which join the content's at the end; nothing is read (None) when it does not exist."""
    path = content.root / name
    if not path.exists() and not files.is_symlink(path):
        yield None, _problems_for(path, content)
        return
    problems = _problems_for(path, content)
    yield read_yaml_file(path, problems, files.CONFIG_MAX_BYTES), problems
    content.problems.extend(problems)


def _validate(
    located: LocatedYaml, model: type[Model], problems: Problems, context: dict[str, object] | None = None
) -> Model | None:
    """The file's data as `model`, or None with its problems."""
    if not isinstance(located.data, dict):
        problems.error(1, "not-a-mapping", "the file must be a YAML mapping of names to values")
        return None
    try:
        return model.model_validate(located.data, context=context)
    except ValidationError as exc:
        report_validation_error(exc, located, problems, model)
    return None


def _read_text(path: Path, problems: Problems, limit: int) -> str | None:
    raw = _read_bytes(path, problems, limit)
    return None if raw is None else _decode(raw, problems)


def _read_bytes(path: Path, problems: Problems, limit: int) -> bytes | None:
    try:
        return files.read_bytes(path, limit)
    except files.UnsafeFile as unsafe:
        problems.error(1, unsafe.code, unsafe.message)
    return None


def _decode(raw: bytes, problems: Problems) -> str | None:
    """The file's text; None, with problems, if it is not UTF-8 or holds control characters."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.error(line, "not-utf8", f"the file is not valid UTF-8 (byte {exc.start}); save it as UTF-8")
        return None
    text = text.removeprefix("\ufeff")
    controls = forbidden_lines(text)
    for line, char in controls:
        problems.error(line, "control-character", control_character_message(char))
    return None if controls else text


def read_yaml_file(path: Path, problems: Problems, limit: int) -> LocatedYaml | None:
    text = _read_text(path, problems, limit)
    if text is None:
        return None
    try:
        located = load_located(text)
    except YamlProblem as exc:
        problems.error(exc.line, exc.code, exc.message)
        return None
    for line, key in located.duplicate_keys:
        problems.error(line, "duplicate-key", f"the key '{key}' appears twice")
    return located


def working_copy_paths(content: Content) -> list[Path]:
    items_dir = content.root / ITEMS_DIR
    assert content.taxonomy is not None, "working copies are found once read_config_files has read the taxonomy"
    kind_ids = [k.id for k in content.taxonomy.kinds]
    paths: list[Path] = []
    if files.is_symlink(items_dir):
        content.problems.append(error_at(_display(items_dir, content), 1, "symlink", files.SYMLINK_MESSAGE))
        return paths
    if not items_dir.is_dir():
        return paths
    for entry in sorted(items_dir.iterdir()):
        if entry.name.startswith("."):
            content.problems.append(_skipped(entry, content))
            continue
        if files.is_symlink(entry):
            content.problems.append(error_at(_display(entry, content), 1, "symlink", files.SYMLINK_MESSAGE))
        elif entry.is_file():
            content.problems.append(
                error_at(
                    _display(entry, content),
                    1,
                    "misplaced-file",
                    f"item files belong in a folder named after their kind: items/<kind>/<ID>{ITEM_SUFFIX}",
                )
            )
        elif entry.name not in kind_ids:
            content.problems.append(
                error_at(
                    _display(entry, content),
                    1,
                    "unknown-kind-folder",
                    f"'{entry.name}' is not a kind{did_you_mean(entry.name, kind_ids)}; kinds: {', '.join(kind_ids)}",
                )
            )
        else:
            for path in sorted(entry.iterdir()):
                if path.name.startswith("."):
                    content.problems.append(_skipped(path, content))
                    continue
                if files.is_symlink(path):
                    content.problems.append(error_at(_display(path, content), 1, "symlink", files.SYMLINK_MESSAGE))
                elif path.suffix != ITEM_SUFFIX or not path.is_file():
                    content.problems.append(
                        error_at(
                            _display(path, content),
                            1,
                            "not-an-item",
                            f"only {ITEM_SUFFIX} item files belong in items/{entry.name}/",
                        )
                    )
                else:
                    paths.append(path)
    return paths


def _read_item(path: Path, content: Content, reusable: dict[str, read_cache.CachedFile]) -> ItemFile:
    problems = _problems_for(path, content)
    record = ItemFile(path=path, display_path=problems.path, folder_kind=path.parent.name)
    try:
        raw = _read_bytes(path, problems, files.ITEM_MAX_BYTES)
        if raw is None:
            return record
        record.file_hash = sha256_hex(raw)
        cached = reusable.get(record.display_path)
        if cached is not None and cached.file_hash == record.file_hash:
            _restore_item(record, cached)
        else:
            _parse_item(record, content, problems, raw)
    finally:
        content.problems.extend(problems)
    return record


def _restore_item(record: ItemFile, cached: read_cache.CachedFile) -> None:
    """An unchanged file that was valid when cached: valid still, as the taxonomy is the same."""
    record.cached, record.data, record.last_line = cached, cached.data, cached.last_line


def _parse_item(record: ItemFile, content: Content, problems: Problems, raw: bytes) -> None:
    text = _decode(raw, problems)
    if text is None:
        return
    if not text.strip():
        problems.error(1, "empty-file", "the file is empty")
        return
    record.last_line = max(len(text.rstrip().splitlines()), 1)  # missing sections are reported here
    try:
        split = split_front_matter(text)
    except FrontMatterProblem as exc:
        problems.error(exc.line, "front-matter", exc.message)
        return
    record.body = parse_body(split.body, split.body_first_line)
    try:
        located = load_located(split.front_matter, split.front_matter_first_line)
    except YamlProblem as exc:
        problems.error(exc.line, exc.code, exc.message)
        return
    for line, key in located.duplicate_keys:
        problems.error(line, "duplicate-key", f"the key '{key}' appears twice")
    if not isinstance(located.data, dict):
        problems.error(1, "not-a-mapping", "the front matter must be a YAML mapping of field names to values")
        return
    record.data, record.located = located.data, located
    taxonomy, publications = content.taxonomy, content.publications
    assert taxonomy is not None and publications is not None, "items are read once read_config_files has these"

    kind_id = located.data.get("kind")
    if isinstance(kind_id, str) and kind_id != record.folder_kind:
        kinds = [k.id for k in taxonomy.kinds]
        hint = did_you_mean(kind_id, kinds) if kind_id not in kinds else ""
        problems.error(
            located.line_of(("kind",)),
            "kind-folder",
            f"kind '{kind_id}'{hint} does not match the folder items/{record.folder_kind}/",
        )
    model = MODEL_FOR_KIND.get(record.folder_kind)
    if model is None:  # the taxonomy names a kind the code has no model for (reported there too)
        problems.error(
            1, "kind-model", f"items/{record.folder_kind}/ is a kind with no content model: its items cannot be read"
        )
        return
    data_for_model = dict(located.data)
    if "kind" in data_for_model and kind_id != record.folder_kind:
        data_for_model["kind"] = record.folder_kind  # reported above; check the rest as the folder's kind
    try:
        item = model.model_validate(data_for_model)
    except ValidationError as exc:
        report_validation_error(exc, located, problems, model)
        item = None

    checks.check_item(record, taxonomy, publications, problems, content.judge_ratings)
    if item is not None and not has_errors(problems):
        record.item = item


def _skipped(path: Path, content: Content) -> Problem:
    """A hidden file or folder is never read: say so, so an item saved as `.INT-0001.md` by an
    editor's tool is not silently missing from the library."""
    return warning_at(_display(path, content), 1, "skipped-hidden", f"'{path.name}' starts with '.', so it is not read")
