"""Shared pydantic building blocks and the translation of pydantic errors into problems."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from indexer.content.characters import (
    control_character_message,
    first_forbidden,
    first_invisible,
    invisible_character_message,
)
from indexer.content.markdown_bounds import complexity_problems
from indexer.content.problems import Problems, did_you_mean
from indexer.content.yaml_lines import LocatedYaml, Path_


def _no_control_characters(text: str) -> str:
    char = first_forbidden(text)
    if char is not None:
        raise ValueError(control_character_message(char))
    char = first_invisible(text)
    if char is not None:
        raise ValueError(invisible_character_message(char))
    return text


# Files are checked for control characters as they are read; this also guards text from elsewhere
# (release notes given on the command line end up in an edition's manifest and its feed).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_no_control_characters)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


def _renderable(text: str) -> str:
    problems = complexity_problems(text, 1)
    if problems:
        line, message = problems[0]
        raise ValueError(f"its Markdown, line {line} of the text: {message}")
    return text


# Text the service shows as Markdown (a review's findings and trigger): bounded like item sections.
MarkdownText = Annotated[Text, AfterValidator(_renderable)]

# Signs of HTML or Markdown: a tag or entity, emphasis, code, a link or image, a heading, a list
# item or a quote at the start of a line, a table's bar.
MARKUP = re.compile(r"<[A-Za-z/!?]|&[A-Za-z#][A-Za-z0-9]*;|[*_`|]|\[|\]\(|^\s*(#|[-+>]\s|\d+[.)]\s)", re.MULTILINE)


def _no_markup(text: str) -> str:
    found = MARKUP.search(text)
    if found is not None:
        raise ValueError(
            f"plain text only, no HTML or Markdown: remove '{found.group(0).strip()}' "
            "(it would be shown as typed, not formatted)"
        )
    return text


def plain_text(max_length: int) -> tuple[object, ...]:
    """Text shown exactly as written, where formatting would not be rendered (the family summary):
    the constraints of a field `Annotated[str, *plain_text(max_length)]`."""
    return (
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_no_control_characters),
        AfterValidator(_no_markup),
    )


class Strict(BaseModel):
    """Unknown fields are errors, not silently ignored: they are usually misspellings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def content_error(code: str, message: str) -> PydanticCustomError:
    """An error a validator raises to be reported as its own problem: `code` (kebab-case, which
    tells it from pydantic's snake_case errors) and `message` exactly as written."""
    return PydanticCustomError(code, "{message}", {"message": message})


def none_is_empty(value: object) -> object:
    """A list entry of `- ` with nothing after it reads as null: report it as the empty text it is."""
    return "" if value is None else value


def reject_control_characters(text: str) -> None:
    """A content error (`control-character`) naming the first character a content file may not hold."""
    char = first_forbidden(text)
    if char is not None:
        raise content_error("control-character", control_character_message(char))


def _is_content_code(kind: str) -> bool:
    return "-" in kind


def dotted(loc: Path_) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def report_validation_error(
    exc: ValidationError, located: LocatedYaml, problems: Problems, model: type[BaseModel]
) -> None:
    """One problem per pydantic error, at the line of the offending key."""
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc = _located_path(err["loc"], kind)
        name = dotted(loc)
        if kind == "missing":
            problems.error(
                located.line_of(loc[:-1]) if len(loc) > 1 else located.first_line,
                "missing-field",
                f"missing required field '{name}'",
            )
        elif kind == "extra_forbidden":
            allowed = _fields_at(model, loc[:-1])
            problems.error(
                located.line_of(loc), "unknown-field", f"unknown field '{name}'{did_you_mean(loc[-1], allowed)}"
            )
        elif kind in ("too_short",) and isinstance(err.get("input"), list):
            problems.error(located.line_of(loc), "empty-list", f"'{name}' must list at least one value")
        elif _is_content_code(kind):
            problems.error(located.line_of(loc), kind, err["msg"])
        elif kind == "string_too_short":
            problems.error(located.line_of(loc), "empty-value", f"'{name}' must not be empty")
        else:
            problems.error(located.line_of(loc), "invalid-value", f"'{name}': {err['msg']}")


def _located_path(loc: Path_, kind: str) -> Path_:
    """The path in the file: pydantic's loc without the union member names it inserts. An unknown
    key ends its loc and is the author's own word, even one that looks like a type name ('int')."""
    if kind == "extra_forbidden":
        return tuple(p for p in loc[:-1] if not _is_union_tag(p)) + loc[-1:]
    # A key of the file itself may look like a union tag ("(["): then keep the path whole.
    return tuple(p for p in loc if not _is_union_tag(p)) or tuple(loc)


def _is_union_tag(part: object) -> bool:
    # pydantic inserts the name of a union member (e.g. 'int', 'literal['undated']') into loc
    return isinstance(part, str) and ("[" in part or part in {"int", "str", "float"})


def _fields_at(model: type[BaseModel], path: Path_) -> list[str]:
    """The field names of the (nested) model at `path`, as the file spells them (a field's alias,
    such as `for` or `class`, where it has one), for 'did you mean'."""
    current: object = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = _fields_by_file_name(current)
        if part not in fields:
            return []
        current = _model_in(fields[part].annotation)
    return list(_fields_by_file_name(current))


def _fields_by_file_name(model: object) -> dict[str, FieldInfo]:
    return {field.alias or name: field for name, field in getattr(model, "model_fields", {}).items()}


def _model_in(annotation: object) -> object:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None
