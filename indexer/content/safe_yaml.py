"""YAML read as a stream of events, each checked before anything is built from it.

Content files are pasted by hand and may hold anything, so nothing a YAML file asks for is done
blindly: anchors and aliases are refused (content never needs them, and an alias "bomb" expands a
few hundred bytes into gigabytes), as are explicit tags; nesting is bounded (PyYAML builds nested
values recursively: tens of thousands of '[' overflow the C stack and crash the process); plain
numbers are bounded in length (Python refuses to convert ints of over 4,300 digits); and no value
may hold a control character. libyaml's event parser keeps its own stack and is safe on any depth,
so the checks see each event before the composer does, and stop at the first problem.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    NodeEvent,
    ScalarEvent,
)
from yaml.nodes import Node, ScalarNode
from yaml.resolver import Resolver

from indexer.content.characters import control_character_message, first_forbidden

# Content nests at most five levels (item > evidence > sources > source > field); 32 leaves room
# for any reasonable structure and is far below where recursive building could run out of stack.
MAX_DEPTH = 32
# The longest plain number: years, minutes and ages are a few digits; 32 keeps every value cheap.
MAX_NUMBER_CHARS = 32
NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# libyaml's parser is about ten times faster than the pure-Python one, and gives the same marks.
EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str, code: str = "malformed-yaml"):
        super().__init__(message)
        self.line = line
        self.message = message
        self.code = code


def compose_checked(text: str, first_line: int = 1) -> Node | None:
    """The document's node tree, or YamlProblem at the line of the first fault."""
    composer = _CheckedComposer(checked_events(text, first_line))
    try:
        return composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _problem(exc, first_line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"malformed YAML: {exc}") from None


def construct_checked(node: Node, first_line: int = 1) -> object:
    """The Python value of a node tree from `compose_checked`."""
    try:
        return _CheckedConstructor().construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _problem(exc, first_line) from None


def load_checked(text: str, first_line: int = 1) -> object:
    """`yaml.safe_load`, with every check of this module."""
    node = compose_checked(text, first_line)
    return None if node is None else construct_checked(node, first_line)


def checked_events(text: str, first_line: int = 1) -> Iterator[Event]:
    """The parser's events, each checked as it comes: YamlProblem at the first fault."""
    depth = 0
    resolver = Resolver()
    for event in yaml.parse(text, Loader=EventLoader):
        mark = event.start_mark  # the parser marks every event; the stubs allow an event without one
        line = first_line + (mark.line if mark else 0)
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor is not None):
            raise YamlProblem(
                line,
                "YAML anchors and aliases (&name, *name) are not allowed: write each value out in full",
                "yaml-alias",
            )
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.tag is not None:
            raise YamlProblem(line, f"YAML tags ({event.tag}) are not allowed: write the plain value", "yaml-tag")
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(line, f"the YAML is nested more than {MAX_DEPTH} levels deep", "too-deep")
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        elif isinstance(event, ScalarEvent):
            _check_scalar(event, line, resolver)
        yield event


def _check_scalar(event: ScalarEvent, line: int, resolver: Resolver) -> None:
    char = first_forbidden(event.value)
    if char is not None:
        raise YamlProblem(line, control_character_message(char), "control-character")
    plain = event.implicit[0]
    if plain and len(event.value) > MAX_NUMBER_CHARS:
        # types-PyYAML leaves Resolver.resolve unannotated.
        if resolver.resolve(ScalarNode, event.value, event.implicit) in NUMBER_TAGS:  # type: ignore[no-untyped-call]
            raise YamlProblem(
                line,
                f"a number of {len(event.value):,} characters: numbers may be at most {MAX_NUMBER_CHARS} "
                "characters (put text in quotes)",
                "number-too-long",
            )


def _problem(exc: yaml.MarkedYAMLError, first_line: int) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    return YamlProblem(first_line + (mark.line if mark else 0), f"malformed YAML: {exc.problem or exc}")


class _CheckedComposer(Composer, Resolver):
    """PyYAML's composer, fed from checked events instead of its own parser."""

    def __init__(self, events: Iterator[Event]):
        Composer.__init__(self)
        Resolver.__init__(self)
        self._events = events
        self._next: Event | None = None

    def peek_event(self) -> Event | None:
        if self._next is None:
            self._next = next(self._events, None)
        return self._next

    def check_event(self, *choices: type) -> bool:
        event = self.peek_event()
        return event is not None and (not choices or isinstance(event, choices))

    def get_event(self) -> Event | None:
        event = self.peek_event()
        self._next = None
        return event


class _CheckedConstructor(SafeConstructor):
    """A value PyYAML cannot convert (a date like 2026-13-45) is a problem at its node's line."""

    def construct_object(self, node: Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(None, None, f"cannot read this value: {exc}", node.start_mark) from None
