"""YAML loading that remembers the line of every key, so errors can point at it.

PyYAML composes a node tree with source marks before it builds Python objects; we walk that tree
once to record `path -> line` (a path is a tuple of keys and list indexes) and to catch duplicate
keys, which PyYAML would otherwise accept silently, keeping the last.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple[str | int, ...]
# libyaml's parser is about ten times faster than the pure-Python one, and gives the same marks.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class LocatedYaml:
    data: object
    lines: dict[Path_, int] = field(default_factory=dict)
    first_line: int = 1
    duplicate_keys: list[tuple[int, str]] = field(default_factory=list)

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line


def load_located(text: str, first_line: int = 1) -> LocatedYaml:
    """Parse one YAML document; line numbers are offset so that line 1 of `text` is `first_line`."""
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        raise YamlProblem(line, f"malformed YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:  # e.g. a second document in front matter
        raise YamlProblem(first_line, f"malformed YAML: {exc}") from None
    located = LocatedYaml(data=None, first_line=first_line)
    if node is None:
        return located
    _record_lines(node, (), located, first_line - 1)
    try:
        located.data = Loader(text).construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(first_line + (mark.line if mark else 0), f"malformed YAML: {exc.problem}") from None
    return located


def _record_lines(node: yaml.Node, path: Path_, located: LocatedYaml, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                located.duplicate_keys.append((line, ".".join(map(str, path + (key,)))))
            seen.add(key)
            located.lines[path + (key,)] = line
            _record_lines(value_node, path + (key,), located, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            located.lines[path + (index,)] = item.start_mark.line + 1 + offset
            _record_lines(item, path + (index,), located, offset)
