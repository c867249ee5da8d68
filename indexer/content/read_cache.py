"""Reuse of what an earlier build read from a file that has not changed since.

Reading and checking 10,000 item files takes seconds, mostly in YAML parsing; an edit to one item
should not pay that. The bundle keeps, for every valid item file, the hash of its bytes and what was
read from it (front matter, body sections, the lines of the keys that cross-item checks report
on). A file with the same hash, read under the same taxonomy, publications and code, is not parsed
again: only the checks that span items run on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict

from indexer.content import files
from indexer.content.body import Body, Section
from indexer.content.hashing import digest
from indexer.content.yaml_lines import LocatedYaml, YamlMapping

READER_VERSION = "3"  # bump when reading or per-file checks change
REFERENCE_KEYS = ("id", "kind", "status", "related", "leads_to", "components", "replaced_by")


def config_hash(root: Path, names: tuple[str, ...]) -> str:
    """Of the files every item is checked against: a cached item is valid only against the same."""
    return digest(READER_VERSION, *(_config_bytes(root / name) for name in names))


def _config_bytes(path: Path) -> bytes:
    try:
        return files.read_bytes(path, files.CONFIG_MAX_BYTES)
    except files.UnsafeFile as unsafe:
        return f"<{unsafe.code}>".encode()


class CachedSection(TypedDict):
    heading: str
    line: int
    text: str
    text_line: NotRequired[int]  # read as 0 (not known) where absent


# A key's path (as a list, as JSON gives it back) and its line.
KeyLine = tuple[list[str | int], int]


@dataclass(frozen=True)
class CachedFile:
    file_hash: str
    data: YamlMapping
    sections: list[CachedSection] | str  # [{heading, line, text}], or that as JSON until needed
    lines: list[KeyLine] | str  # [[key path...], line] for the keys cross-item checks report on
    first_line: int
    last_line: int

    def body(self) -> Body:
        raw = json.loads(self.sections) if isinstance(self.sections, str) else self.sections
        sections = tuple(Section(s["heading"], s["line"], s["text"], s.get("text_line", 0)) for s in raw)
        first = sections[0].line if sections else self.last_line
        return Body("", first, sections, ())

    def located(self) -> LocatedYaml:
        raw = json.loads(self.lines) if isinstance(self.lines, str) else self.lines
        return LocatedYaml(self.data, {tuple(path): line for path, line in raw}, self.first_line)


def remember(digest: str, data: YamlMapping, body: Body, located: LocatedYaml, last_line: int) -> CachedFile:
    lines: list[KeyLine] = [
        (list(path), line) for path, line in located.lines.items() if path and path[0] in REFERENCE_KEYS
    ]
    sections: list[CachedSection] = [
        {"heading": s.heading, "line": s.line, "text": s.text, "text_line": s.text_line} for s in body.sections
    ]
    return CachedFile(digest, data, sections, lines, located.first_line, last_line)


@dataclass
class ReadCache:
    config: str
    files: dict[str, CachedFile]  # by display path
