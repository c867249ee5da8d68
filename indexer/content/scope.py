"""The scope file (`content/scope.yaml`): the topics the library deliberately does not cover, the
words that signal each in a query, and the real places to go instead; with a short account of what
the library does cover.

Search shows a topic's notice above the results when a query holds one of its words; the glossary
lists every topic. A topic describes what is outside the library and why: it promises nothing.

The schema checks each topic on its own; `check_topics` checks the file across topics (IDs and words
each once), on the raw YAML so that every problem is reported at its own line. The check that no
item uses a topic's words is the bundle's (`indexer.bundle.scope_check`): it needs the keyword
index's analysis, which content may not import.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from indexer.content.characters import first_forbidden
from indexer.content.problems import Problems
from indexer.content.schema import Strict, content_error, none_is_empty, plain_text, reject_control_characters
from indexer.content.yaml_lines import LocatedYaml

MIN_WORDS, MAX_WORDS = 2, 40  # per topic: the ways people name it, not every word near it
MAX_WORD_CHARS = 60
MIN_PLACES, MAX_PLACES = 1, 4  # per topic: enough to choose from, few enough to read on a phone
MAX_URL_CHARS = 300
WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*(?: [a-z0-9]+(?:['\-][a-z0-9]+)*)*")
TOPIC_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HOST = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+")
# Read by `_validate` in `indexer.content.loader`: the checks across topics have run on the raw
# file, at each line, so the model need not report them again.
CHECKED_ACROSS_TOPICS = "checked_across_topics"


def _check_word(word: str) -> str:
    reject_control_characters(word)
    if not word.strip():
        raise content_error("scope-word", "a word or phrase in 'words' is empty: write the words or remove the line")
    if len(word) > MAX_WORD_CHARS:
        raise content_error(
            "scope-word",
            f"'{word[:20]}...' in 'words' is {len(word)} characters: at most {MAX_WORD_CHARS}, the words a person types",
        )
    if word != word.lower():
        raise content_error(
            "scope-word",
            f"'{word}' in 'words' has capital letters: write it in lower case ('{word.lower()}'); "
            "matching ignores case",
        )
    if not WORD.fullmatch(word):
        raise content_error(
            "scope-word",
            f"'{word}' in 'words' may hold only lower-case letters and digits, single spaces between words, "
            "and hyphens or apostrophes inside a word",
        )
    return word


def _check_url(url: str) -> str:
    if first_forbidden(url) is not None or re.search(r"\s", url):
        raise content_error("invalid-url", "'url' must be one address with no spaces or line breaks")
    if len(url) > MAX_URL_CHARS:
        raise content_error("invalid-url", f"'url' is {len(url)} characters: at most {MAX_URL_CHARS}")
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise content_error(
            "not-https",
            f"'url' must be an https:// address of a real page, not '{url[:60]}': "
            "people follow it from the service, so it must be encrypted",
        )
    if parts.username is not None or parts.password is not None or parts.port is not None:
        raise content_error("invalid-url", f"'url' must have no user name, password or port: '{url[:60]}'")
    if not HOST.fullmatch(parts.netloc):
        raise content_error(
            "invalid-url", f"'url' must name a site in lower case, like https://www.gov.uk/...: '{url[:60]}'"
        )
    return url


def _check_topic_id(topic_id: str) -> str:
    if not TOPIC_ID.fullmatch(topic_id):
        raise content_error(
            "invalid-topic-id",
            f"'id' must be lower-case words joined by hyphens, like 'medical-conditions', not '{topic_id}'",
        )
    return topic_id


def _check_title(title: str) -> str:
    if title.endswith((".", ":", ";", ",")):
        raise content_error(
            "scope-title",
            f"'title' ends with '{title[-1]}': it is read inside a sentence "
            "('The library does not cover ...'), so leave the punctuation off",
        )
    return title


ScopeWord = Annotated[str, BeforeValidator(none_is_empty), AfterValidator(_check_word)]
Url = Annotated[str, AfterValidator(_check_url)]
TopicId = Annotated[str, AfterValidator(_check_topic_id)]


class Place(Strict):
    """A real, authoritative place to go for a topic: who it is, its page, and what it helps with."""

    model_config = Strict.model_config | ConfigDict(serialize_by_alias=True)

    name: Annotated[str, *plain_text(80)]  # the organisation and page, as the link reads: "GOV.UK: School admissions"
    url: Url
    # `for` is a Python keyword: the field is `for_`, read and written as `for`.
    for_: Annotated[str, *plain_text(140), Field(alias="for")]


class Topic(Strict):
    id: TopicId
    # Read after "The library does not cover": lower case unless a name or an abbreviation.
    title: Annotated[str, *plain_text(80), AfterValidator(_check_title)]
    about: Annotated[str, *plain_text(400)]  # what is out of scope and why, in one or two plain sentences
    words: list[ScopeWord]
    go_to: list[Place]

    @field_validator("words")
    @classmethod
    def _enough_words(cls, words: list[str]) -> list[str]:
        if len(words) < MIN_WORDS:
            raise content_error(
                "too-few-words",
                f"'words' lists {len(words)}: give at least {MIN_WORDS}, the words and phrases people "
                "use for the topic",
            )
        if len(words) > MAX_WORDS:
            raise content_error(
                "too-many-words",
                f"'words' lists {len(words)}: at most {MAX_WORDS}; keep the ones that name the topic",
            )
        return words

    @field_validator("go_to")
    @classmethod
    def _some_places(cls, places: list[Place]) -> list[Place]:
        if len(places) < MIN_PLACES:
            raise content_error("no-place-to-go", "'go_to' lists no place: give at least one real place to go instead")
        if len(places) > MAX_PLACES:
            raise content_error(
                "too-many-places", f"'go_to' lists {len(places)} places: at most {MAX_PLACES}, the most useful"
            )
        return places


class Scope(Strict):
    """The file: what the library covers, and each topic it does not."""

    covers: Annotated[str, *plain_text(600)]  # what the library does cover, for the glossary and the home page
    topics: Annotated[list[Topic], Field(min_length=1)]

    @model_validator(mode="after")
    def _each_id_and_word_once(self, info: ValidationInfo) -> Scope:
        if info.context and info.context.get(CHECKED_ACROSS_TOPICS):
            return self  # the loader checked these at each line (see `check_topics`)
        topic_of: dict[str, str] = {}
        seen_ids: set[str] = set()
        for topic in self.topics:
            if topic.id in seen_ids:
                raise content_error("duplicate-topic", f"the topic '{topic.id}' is listed twice")
            seen_ids.add(topic.id)
            for word in topic.words:
                if word in topic_of:
                    raise content_error("duplicate-scope-word", _duplicate_message(word, topic_of[word], topic.id))
                topic_of[word] = topic.id
        return self

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def document(self) -> str:
        """The scope as JSON, with `for` spelt as in the file: what the bundle stores."""
        return self.model_dump_json(by_alias=True)

    @classmethod
    def from_document(cls, text: str | None) -> Scope | None:
        """The scope from the bundle's JSON (`document()`); None for a bundle built without one."""
        return None if not text else cls.model_validate_json(text)


def _duplicate_message(word: str, first_topic: str, topic_id: str, first_line: int | None = None) -> str:
    where = f" (line {first_line})" if first_line is not None else ""
    if first_topic == topic_id:
        return f"'{word}' is listed twice in topic '{topic_id}'{where}"
    return f"'{word}' is already a word of topic '{first_topic}'{where}: a word or phrase may belong to one topic only"


def check_topics(located: LocatedYaml, problems: Problems) -> None:
    """Across topics, on the raw YAML at each line: no topic ID twice, no word or phrase in two
    topics or twice in one."""
    topics = located.data.get("topics") if isinstance(located.data, dict) else None
    if not isinstance(topics, list):
        return  # the schema reports it
    id_lines: dict[str, int] = {}
    word_at: dict[str, tuple[str, int]] = {}
    for index, topic in enumerate(topics):
        if not isinstance(topic, dict):
            continue
        topic_id = topic.get("id")
        label = topic_id if isinstance(topic_id, str) else f"topics[{index}]"
        if isinstance(topic_id, str):
            line = located.line_of(("topics", index, "id"))
            if topic_id in id_lines:
                problems.error(
                    line,
                    "duplicate-topic",
                    f"the topic '{topic_id}' is already listed (line {id_lines[topic_id]}): each topic once",
                )
            else:
                id_lines[topic_id] = line
        words = topic.get("words")
        if not isinstance(words, list):
            continue
        for position, word in enumerate(words):
            if not isinstance(word, str) or not word:
                continue
            line = located.line_of(("topics", index, "words", position))
            if word in word_at:
                first_topic, first_line = word_at[word]
                problems.error(line, "duplicate-scope-word", _duplicate_message(word, first_topic, label, first_line))
            else:
                word_at[word] = (label, line)


def word_lines(located: LocatedYaml) -> dict[str, int]:
    """The line of every word or phrase in the file, read from the raw YAML (valid or not): where
    the bundle's check across items reports a word."""
    topics = located.data.get("topics") if isinstance(located.data, dict) else None
    if not isinstance(topics, list):
        return {}
    lines: dict[str, int] = {}
    for index, topic in enumerate(topics):
        words = topic.get("words") if isinstance(topic, dict) else None
        for position, word in enumerate(words if isinstance(words, list) else []):
            if isinstance(word, str):
                lines.setdefault(word, located.line_of(("topics", index, "words", position)))
    return lines
