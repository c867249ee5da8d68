"""Find the `##` sections of an item's Markdown body, with their lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    heading: str
    line: int  # file line of the heading
    text: str  # the Markdown under the heading, up to the next `##` or `#`
    text_line: int = 0  # file line of the text's first line (0: not known, as read back from a cache)

    @property
    def first_text_line(self) -> int:
        return self.text_line or self.line + 1


@dataclass(frozen=True)
class Body:
    preamble: str  # anything before the first `##` heading
    preamble_line: int
    sections: tuple[Section, ...]
    top_level_headings: tuple[tuple[int, str], ...]  # `#` headings: the title comes from front matter

    def section(self, heading: str) -> Section | None:
        return next((s for s in self.sections if s.heading == heading), None)


def parse_body(markdown: str, first_line: int = 1) -> Body:
    preamble: list[str] = []
    sections: list[Section] = []
    top_level: list[tuple[int, str]] = []
    current: tuple[str, int] | None = None
    current_lines: list[str] = []
    in_fence = False

    def close() -> None:
        if current is not None:
            blank = next((i for i, text in enumerate(current_lines) if text.strip()), 0)
            text = "\n".join(current_lines).strip()
            sections.append(Section(current[0], current[1], text, current[1] + 1 + blank))

    for offset, line in enumerate(markdown.splitlines()):
        line_no = first_line + offset
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match and len(match.group(1)) <= 2:
            close()
            current_lines = []
            if len(match.group(1)) == 1:
                top_level.append((line_no, match.group(2)))
                current = None
            else:
                current = (match.group(2), line_no)
            continue
        (current_lines if current is not None else preamble).append(line)
    close()
    return Body("\n".join(preamble).strip(), first_line, tuple(sections), tuple(top_level))
