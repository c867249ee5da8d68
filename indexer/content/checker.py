"""Checks of a content folder as a whole: the taxonomy and publications agree with each other and
with the content model; IDs are unique; every reference names an item that exists and fits. The
checks of one item on its own are in `indexer.content.checks`, run as each file is read."""

from __future__ import annotations

import re

from indexer.content import checks, rating
from indexer.content.folder import EVERYDAY_WORDS_FILE, PUBLICATIONS_FILE, TAXONOMY_FILE, Content, ItemFile
from indexer.content.model import ITEM_ID_PATTERN, MODEL_FOR_KIND, Item
from indexer.content.problems import Problems, did_you_mean, display_path, has_errors
from indexer.content.yaml_lines import LocatedYaml, YamlMapping


def check_config_files(content: Content) -> None:
    """The taxonomy and publications agree with each other and with the content model."""
    taxonomy, publications = content.taxonomy, content.publications
    assert taxonomy is not None and publications is not None, "checked once read_config_files has read them"
    problems = Problems(display_path(content.root, content.root / PUBLICATIONS_FILE))
    kind_ids = [k.id for k in taxonomy.kinds]
    for kind_id in kind_ids:
        owners = [p.id for p in publications.publications if kind_id in p.kinds]
        if len(owners) != 1:
            problems.error(
                1,
                "kind-publication",
                f"the kind '{kind_id}' must belong to exactly one publication, not {owners or 'none'}",
            )
    layer_ids = {layer.id for layer in taxonomy.layers}
    for publication in publications.publications:
        for kind_id in publication.kinds:
            if kind_id not in kind_ids:
                problems.error(1, "unknown-value", f"publication '{publication.id}' names an unknown kind '{kind_id}'")
        for layer in publication.layers:
            if layer not in layer_ids:
                problems.error(1, "unknown-value", f"publication '{publication.id}' names an unknown layer '{layer}'")
    content.problems.extend(problems)
    problems = Problems(display_path(content.root, content.root / TAXONOMY_FILE))
    for kind_id in set(kind_ids) ^ set(MODEL_FOR_KIND):
        where = (
            "taxonomy.yaml but not in the content model"
            if kind_id in kind_ids
            else "the content model but not in taxonomy.yaml"
        )
        problems.error(1, "kind-model", f"the kind '{kind_id}' is in {where}")
    content.problems.extend(problems)


def check_across_items(content: Content, unpublished: frozenset[str] = frozenset()) -> None:
    """IDs are unique; every reference names an item that exists and fits. A reference to an item in
    `unpublished` (it has a working copy but no published version yet) is a warning, not an error."""
    by_id: dict[str, ItemFile] = {}
    for record in content.files:
        item_id = record.data.get("id") if record.data else None
        if not isinstance(item_id, str):
            continue
        if item_id in by_id:
            _, located = _front_matter(record)
            problems = Problems(record.display_path)
            problems.error(
                located.line_of(("id",)),
                "duplicate-id",
                f"the ID '{item_id}' is already used by {by_id[item_id].display_path}",
            )
            content.problems.extend(problems)
            record.item = None
        else:
            by_id[item_id] = record
    for record in content.files:
        if record.data is None:
            continue
        problems = Problems(record.display_path)
        _check_references(record, by_id, problems, unpublished)
        _check_citations(record, content, problems)
        if has_errors(problems):
            record.item = None
        content.problems.extend(problems)
    _check_everyday_words(content, by_id, unpublished)


def _front_matter(record: ItemFile) -> tuple[YamlMapping, LocatedYaml]:
    """The raw front matter of a file that has some, and the line of each key: a file whose front
    matter was read (`data` is set) has both, whether parsed now or restored from the cache."""
    assert record.data is not None and record.located is not None, f"{record.display_path}: no front matter"
    return record.data, record.located


def _check_citations(record: ItemFile, content: Content, problems: Problems) -> None:
    """Every cited source is in the register, once; and a working copy's rating is the one its
    records give (`indexer.content.rating`), unless the panel's judgement is written in it."""
    data, located = _front_matter(record)
    evidence = data.get("evidence")
    sources = evidence.get("sources") if isinstance(evidence, dict) else None
    if not isinstance(sources, list):
        return
    seen: set[str] = set()
    for index, cited in enumerate(sources):
        source_id = cited.get("source") if isinstance(cited, dict) else None
        if not isinstance(source_id, str):
            continue
        line = located.line_of(("evidence", "sources", index, "source"))
        if source_id not in content.sources:
            problems.error(
                line,
                "unknown-source",
                f"no source '{source_id}' in the register{did_you_mean(source_id, sorted(content.sources))}: "
                f"describe it in content/sources/{source_id}.yaml, or correct the ID",
            )
        elif source_id in seen:
            problems.error(line, "duplicate-source", f"the source '{source_id}' is cited twice: cite it once")
        seen.add(source_id)
    if content.judge_ratings and record.item is not None and not has_errors(problems):
        _check_rating(record.item, located, content, problems)


def _check_rating(item: Item, located: LocatedYaml, content: Content, problems: Problems) -> None:
    evidence = item.evidence
    given = rating.rate(item.kind, rating.resolve(evidence.citations, content.sources))
    line = located.line_of(("evidence", "strength"))
    if evidence.shows is None:
        problems.error(
            line,
            "rating-shows",
            f"say what the evidence shows: the records give 'shows: {given.shows}' (add it under 'strength')",
        )
        return
    if (evidence.strength, evidence.shows) == (given.strength, given.shows):
        if evidence.judgement is not None:
            problems.warning(
                located.line_of(("evidence", "judgement")),
                "judgement-not-needed",
                "the panel's judgement is recorded, but the rating is the one the records give: "
                "remove 'judgement', or keep it only if it says something the records do not",
            )
        return
    if evidence.judgement is None:
        counted = f" (counted: {', '.join(given.counted)})" if given.counted else ""
        problems.error(
            line,
            "rating-differs",
            f"the rating recorded, {evidence.strength} and {evidence.shows}, is not the one the source records "
            f"give: {given.strength} and {given.shows}{counted}. Correct the rating, correct the records, or "
            "write the panel's reason for departing from them in 'evidence.judgement' "
            "(the method: 'evidence_strengths' in content/taxonomy.yaml, and /evidence)",
        )


def _check_everyday_words(content: Content, by_id: dict[str, ItemFile], unpublished: frozenset[str]) -> None:
    """Everyday words are for items that exist (or await publication) and are not withdrawn."""
    problems = Problems(display_path(content.root, content.root / EVERYDAY_WORDS_FILE))
    for item_id, line in content.everyday_words_lines.items():
        record = by_id.get(item_id)
        if not re.fullmatch(ITEM_ID_PATTERN, item_id):
            continue  # not an ID at all: the schema reports it
        if record is None and item_id not in unpublished:
            problems.error(
                line,
                "unknown-item",
                f"everyday words for '{item_id}', which does not exist{did_you_mean(item_id, by_id)}",
            )
        elif record is not None and _front_matter(record)[0].get("status", "active") == "withdrawn":
            problems.warning(
                line,
                "everyday-words-withdrawn",
                f"everyday words for '{item_id}', which is withdrawn: move them to its replacement or remove them",
            )
    content.problems.extend(problems)


def _check_references(
    record: ItemFile, by_id: dict[str, ItemFile], problems: Problems, unpublished: frozenset[str]
) -> None:
    data, located = _front_matter(record)
    own_id = data.get("id")
    for field_name in ("related", "leads_to", "components", "replaced_by"):
        for where, target in checks.values_at(data, (field_name,)):
            if not isinstance(target, str):
                continue
            line = located.line_of(where)
            if target == own_id:
                problems.error(line, "self-reference", f"'{field_name}' points at the item itself")
                continue
            other = by_id.get(target)
            if other is None and target in unpublished:
                problems.warning(
                    line,
                    "not-yet-published",
                    f"'{field_name}' points at '{target}', which has no "
                    "published version yet: the link appears once it is published",
                )
                continue
            if other is None:
                problems.error(
                    line,
                    "dangling-reference",
                    f"'{field_name}' points at '{target}', which does not exist{did_you_mean(target, by_id)}",
                )
                continue
            other_data, _ = _front_matter(other)
            other_kind, other_status = other_data.get("kind"), other_data.get("status", "active")
            if field_name == "leads_to" and other_kind == record.folder_kind:
                problems.error(
                    line,
                    "leads-to-kind",
                    f"'leads_to' must point at what the tool leads to (a practice, intervention, "
                    f"adjustment or package), not at another {other_kind} '{target}'",
                )
            if field_name == "replaced_by" and other_status == "withdrawn":
                problems.error(
                    line, "replaced-by-withdrawn", f"'replaced_by' points at '{target}', which is itself withdrawn"
                )
            elif field_name != "replaced_by" and other_status == "withdrawn":
                problems.warning(
                    line, "reference-to-withdrawn", f"'{field_name}' points at '{target}', which is withdrawn"
                )
    if record.folder_kind == "identification-tool" and "leads_to" in data and not data.get("leads_to"):
        problems.error(
            located.line_of(("leads_to",)),
            "leads-nowhere",
            "an identification tool must lead to at least one practice, intervention, adjustment or package",
        )
    if data.get("replaced_by") and data.get("status", "active") != "withdrawn":
        problems.error(
            located.line_of(("replaced_by",)),
            "replaced-by-active",
            "'replaced_by' is only for withdrawn items: set 'status: withdrawn' or remove it",
        )
