"""The bounds a Markdown text must keep to be rendered quickly: Python-Markdown's link parsing is
quadratic in a text's brackets and its lists recurse per level. `nis validate` (item sections, a
review's findings) and `nis publish` (release notes) refuse a text beyond them, at its line."""

from __future__ import annotations

# Far above what any item needs (the longest section has a few dozen links and two levels of list),
# far below what stalls the renderer (16,000 bracket pairs took 30 s; a 250-level list recursed out).
MAX_BRACKETS = 2000  # '[' in one section
MAX_NESTING = 12  # levels of list or quote
MAX_LINE = 5000  # characters in one line


def complexity_problems(text: str, first_line: int) -> list[tuple[int, str]]:
    """(line, message) for each bound a section's Markdown goes beyond; empty when it may be rendered."""
    problems = []
    brackets = text.count("[")
    if brackets > MAX_BRACKETS:
        line = first_line + text[: _nth(text, "[", MAX_BRACKETS + 1)].count("\n")
        problems.append(
            (line, f"there are {brackets} '[' (at most {MAX_BRACKETS} in one text): it would take too long to show")
        )
    for offset, line_text in enumerate(text.split("\n")):
        if len(line_text) > MAX_LINE:
            problems.append((first_line + offset, f"the line has {len(line_text)} characters (at most {MAX_LINE})"))
            break
    for offset, line_text in enumerate(text.split("\n")):
        depth = _nesting(line_text)
        if depth > MAX_NESTING:
            problems.append(
                (first_line + offset, f"lists or quotes nest {depth} levels deep here (at most {MAX_NESTING})")
            )
            break
    return problems


def _nth(text: str, char: str, n: int) -> int:
    position = -1
    for _ in range(n):
        position = text.index(char, position + 1)
    return position


def _nesting(line: str) -> int:
    """How deep a line sits in lists and quotes: its indent in steps of two spaces (a tab: four), and
    each leading '>'."""
    stripped = line.lstrip(" \t>")
    prefix = line[: len(line) - len(stripped)]
    indent = sum(4 if c == "\t" else 1 for c in prefix if c != ">")
    return indent // 2 + prefix.count(">")
