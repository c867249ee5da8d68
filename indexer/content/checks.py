"""Checks of one item on its own, beyond its shape: taxonomy values, sub-components, the rules of its
kind, evidence rules, body sections and promise words in the family summary (references between
items are `indexer.content.checker`'s).
Each check reads the raw front matter, so that one broken field does not
hide the problems in the others, and reports at the line of the offending key.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexer.content.body import Body
from indexer.content.family_text import promises_in
from indexer.content.folder import ItemFile
from indexer.content.problems import Problems, did_you_mean
from indexer.content.rendering import complexity_problems
from indexer.content.taxonomy import Publications, Taxonomy, Vocabulary
from indexer.content.yaml_lines import LocatedYaml, Path_, YamlMapping

# Front-matter fields whose values come from a taxonomy list ("*" = every element of a list).
TAXONOMY_FIELDS: dict[tuple[str, ...], str] = {
    ("areas",): "areas",
    ("subcomponents",): "subcomponents",
    ("layers",): "layers",
    ("universal_offer",): "universal_offer",
    ("phases",): "phases",
    ("settings",): "settings",
    ("delivered_by",): "delivered_by",
    ("format",): "formats",
    ("cost",): "cost_bands",
    ("training", "level"): "training_levels",
    ("evidence", "strength"): "evidence_strengths",
    ("evidence", "shows"): "evidence_shows",
    ("evidence", "population"): "evidence_populations",
    ("evidence", "sources", "*", "design"): "study_designs",
}
LIST_VALUE_LIMIT = 10  # list the valid values in a message when there are at most this many


def check_item(
    record: ItemFile, taxonomy: Taxonomy, publications: Publications, problems: Problems, judge_ratings: bool = True
) -> None:
    """Every check of one freshly read item file. With `judge_ratings` (a working copy) its sources must
    come from the register; the rating itself is checked against the register across files
    (`indexer.content.checker`)."""
    data, located, kind_id = record.data, record.located, record.folder_kind
    assert data is not None and located is not None, "the loader checks a file once its front matter is read"
    check_taxonomy_values(data, located, taxonomy, problems)
    check_subcomponents(data, located, taxonomy, problems)
    check_kind_rules(data, located, kind_id, taxonomy, publications, problems, record.path.stem)
    if judge_ratings and kind_id == "identification-tool" and "tool" not in data:
        problems.error(
            located.first_line,
            "tool-facts",
            "an identification tool says what a setting needs to choose it: add 'tool' with 'norms', "
            "'administered_by', 'licence' and 'languages' (write 'not recorded' where the sources do not say)",
        )
    check_evidence(data, located, taxonomy, problems, working=judge_ratings)
    check_sections(record.body, kind_id, taxonomy, problems, record.last_line)
    check_family_text(data, located, problems)


def values_at(data: object, path: tuple[str, ...], prefix: Path_ = ()) -> Iterator[tuple[Path_, object]]:
    """Every (path, value) reached by `path` in `data`, expanding lists."""
    if not path:
        if isinstance(data, list):
            for index, value in enumerate(data):
                yield prefix + (index,), value
        elif data is not None:
            yield prefix, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for index, value in enumerate(data):
                yield from values_at(value, rest, prefix + (index,))
    elif isinstance(data, dict) and head in data:
        yield from values_at(data[head], rest, prefix + (head,))


def check_taxonomy_values(data: YamlMapping, located: LocatedYaml, taxonomy: Taxonomy, problems: Problems) -> None:
    for path, vocab_name in TAXONOMY_FIELDS.items():
        vocabulary = taxonomy.vocabulary(vocab_name)
        seen: set[str] = set()
        for where, value in values_at(data, path):
            line = located.line_of(where)
            if not isinstance(value, str):
                continue  # wrong type: the schema reports it
            if value in seen and "*" not in path:  # e.g. two sources may share a design
                problems.error(line, "duplicate-value", f"'{value}' is listed twice in '{'.'.join(path)}'")
            seen.add(value)
            if value not in vocabulary:
                problems.error(line, "unknown-value", unknown_value_message(value, vocabulary, path))


def unknown_value_message(value: str, vocabulary: Vocabulary, path: tuple[str, ...]) -> str:
    field = ".".join(p for p in path if p != "*")
    canonical = vocabulary.canonical(value)
    if canonical:
        return f"'{value}' is another name for '{canonical}': write '{canonical}' in '{field}'"
    message = f"unknown value '{value}' in '{field}'{did_you_mean(value, vocabulary.ids())}"
    if len(vocabulary.ids()) <= LIST_VALUE_LIMIT:
        message += f"; valid values: {', '.join(vocabulary.ids())}"
    else:
        message += f"; see '{vocabulary.name}' in content/taxonomy.yaml"
    return message


def check_subcomponents(data: YamlMapping, located: LocatedYaml, taxonomy: Taxonomy, problems: Problems) -> None:
    area_of = taxonomy.area_of_subcomponent()
    areas = _list(data.get("areas"))
    if not all(area in taxonomy.vocabulary("areas") for area in areas):
        return  # an unknown area is reported already; comparing against it would only add noise
    for where, value in values_at(data, ("subcomponents",)):
        area = area_of.get(value) if isinstance(value, str) else None
        if area and area not in areas:
            problems.error(
                located.line_of(where),
                "subcomponent-area",
                f"sub-component '{value}' belongs to area '{area}', which is not in this item's areas",
            )


def check_kind_rules(
    data: YamlMapping,
    located: LocatedYaml,
    kind_id: str,
    taxonomy: Taxonomy,
    publications: Publications,
    problems: Problems,
    stem: str,
) -> None:
    kind = taxonomy.kind(kind_id)
    if kind is None:
        return
    item_id = data.get("id")
    if isinstance(item_id, str):
        line = located.line_of(("id",))
        if not item_id.startswith(kind.id_prefix + "-"):
            problems.error(line, "id-prefix", f"a {kind.id} ID starts with '{kind.id_prefix}-', not '{item_id}'")
        if item_id != stem:
            problems.error(line, "id-filename", f"the ID '{item_id}' does not match the file name '{stem}.md'")
    # Only the layers written as text: anything else (a list in the list) is the schema's to report.
    layers = [layer for layer in _list(data.get("layers")) if isinstance(layer, str)]
    if kind.layers is not None:
        for where, value in values_at(data, ("layers",)):
            if value not in kind.layers:
                problems.error(
                    located.line_of(where),
                    "layer-for-kind",
                    f"a {kind.id} belongs only to the layers {', '.join(kind.layers)}, not '{value}'",
                )
    publication = publications.for_kind(kind.id)
    if publication and layers and not set(layers) & set(publication.layers):
        problems.error(
            located.line_of(("layers",)),
            "layer-for-publication",
            f"a {kind.id} is published in '{publication.id}', so its layers must include one of "
            f"{', '.join(publication.layers)}",
        )
    universal = [layer.id for layer in taxonomy.layers][0]  # the first layer is the Universal offer
    if data.get("universal_offer") and universal not in layers:
        problems.error(
            located.line_of(("universal_offer",)),
            "universal-offer-layer",
            f"'universal_offer' is only for items in the '{universal}' layer",
        )
    if kind.id == "identification-tool" and "subcomponents" in data and not data.get("subcomponents"):
        problems.error(
            located.line_of(("subcomponents",)),
            "tool-subcomponents",
            "an identification tool must say which sub-components it identifies",
        )
    elif kind.id == "identification-tool" and "subcomponents" not in data:
        problems.error(
            located.first_line,
            "tool-subcomponents",
            "an identification tool must say which sub-components it identifies: add 'subcomponents'",
        )


def check_evidence(
    data: YamlMapping, located: LocatedYaml, taxonomy: Taxonomy, problems: Problems, working: bool
) -> None:
    """A rating that needs sources cites some; a working copy cites them from the register (versions
    published before it wrote them out, with one population for the item)."""
    evidence = data.get("evidence")
    if not isinstance(evidence, dict):
        return
    strengths = {s.id: s for s in taxonomy.evidence_strengths}
    strength_id = evidence.get("strength")
    strength = strengths.get(strength_id) if isinstance(strength_id, str) else None
    sources = _list(evidence.get("sources"))
    if strength and strength.needs_sources and not sources:
        unrated = next((s.id for s in taxonomy.evidence_strengths if not s.needs_sources), "")
        problems.error(
            located.line_of(("evidence", "strength")),
            "evidence-without-source",
            f"evidence strength '{strength.id}' is claimed without a source: "
            f"cite a source or set strength to '{unrated}'",
        )
    written_out = [i for i, s in enumerate(sources) if isinstance(s, dict) and "source" not in s]
    if working:
        for index in written_out:
            problems.error(
                located.line_of(("evidence", "sources", index)),
                "source-not-in-register",
                "cite the source from the register by its ID ('- source: <id>' with 'applies'): describe it "
                "once in content/sources/<id>.yaml, so every item that cites it agrees",
            )
        if "population" in evidence:
            problems.error(
                located.line_of(("evidence", "population")),
                "evidence-population",
                "whose evidence it is is recorded on each source in the register now: remove 'evidence.population'",
            )
        return
    if written_out and not evidence.get("population"):
        problems.error(
            located.line_of(("evidence",)),
            "evidence-population",
            "say whose evidence it is: 'evidence.population' is required when sources are written out",
        )


def _list(value: object) -> list[object]:
    """`value` if it is a list, else empty: a value of another type is the schema's to report."""
    return value if isinstance(value, list) else []


def check_family_text(data: YamlMapping, located: LocatedYaml, problems: Problems) -> None:
    """A warning for each promise of an outcome or claim of evidence in the family summary (the
    short list in `indexer.content.family_text`): a prompt to reread it, not a judgement of it."""
    text = data.get("for_families")
    if not isinstance(text, str):
        return  # missing, or the wrong type: the schema reports it
    for phrase, why in promises_in(text):
        problems.warning(
            located.line_of(("for_families",)),
            "family-promise",
            f"'{phrase}' in 'for_families': {why} (say what the setting does and what the child experiences)",
        )


def check_sections(body: Body | None, kind_id: str, taxonomy: Taxonomy, problems: Problems, last_line: int) -> None:
    kind = taxonomy.kind(kind_id)
    if kind is None or body is None:
        return
    for line, heading in body.top_level_headings:
        problems.error(
            line,
            "top-level-heading",
            f"'# {heading}': do not use '#' headings in the body; the title comes from the front matter",
        )
    if body.preamble:
        problems.error(
            body.preamble_line, "text-before-sections", f"the body must start with the section '## {kind.sections[0]}'"
        )
    expected = list(kind.sections)
    seen: list[str] = []
    furthest = -1  # the index in `expected` of the furthest section seen so far
    for section in body.sections:
        for line, message in complexity_problems(section.text, section.first_text_line):
            problems.error(line, "markdown-too-complex", message)
        if section.heading not in expected:
            problems.error(
                section.line,
                "unknown-section",
                f"unexpected section '## {section.heading}'{did_you_mean(section.heading.lower(), [s.lower() for s in expected])}; "
                f"a {kind.id} has: {' · '.join(expected)}",
            )
            continue
        if section.heading in seen:
            problems.error(section.line, "duplicate-section", f"the section '## {section.heading}' appears twice")
            continue
        if expected.index(section.heading) < furthest:
            problems.error(
                section.line,
                "section-order",
                f"the section '## {section.heading}' is out of order; the order is: {' · '.join(expected)}",
            )
        seen.append(section.heading)
        furthest = max(furthest, expected.index(section.heading))
        if not section.text:
            problems.error(section.line, "empty-section", f"the section '## {section.heading}' is empty")
    for heading in expected:
        if heading not in seen:
            problems.error(last_line, "missing-section", f"missing the section '## {heading}'")
