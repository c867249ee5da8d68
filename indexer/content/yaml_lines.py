"""YAML loading that remembers the line of every key, so errors can point at it.

PyYAML composes a node tree with source marks before it builds Python objects; we walk that tree
once to record `path -> line` (a path is a tuple of keys and list indexes) and to catch duplicate
keys, which PyYAML would otherwise accept silently, keeping the last. The tree comes from
`indexer.content.safe_yaml`, which refuses what could blow up before it is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from indexer.content.safe_yaml import YamlProblem, compose_checked, construct_checked

__all__ = ["LocatedYaml", "YamlMapping", "YamlProblem", "load_located"]
Path_ = tuple[str | int, ...]
# A mapping as read from a file, before any schema: its keys are usually, not always, strings.
YamlMapping = dict[object, object]


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
    node = compose_checked(text, first_line)
    located = LocatedYaml(data=None, first_line=first_line)
    if node is None:
        return located
    _record_lines(node, (), located, first_line - 1)
    located.data = construct_checked(node, first_line)
    return located


def _record_lines(node: yaml.Node, path: Path_, located: LocatedYaml, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1 + offset
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(line, "a key must be a plain name, not a list or a mapping", "yaml-key")
            key = key_node.value
            if key in seen:
                located.duplicate_keys.append((line, ".".join(map(str, path + (key,)))))
            seen.add(key)
            located.lines[path + (key,)] = line
            _record_lines(value_node, path + (key,), located, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            located.lines[path + (index,)] = item.start_mark.line + 1 + offset
            _record_lines(item, path + (index,), located, offset)
