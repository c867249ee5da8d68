"""A gallery of broken content files: each fault gives its own clear message at the right line.

Every case starts from the valid fixture tree, breaks one thing, and asserts the exact problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from indexer.content.problems import Severity
from tests.support import ContentTree

PRA = "items/practice/PRA-0001.md"
INT = "items/intervention/INT-0001.md"
IDT = "items/identification-tool/IDT-0001.md"
ADJ = "items/adjustment/ADJ-0001.md"
SPP = "items/package/SPP-0001.md"
WORDS = "everyday-words.yaml"
SRC = "sources/eef-toolkit-oral-language.yaml"


@dataclass
class Fault:
    name: str
    file: str
    break_it: Callable[[ContentTree], None]
    code: str
    message: str  # a fragment the message must contain
    at: str | int  # the line: a fragment of the broken file's line, or a number


def swap(file: str, old: str, new: str) -> Callable[[ContentTree], None]:
    return lambda tree: tree.replace(file, old, new)


SCOPE = "scope.yaml"
# A valid scope file with two topics; the faults below break one thing in it. Line numbers matter.
VALID_SCOPE = """\
# Sample scope: topics the library does not cover
covers: Classroom strategies, interventions and adjustments for children with SEND.
topics:
  - id: medical-conditions
    title: managing medical conditions and medicines
    about: Caring for a medical condition in a setting.
    words:
      - diabetes
      - insulin
    go_to:
      - name: NHS website
        url: https://www.nhs.uk/
        for: Health information
  - id: school-transport
    title: home-to-school transport
    about: Who gets free travel to school.
    words:
      - school transport
      - school taxi
    go_to:
      - name: "GOV.UK: Home-to-school travel and transport"
        url: https://www.gov.uk/government/publications/home-to-school-travel-and-transport-guidance
        for: The statutory guidance
"""


def scope_with(old: str, new: str) -> Callable[[ContentTree], None]:
    """Write the valid scope file with `old` replaced by `new` (once)."""
    assert old in VALID_SCOPE, old
    return lambda tree: tree.write(SCOPE, VALID_SCOPE.replace(old, new, 1))


def everyday_words(*lines: str) -> Callable[[ContentTree], None]:
    """Write an everyday-words file: one valid entry, then `lines` (YAML, already indented)."""
    valid = ["# Sample everyday words", "items:", "  PRA-0001:", "    - can't sit still", "    - forgets his PE kit"]
    return lambda tree: tree.write(WORDS, "\n".join(valid + list(lines)) + "\n")


FAULTS = [
    Fault(
        "malformed YAML",
        PRA,
        swap(PRA, "areas: [executive-function]", "areas: [executive-function"),
        "malformed-yaml",
        "malformed YAML",
        "subcomponents:",
    ),
    Fault(
        "no front matter",
        PRA,
        lambda t: t.write(PRA, t.read(PRA).split("---", 2)[2]),
        "front-matter",
        "must start with a '---' line",
        1,
    ),
    Fault(
        "front matter never closed",
        PRA,
        lambda t: t.write(PRA, t.read(PRA).replace("\n---\n", "\n", 1)),
        "front-matter",
        "never closed",
        1,
    ),
    Fault(
        "front matter is a list",
        PRA,
        lambda t: t.write(PRA, "---\n- a\n- b\n---\n## What it is\nx\n"),
        "not-a-mapping",
        "must be a YAML mapping",
        1,
    ),
    Fault(
        "missing required field",
        PRA,
        swap(PRA, "title: Test practice - visual timetable for the whole class\n", ""),
        "missing-field",
        "missing required field 'title'",
        2,
    ),
    Fault(
        "misspelt field",
        PRA,
        swap(PRA, "tags:", "tgas:"),
        "unknown-field",
        "unknown field 'tgas' (did you mean 'tags'?)",
        "tgas:",
    ),
    Fault(
        "misspelt nested field",
        INT,
        swap(INT, "  strength: emerging", "  strenght: emerging"),
        "unknown-field",
        "unknown field 'evidence.strenght' (did you mean 'strength'?)",
        "strenght:",
    ),
    Fault(
        "duplicate key",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\ncost: low\n"),
        "duplicate-key",
        "the key 'cost' appears twice",
        "cost: low",
    ),
    Fault(
        "unknown area, with a suggestion",
        PRA,
        swap(PRA, "areas: [executive-function]", "areas: [executive-functon]"),
        "unknown-value",
        "unknown value 'executive-functon' in 'areas' (did you mean 'executive-function'?)",
        "areas:",
    ),
    Fault(
        "alias instead of the id",
        INT,
        swap(INT, "areas: [speech-language-communication]", "areas: [slcn]"),
        "unknown-value",
        "'slcn' is another name for 'speech-language-communication'",
        "areas:",
    ),
    Fault(
        "unknown layer lists the valid ones",
        PRA,
        swap(PRA, "layers: [universal]", "layers: [universal, tier-2]"),
        "unknown-value",
        "valid values: universal, targeted, targeted-plus, specialist",
        "layers:",
    ),
    Fault(
        "unknown type of source in the register",
        SRC,
        swap(SRC, "type: systematic-review", "type: meta-analysis"),
        "invalid-value",
        "'type': Input should be 'systematic-review', 'rct'",
        "type: meta-analysis",
    ),
    Fault(
        "value listed twice",
        INT,
        swap(INT, "phases: [early-years, primary]", "phases: [primary, primary]"),
        "duplicate-value",
        "'primary' is listed twice in 'phases'",
        "phases:",
    ),
    Fault(
        "sub-component of another area",
        PRA,
        swap(PRA, "subcomponents: [planning-organisation]", "subcomponents: [fine-motor]"),
        "subcomponent-area",
        "'fine-motor' belongs to area 'motor-physical'",
        "subcomponents:",
    ),
    Fault(
        "list given as a single value",
        PRA,
        swap(PRA, "phases: [primary]", "phases: primary"),
        "invalid-value",
        "'phases': Input should be a valid list",
        "phases:",
    ),
    Fault(
        "malformed ID",
        PRA,
        swap(PRA, "id: PRA-0001", "id: PRA-12"),
        "invalid-value",
        "'id': String should match pattern",
        "id:",
    ),
    Fault(
        "ID does not match the file name",
        PRA,
        swap(PRA, "id: PRA-0001", "id: PRA-0002"),
        "id-filename",
        "the ID 'PRA-0002' does not match the file name 'PRA-0001.md'",
        "id:",
    ),
    Fault(
        "ID prefix of another kind",
        PRA,
        swap(PRA, "id: PRA-0001", "id: INT-0009"),
        "id-prefix",
        "a practice ID starts with 'PRA-'",
        "id:",
    ),
    Fault(
        "duplicate ID",
        "items/practice/PRA-0002.md",
        lambda t: t.write("items/practice/PRA-0002.md", t.read(PRA).replace("id: PRA-0001", "id: PRA-0001")),
        "duplicate-id",
        "the ID 'PRA-0001' is already used by content/items/practice/PRA-0001.md",
        "id:",
    ),
    Fault(
        "kind does not match its folder",
        PRA,
        swap(PRA, "kind: practice", "kind: intervenshun"),
        "kind-folder",
        "kind 'intervenshun' (did you mean 'intervention'?) does not match the folder items/practice/",
        "kind:",
    ),
    Fault(
        "summary too long",
        PRA,
        swap(PRA, "summary: A fixture practice for the validator's tests.", "summary: " + "word " * 70),
        "invalid-value",
        "'summary': String should have at most 300 characters",
        "summary:",
    ),
    Fault(
        "evidence claimed without a source",
        PRA,
        swap(PRA, "strength: not-yet-rated", "strength: strong"),
        "evidence-without-source",
        "evidence strength 'strong' is claimed without a source",
        "strength:",
    ),
    Fault(
        "a rating typed by hand that the source records do not give",
        INT,
        swap(INT, "  strength: emerging", "  strength: moderate"),
        "rating-differs",
        "the rating recorded, moderate and positive, is not the one the source records give: emerging and "
        "positive (counted: eef-toolkit-oral-language). Correct the rating, correct the records, or write the "
        "panel's reason",
        "strength: moderate",
    ),
    Fault(
        "moderate on a developer's own trial of the item",
        INT,
        lambda t: (
            t.replace(INT, "  strength: emerging", "  strength: moderate"),
            t.replace(INT, "      applies: indirect\n      why: Reviews oral language approaches in general; it does not "
                      "test this intervention.\n", "      applies: direct\n"),
            t.replace(SRC, "type: systematic-review", "type: rct"),
            t.replace(SRC, "independence: independent", "independence: developer"),
        ),
        "rating-differs",
        "is not the one the source records give: emerging and positive",
        "strength: moderate",
    ),
    Fault(
        "strong on one independent trial of the item itself",
        INT,
        lambda t: (
            t.replace(INT, "  strength: emerging", "  strength: strong"),
            t.replace(INT, "      applies: indirect\n      why: Reviews oral language approaches in general; it does not "
                      "test this intervention.\n", "      applies: direct\n"),
            t.replace(SRC, "type: systematic-review", "type: rct"),
        ),
        "rating-differs",
        "the rating recorded, strong and positive, is not the one the source records give: moderate and positive",
        "strength: strong",
    ),
    Fault(
        "what the evidence shows left out",
        INT,
        swap(INT, "  shows: positive\n", ""),
        "rating-shows",
        "say what the evidence shows: the records give 'shows: positive'",
        "strength: emerging",
    ),
    Fault(
        "what the evidence shows typed by hand, and wrong",
        ADJ,
        swap(ADJ, "  shows: recommended", "  shows: positive"),
        "rating-differs",
        "the rating recorded, emerging and positive, is not the one the source records give: emerging and recommended",
        "strength: emerging",
    ),
    Fault(
        "a source written out in the item instead of cited from the register",
        INT,
        swap(
            INT,
            "    - source: eef-toolkit-oral-language\n      applies: indirect\n",
            "    - citation: Education Endowment Foundation, Oral language interventions\n      year: 2021\n"
            "      design: systematic-review\n    - source: eef-toolkit-oral-language\n      applies: indirect\n",
        ),
        "source-not-in-register",
        "cite the source from the register by its ID",
        "citation: Education Endowment Foundation, Oral language",
    ),
    Fault(
        "a source the register does not have",
        INT,
        swap(INT, "source: eef-toolkit-oral-language", "source: eef-toolkit-oral-languge"),
        "unknown-source",
        "no source 'eef-toolkit-oral-languge' in the register (did you mean 'eef-toolkit-oral-language'?)",
        "source: eef-toolkit-oral-languge",
    ),
    Fault(
        "one source cited twice",
        ADJ,
        swap(ADJ, "source: ehrc-technical-guidance-schools", "source: equality-act-2010"),
        "duplicate-source",
        "the source 'equality-act-2010' is cited twice",
        29,  # the second citation's line
    ),
    Fault(
        "an indirect source without saying why",
        INT,
        swap(INT, "      why: Reviews oral language approaches in general; it does not test this intervention.\n", ""),
        "invalid-value",
        "a source that applies 'indirect' needs 'why'",
        "- source: eef-toolkit-oral-language",
    ),
    Fault(
        "whose evidence it is recorded on the item, not on its sources",
        INT,
        swap(INT, "  shows: positive\n", "  shows: positive\n  population: mixed\n"),
        "evidence-population",
        "recorded on each source in the register now: remove 'evidence.population'",
        "population: mixed",
    ),
    Fault(
        "a finding the type of source cannot make",
        SRC,
        swap(SRC, "  direction: positive", "  direction: recommends"),
        "invalid-value",
        "a source of type 'systematic-review' cannot find 'recommends'",
        "id: eef-toolkit-oral-language",
    ),
    Fault(
        "an effect without what it is measured in",
        SRC,
        swap(SRC, "  metric: months of additional progress (EEF Toolkit)\n", ""),
        "invalid-value",
        "an effect needs its 'metric'",
        "finding:",
    ),
    Fault(
        "implausible source year",
        SRC,
        swap(SRC, "year: undated", "year: 20016"),
        "invalid-value",
        "year 20016 is not a plausible publication year",
        "id: eef-toolkit-oral-language",
    ),
    Fault(
        "source link that is not a URL",
        SRC,
        swap(SRC, "url: https://", "url: htps//"),
        "invalid-value",
        "'url'",
        "url:",
    ),
    Fault(
        "an identification tool without what a setting needs to choose it",
        IDT,
        swap(
            IDT,
            "tool:\n  norms: UK norms for children aged 3 to 8 (a fixture).\n"
            "  administered_by: Teachers or teaching assistants after a briefing.\n"
            "  licence: A fixture licence.\n  languages: English.\n",
            "",
        ),
        "tool-facts",
        "add 'tool' with 'norms', 'administered_by', 'licence' and 'languages'",
        "id: IDT-0001",
    ),
    Fault(
        "a source record named differently from its file",
        SRC,
        swap(SRC, "id: eef-toolkit-oral-language", "id: eef-oral-language"),
        "source-id-file",
        "the source's id 'eef-oral-language' must match its file name 'eef-toolkit-oral-language'",
        "id: eef-oral-language",
    ),
    Fault(
        "tool leads to nothing that exists",
        IDT,
        swap(IDT, "leads_to: [INT-0001]", "leads_to: [INT-0099]"),
        "dangling-reference",
        "'leads_to' points at 'INT-0099', which does not exist",
        "leads_to:",
    ),
    Fault(
        "tool leads nowhere",
        IDT,
        swap(IDT, "leads_to: [INT-0001]", "leads_to: []"),
        "leads-nowhere",
        "an identification tool must lead to at least one",
        "leads_to:",
    ),
    Fault(
        "tool leads to another tool",
        "items/identification-tool/IDT-0002.md",
        lambda t: t.write(
            "items/identification-tool/IDT-0002.md",
            t.read(IDT).replace("IDT-0001", "IDT-0002").replace("leads_to: [INT-0001]", "leads_to: [IDT-0001]"),
        ),
        "leads-to-kind",
        "not at another identification-tool 'IDT-0001'",
        "leads_to:",
    ),
    Fault(
        "tool without the sub-components it identifies",
        IDT,
        swap(IDT, "subcomponents: [language]\n", ""),
        "tool-subcomponents",
        "must say which sub-components it identifies",
        2,
    ),
    Fault(
        "replaced_by points at nothing",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\nstatus: withdrawn\nreplaced_by: PRA-0404\n"),
        "dangling-reference",
        "'replaced_by' points at 'PRA-0404', which does not exist",
        "replaced_by:",
    ),
    Fault(
        "replaced_by on an active item",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\nreplaced_by: INT-0001\n"),
        "replaced-by-active",
        "'replaced_by' is only for withdrawn items",
        "replaced_by:",
    ),
    Fault(
        "related item that does not exist",
        PRA,
        swap(PRA, "related: [INT-0001]", "related: [INT-0010]"),
        "dangling-reference",
        "'related' points at 'INT-0010', which does not exist (did you mean 'INT-0001'?)",
        "related:",
    ),
    Fault(
        "package missing a required part",
        SPP,
        swap(SPP, "  equipment: [A communication aid]\n", ""),
        "missing-field",
        "missing required field 'resources.equipment'",
        "resources:",
    ),
    Fault(
        "package with an empty part",
        SPP,
        swap(SPP, "adaptations: [Communication boards in every room]", "adaptations: []"),
        "empty-list",
        "'adaptations' must list at least one value",
        "adaptations:",
    ),
    Fault(
        "package outside the specialist layer",
        SPP,
        swap(SPP, "layers: [specialist]", "layers: [targeted]"),
        "layer-for-kind",
        "a package belongs only to the layers specialist, not 'targeted'",
        "layers:",
    ),
    Fault(
        "universal offer on a targeted item",
        INT,
        swap(INT, "layers: [targeted]", "layers: [targeted]\nuniversal_offer: [early-intervention]"),
        "universal-offer-layer",
        "'universal_offer' is only for items in the 'universal' layer",
        "universal_offer:",
    ),
    Fault(
        "standards item only in the specialist layer",
        INT,
        swap(INT, "layers: [targeted]", "layers: [specialist]"),
        "layer-for-publication",
        "published in 'standards', so its layers must include one of",
        "layers:",
    ),
    Fault(
        "missing body section",
        PRA,
        swap(PRA, "## Watch out for\nKeep it up to date.\n", ""),
        "missing-section",
        "missing the section '## Watch out for'",
        "Not yet rated.",
    ),
    Fault(
        "sections out of order",
        PRA,
        swap(
            PRA,
            "## How to do it\nShow the day's plan.\n\n## Who and when\nThe class teacher, every day.",
            "## Who and when\nThe class teacher, every day.\n\n## How to do it\nShow the day's plan.",
        ),
        "section-order",
        "the section '## How to do it' is out of order",
        "## How to do it",
    ),
    Fault(
        "misspelt section",
        PRA,
        swap(PRA, "## Watch out for", "## Watch out fr"),
        "unknown-section",
        "unexpected section '## Watch out fr' (did you mean 'watch out for'?)",
        "## Watch out fr",
    ),
    Fault(
        "a section with so many brackets it would stall the page",
        PRA,
        swap(PRA, "Show the day's plan.", "Show the day's plan.\n" + "[a] [b] [c] [d]\n" * 501),
        "markdown-too-complex",
        "'[' (at most 2000 in one text)",
        535,  # where the 2,001st '[' is: the 501st added line, after the heading (33) and the first line
    ),
    Fault(
        "a list nested deeper than any page can show",
        PRA,
        swap(PRA, "Show the day's plan.", "Show the day's plan.\n\n" + "".join("  " * d + "- step\n" for d in range(20))),
        "markdown-too-complex",
        "nest 13 levels deep",
        49,  # the thirteenth level: the heading (33), its line, a blank line, then the list from 36
    ),
    Fault(
        "a line too long to show",
        PRA,
        swap(PRA, "Show the day's plan.", "Show the day's plan.\n" + "x" * 5001),
        "markdown-too-complex",
        "5001 characters (at most 5000)",
        "x" * 100,
    ),
    Fault(
        "empty section",
        PRA,
        swap(PRA, "## Who and when\nThe class teacher, every day.", "## Who and when\n"),
        "empty-section",
        "the section '## Who and when' is empty",
        "## Who and when",
    ),
    Fault(
        "title as a body heading",
        PRA,
        swap(PRA, "## What it is", "# Visual timetable\n\n## What it is"),
        "top-level-heading",
        "do not use '#' headings",
        "# Visual timetable",
    ),
    Fault("empty file", PRA, lambda t: t.write(PRA, ""), "empty-file", "the file is empty", 1),
    Fault(
        "not UTF-8",
        PRA,
        lambda t: t.write(
            PRA,
            t.read(PRA).replace("Show the day's plan.", "Show the d\x00ay").encode("utf-8").replace(b"\x00", b"\xff"),
        ),
        "not-utf8",
        "not valid UTF-8",
        "## How to do it",
    ),
    Fault(
        "unknown kind folder",
        "items/practise/PRA-0009.md",
        lambda t: t.write("items/practise/PRA-0009.md", t.read(PRA)),
        "unknown-kind-folder",
        "'practise' is not a kind (did you mean 'practice'?)",
        1,
    ),
    Fault(
        "stray file in a kind folder",
        "items/practice/notes.txt",
        lambda t: t.write("items/practice/notes.txt", "draft"),
        "not-an-item",
        "only .md item files belong",
        1,
    ),
    # Hostile content: what could blow up the validator is refused before it is built.
    Fault(
        "YAML anchor and alias",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\nx: &a [lol, lol]\ny: *a\n"),
        "yaml-alias",
        "YAML anchors and aliases (&name, *name) are not allowed",
        "x: &a",
    ),
    Fault(
        "anchor in the taxonomy",
        "taxonomy.yaml",
        swap("taxonomy.yaml", "  - id: targeted-plus\n", "  - id: &t targeted-plus\n"),
        "yaml-alias",
        "YAML anchors and aliases",
        "id: &t targeted-plus",
    ),
    Fault(
        "YAML tag",
        PRA,
        swap(PRA, "cost: very-low", "cost: !!str very-low"),
        "yaml-tag",
        "YAML tags (tag:yaml.org,2002:str) are not allowed",
        "cost:",
    ),
    Fault(
        "nested too deep",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\nx: " + "[" * 40 + "]" * 40 + "\n"),
        "too-deep",
        "nested more than 32 levels deep",
        "x: [[[",
    ),
    Fault(
        "number with thousands of digits",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\nx: " + "9" * 5000 + "\n"),
        "number-too-long",
        "a number of 5,000 characters: numbers may be at most 32",
        "x: 999",
    ),
    Fault(
        "a date that does not exist",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\nx: 2026-13-45\n"),
        "malformed-yaml",
        "cannot read this value: month must be in 1..12",
        "x: 2026-13-45",
    ),
    Fault(
        "a list as a key",
        PRA,
        swap(PRA, "cost: very-low\n", "cost: very-low\n? [a]\n: b\n"),
        "yaml-key",
        "a key must be a plain name",
        "? [a]",
    ),
    Fault(
        "escaped control character in the title",
        PRA,
        swap(
            PRA,
            "title: Test practice - visual timetable for the whole class",
            'title: "Test\\vpractice - visual timetable for the whole class"',
        ),
        "control-character",
        "the control character U+000B is not allowed",
        "title:",
    ),
    Fault(
        "raw control character in the summary",
        PRA,
        swap(PRA, "summary: A fixture", "summary: A\x1b[31m fixture"),
        "control-character",
        "the control character U+001B is not allowed",
        "summary:",
    ),
    Fault(
        "NUL in the Markdown body",
        PRA,
        swap(PRA, "Keep it up to date.", "Keep it\x00 up to date."),
        "control-character",
        "U+0000",
        "Keep it",
    ),
    Fault(
        "item file is a link to a system file",
        PRA,
        lambda t: (t.path(PRA).unlink(), t.path(PRA).symlink_to("/etc/passwd")),
        "symlink",
        "symbolic links are not allowed in content/",
        1,
    ),
    Fault(
        "item file too large",
        PRA,
        lambda t: t.write(PRA, t.read(PRA) + "Padding. " * 30_000),
        "file-too-large",
        "files of this kind may be at most 256 KiB",
        1,
    ),
    # The everyday-words file: search vocabulary by item ID, checked like every other file.
    Fault(
        "everyday words for an item that does not exist",
        WORDS,
        everyday_words("  INT-0009:", "    - won't join in at group time"),
        "unknown-item",
        "everyday words for 'INT-0009', which does not exist (did you mean 'INT-0001'?)",
        "INT-0009:",
    ),
    Fault(
        "everyday words under something that is not an item ID",
        WORDS,
        everyday_words("  int-1:", "    - won't join in at group time"),
        "invalid-item-id",
        "'int-1' is not an item ID",
        "int-1:",
    ),
    Fault(
        "everyday phrase listed twice, ignoring case and spaces",
        WORDS,
        everyday_words("    - Can't  sit still"),
        "duplicate-phrase",
        "'Can't  sit still' is listed twice for 'PRA-0001' (first at line 4)",
        "Can't  sit",
    ),
    Fault(
        "empty everyday phrase",
        WORDS,
        everyday_words('    - "  "'),
        "empty-phrase",
        "the phrase is empty",
        '- "  "',
    ),
    Fault(
        "everyday phrase left blank",
        WORDS,
        everyday_words("    -"),
        "empty-phrase",
        "the phrase is empty",
        6,
    ),
    Fault(
        "everyday phrase too long",
        WORDS,
        everyday_words("    - " + "he will not settle " * 5),
        "phrase-too-long",
        "the phrase is 94 characters: at most 80",
        "he will not settle",
    ),
    Fault(
        "everyday phrase over two lines",
        WORDS,
        everyday_words("    - |", "      won't wear socks", "      or shoes"),
        "phrase-multi-line",
        "a phrase is one line",
        "- |",
    ),
    Fault(
        "everyday phrase with a control character",
        WORDS,
        everyday_words('    - "won\'t wear\vsocks"'),
        "control-character",
        "the control character U+000B is not allowed",
        "wear",
    ),
    Fault(
        "everyday phrase with HTML",
        WORDS,
        everyday_words("    - <b>hides under the table</b>"),
        "phrase-markup",
        "the phrase holds markup ('<')",
        "hides under",
    ),
    Fault(
        "everyday phrase with a Markdown link",
        WORDS,
        everyday_words("    - '[meltdowns](https://example.org)'"),
        "phrase-markup",
        "the phrase holds markup ('[')",
        "meltdowns",
    ),
    Fault(
        "too many everyday phrases for one item",
        WORDS,
        everyday_words("  INT-0001:", *[f"    - phrase number {n}" for n in range(31)]),
        "too-many-phrases",
        "'INT-0001' has 31 phrases: at most 30",
        "INT-0001:",
    ),
    Fault(
        "everyday words given as one phrase, not a list",
        WORDS,
        everyday_words("  INT-0001: can't say his sounds"),
        "invalid-value",
        "'items.INT-0001': Input should be a valid list",
        "INT-0001:",
    ),
    Fault(
        "misspelt top-level key in the everyday words",
        WORDS,
        lambda t: t.write(WORDS, "itmes:\n  PRA-0001:\n    - can't sit still\n"),
        "unknown-field",
        "unknown field 'itmes' (did you mean 'items'?)",
        "itmes:",
    ),
    Fault(
        "unknown key in the taxonomy named like a type",
        "taxonomy.yaml",
        lambda t: t.write("taxonomy.yaml", t.read("taxonomy.yaml") + "str: x\n"),
        "unknown-field",
        "unknown field 'str'",
        "str: x",
    ),
    Fault(
        "unknown top-level key named like a type",
        WORDS,
        lambda t: t.write(WORDS, "items: {}\nint: 3\n"),
        "unknown-field",
        "unknown field 'int'",
        "int: 3",
    ),
    Fault(
        "everyday words file is a link",
        WORDS,
        lambda t: (
            t.write("../elsewhere.yaml", "items: {}\n"),
            t.path(WORDS).symlink_to(t.root.parent / "elsewhere.yaml"),
        ),
        "symlink",
        "symbolic links are not allowed",
        1,
    ),
    Fault(
        "taxonomy is a link",
        "taxonomy.yaml",
        lambda t: (
            t.path("taxonomy.yaml").rename(t.root.parent / "elsewhere.yaml"),
            t.path("taxonomy.yaml").symlink_to(t.root.parent / "elsewhere.yaml"),
        ),
        "symlink",
        "symbolic links are not allowed",
        1,
    ),
    # The family summary (issue 14): plain text of 1 to 600 characters, no markup.
    Fault(
        "for_families with Markdown",
        PRA,
        swap(PRA, "sample: true", "for_families: Read **this** first.\nsample: true"),
        "invalid-value",
        "plain text only, no HTML or Markdown: remove '*'",
        "for_families:",
    ),
    Fault(
        "for_families with HTML",
        PRA,
        swap(PRA, "sample: true", "for_families: A <b>bold</b> claim.\nsample: true"),
        "invalid-value",
        "remove '<b'",
        "for_families:",
    ),
    Fault(
        "for_families too long",
        PRA,
        swap(PRA, "sample: true", "for_families: " + "word " * 130 + "\nsample: true"),
        "invalid-value",
        "at most 600 characters",
        "for_families:",
    ),
    Fault(
        "for_families empty",
        PRA,
        swap(PRA, "sample: true", "for_families: ' '\nsample: true"),
        "empty-value",
        "'for_families' must not be empty",
        "for_families:",
    ),
    Fault(
        "abbreviation in no synonym group",
        "synonyms.yaml",
        swap("synonyms.yaml", "abbreviations:\n", "abbreviations:\n  - {short: XYZ, means: nothing we know}\n"),
        "invalid-value",
        "abbreviation 'XYZ' is in no group",
        1,
    ),
    # The scope file (content/scope.yaml): topics the library does not cover.
    Fault(
        "scope place's address not https",
        SCOPE,
        scope_with("url: https://www.nhs.uk/", "url: http://www.nhs.uk/"),
        "not-https",
        "'url' must be an https:// address of a real page, not 'http://www.nhs.uk/'",
        "url: http://www.nhs.uk/",
    ),
    Fault(
        "scope place's address names no site",
        SCOPE,
        scope_with("url: https://www.nhs.uk/", "url: https:///conditions/"),
        "invalid-url",
        "'url' must name a site in lower case",
        "url: https:///conditions/",
    ),
    Fault(
        "scope word in two topics",
        SCOPE,
        scope_with("      - school taxi\n", "      - insulin\n"),
        "duplicate-scope-word",
        "'insulin' is already a word of topic 'medical-conditions' (line 9): "
        "a word or phrase may belong to one topic only",
        19,
    ),
    Fault(
        "scope word twice in one topic",
        SCOPE,
        scope_with("      - insulin\n", "      - insulin\n      - insulin\n"),
        "duplicate-scope-word",
        "'insulin' is listed twice in topic 'medical-conditions' (line 9)",
        10,
    ),
    Fault(
        "scope word with capital letters",
        SCOPE,
        scope_with("      - diabetes\n", "      - Diabetes\n"),
        "scope-word",
        "'Diabetes' in 'words' has capital letters: write it in lower case ('diabetes')",
        "- Diabetes",
    ),
    Fault(
        "scope word with punctuation",
        SCOPE,
        scope_with("      - diabetes\n", "      - diabetes!\n"),
        "scope-word",
        "'diabetes!' in 'words' may hold only lower-case letters and digits",
        "- diabetes!",
    ),
    Fault(
        "scope topic with one word",
        SCOPE,
        scope_with("      - insulin\n", ""),
        "too-few-words",
        "'words' lists 1: give at least 2",
        "words:",
    ),
    Fault(
        "scope topic with no go_to",
        SCOPE,
        scope_with(
            "    go_to:\n      - name: NHS website\n        url: https://www.nhs.uk/\n        for: Health information\n",
            "",
        ),
        "missing-field",
        "missing required field 'topics[0].go_to'",
        "- id: medical-conditions",
    ),
    Fault(
        "scope topic with an empty go_to",
        SCOPE,
        scope_with(
            "    go_to:\n      - name: NHS website\n        url: https://www.nhs.uk/\n        for: Health information\n",
            "    go_to: []\n",
        ),
        "no-place-to-go",
        "'go_to' lists no place: give at least one real place to go instead",
        "go_to: []",
    ),
    Fault(
        "scope topic listed twice",
        SCOPE,
        scope_with("  - id: school-transport", "  - id: medical-conditions"),
        "duplicate-topic",
        "the topic 'medical-conditions' is already listed (line 4): each topic once",
        14,
    ),
    Fault(
        "scope topic ID not a slug",
        SCOPE,
        scope_with("  - id: school-transport", "  - id: School transport"),
        "invalid-topic-id",
        "'id' must be lower-case words joined by hyphens, like 'medical-conditions', not 'School transport'",
        "id: School transport",
    ),
    Fault(
        "scope title ending with a full stop",
        SCOPE,
        scope_with("title: home-to-school transport", "title: home-to-school transport."),
        "scope-title",
        "'title' ends with '.': it is read inside a sentence",
        "title: home-to-school transport.",
    ),
    Fault(
        "unknown field in a scope topic",
        SCOPE,
        scope_with("    about: Who gets", "    abuot: Who gets"),
        "unknown-field",
        "unknown field 'topics[1].abuot' (did you mean 'about'?)",
        "abuot:",
    ),
    Fault(
        "misspelt 'for' of a place to go",
        SCOPE,
        scope_with("        for: Health information", "        fro: Health information"),
        "unknown-field",
        "unknown field 'topics[0].go_to[0].fro' (did you mean 'for'?)",
        "fro: Health information",
    ),
    Fault(
        "scope covers with HTML",
        SCOPE,
        scope_with("covers: Classroom strategies", "covers: Classroom <b>strategies</b>"),
        "invalid-value",
        "plain text only, no HTML or Markdown: remove '<b'",
        "covers:",
    ),
]


# Warnings: the file still loads, but an author should look again. The family summary (issue 20)
# describes what happens and promises no outcome; the short list is in indexer/content/family_text.py.
FAMILY_PROMISE = "family text describes what happens; it does not promise an outcome"
WARNINGS = [
    Fault(
        "for_families promises an outcome",
        PRA,
        swap(PRA, "sample: true", "for_families: A quiet table at lunch, so they can enjoy their meal.\nsample: true"),
        "family-promise",
        f"'so they can' in 'for_families': {FAMILY_PROMISE}",
        "for_families:",
    ),
    Fault(
        "for_families promise split over lines",
        INT,
        swap(
            INT,
            "cost: low\n",
            "cost: low\nfor_families: >-\n  A short group three times a week. It will\n  help your child to talk.\n",
        ),
        "family-promise",
        f"'will help' in 'for_families': {FAMILY_PROMISE}",
        "for_families:",
    ),
    Fault(
        "for_families promises readiness to learn",
        ADJ,
        swap(ADJ, "sample: true", "for_families: 'A trusted adult meets your child, who is then READY TO LEARN.'\nsample: true"),
        "family-promise",
        f"'READY TO LEARN' in 'for_families': {FAMILY_PROMISE}",
        "for_families:",
    ),
    Fault(
        "for_families claims evidence",
        PRA,
        swap(PRA, "sample: true", "for_families: A proven way to calm a busy classroom.\nsample: true"),
        "family-promise",
        "'proven' in 'for_families': family text makes no evidence claim",
        "for_families:",
    ),
    Fault(
        "for_families says the routine prevents upsets",
        PRA,
        swap(PRA, "sample: true", "for_families: The same words every day prevent upsets.\nsample: true"),
        "family-promise",
        "'prevent' in 'for_families'",
        "for_families:",
    ),
]


def _display(relative: str) -> str:
    if relative.startswith("items/practise/"):
        return "content/items/practise"
    return "content/" + relative


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_each_fault_is_reported_with_its_message_and_line(tree: ContentTree, fault: Fault):
    assert tree.load().problems == [], "the fixture tree must start valid"
    fault.break_it(tree)
    if isinstance(fault.at, int):
        line = fault.at
    elif fault.code == "not-utf8":
        line = tree.path(fault.file).read_bytes().split(b"\xff")[0].count(b"\n") + 1
    else:
        line = tree.line_of(fault.file, fault.at)

    library = tree.load()

    matching = [p for p in library.problems if p.code == fault.code and fault.message in p.message]
    assert matching, f"no {fault.code!r} problem containing {fault.message!r}; got:\n" + "\n".join(
        map(str, library.problems)
    )
    problem = matching[0]
    assert problem.path == _display(fault.file)
    assert problem.line == line
    assert not library.ok


@pytest.mark.parametrize("fault", WARNINGS, ids=[f.name for f in WARNINGS])
def test_each_warning_is_reported_with_its_message_and_line(tree: ContentTree, fault: Fault):
    fault.break_it(tree)
    library = tree.load()
    [problem] = library.problems
    assert (problem.severity, problem.code) == (Severity.WARNING, fault.code)
    assert fault.message in problem.message
    assert problem.path == _display(fault.file)
    assert problem.line == tree.line_of(fault.file, fault.at)
    assert library.ok


def test_each_promise_in_family_text_is_named_once(tree: ContentTree):
    tree.replace(
        PRA,
        "sample: true",
        "for_families: So that children can settle, staff use it every day. It ensures calm, so that children can play.\n"
        "sample: true",
    )
    messages = [p.message for p in tree.load().problems if p.code == "family-promise"]
    assert sorted(m.split(" in ", 1)[0] for m in messages) == ["'So that children can'", "'ensures'"]


def test_family_text_that_describes_is_not_warned_about(tree: ContentTree):
    """The list leaves out words that mostly describe honestly: an adult who helps, a note that
    comes home so a parent can praise, an adult who stops a game, an honest 'no cure'."""
    honest = (
        "An adult helps your child to set up a planner, and a note comes home so you can praise progress. "
        "The adult stops the game if it gets too loud. There is no cure and no guarantee; the school "
        "checks what difference it makes."
    )
    tree.replace(PRA, "sample: true", f"for_families: {honest}\nsample: true")
    assert tree.load().problems == []


def test_the_gallery_has_at_least_twenty_distinct_faults():
    assert len({f.code for f in FAULTS}) >= 20
    assert len(FAULTS) >= 40


def test_every_problem_in_a_file_is_reported_not_just_the_first(tree: ContentTree):
    tree.replace(PRA, "areas: [executive-function]", "areas: [executive-functon]")
    tree.replace(PRA, "tags:", "tgas:")
    tree.replace(PRA, "## Watch out for\nKeep it up to date.\n", "")
    tree.replace(IDT, "leads_to: [INT-0001]", "leads_to: [INT-0099]")
    codes = sorted(p.code for p in tree.load().problems)
    assert codes == ["dangling-reference", "missing-section", "unknown-field", "unknown-value"]


def test_an_invalid_item_is_not_handed_to_the_rest_of_the_system(tree: ContentTree):
    tree.replace(INT, "areas: [speech-language-communication]", "areas: [slcn]")
    library = tree.load()
    assert "INT-0001" not in library.items
    assert {"PRA-0001", "IDT-0001", "ADJ-0001", "SPP-0001"} <= set(library.items)


def test_a_reference_to_a_withdrawn_item_is_a_warning_not_an_error(tree: ContentTree):
    tree.replace(INT, "cost: low\n", "cost: low\nstatus: withdrawn\n")
    library = tree.load()
    assert [p.code for p in library.problems] == ["reference-to-withdrawn"] * 3
    assert library.ok


def test_a_panel_judgement_lets_a_rating_depart_from_the_records(tree: ContentTree):
    """The panel may rate differently from what the records give, but only with its reasons written
    on the item; a judgement on a rating the records give anyway is a warning."""
    tree.replace(INT, "  strength: emerging", "  strength: moderate")
    tree.replace(INT, "  sources:\n", "  judgement: The panel weighs the review's SEND subgroup.\n  sources:\n")
    assert tree.load().problems == []
    tree.replace(INT, "  strength: moderate", "  strength: emerging")
    [problem] = tree.load().problems
    assert (problem.severity, problem.code) == (Severity.WARNING, "judgement-not-needed")
    assert problem.line == tree.line_of(INT, "judgement:")


def test_background_sources_do_not_count(tree: ContentTree):
    """Cited for context or as a caution: the rating is as if it were not there."""
    tree.replace(
        INT,
        "      applies: indirect\n      why: Reviews oral language",
        "      applies: background\n      why: A caution. Reviews oral language",
    )
    [problem] = tree.load().problems
    assert problem.code == "rating-differs" and "give: not-yet-rated and not-rated" in problem.message


def test_a_taxonomy_without_words_for_a_rating_the_method_gives_is_refused(tree: ContentTree):
    tree.replace("taxonomy.yaml", "  - id: no-effect\n    label: No effect found\n", "")
    library = tree.load()
    assert library.taxonomy is None
    assert any("evidence_shows must be exactly" in p.message for p in library.problems)


def test_broken_taxonomy_is_reported_with_its_line(tree: ContentTree):
    tree.replace("taxonomy.yaml", "  - id: targeted-plus\n", "  - id: Targeted Plus\n")
    library = tree.load()
    assert library.taxonomy is None
    [problem] = library.problems
    assert problem.path == "content/taxonomy.yaml"
    assert problem.line == tree.line_of("taxonomy.yaml", "id: Targeted Plus")
    assert "'layers[2].id'" in problem.message


def test_truncated_files_never_crash_the_validator(tree: ContentTree):
    """Cut every fixture file at many points: the validator never raises, and a cut file is either
    still a whole, valid item or is reported as an error against that very file; a cut anywhere
    before the front matter closes is always an error."""
    originals = {rel: tree.read(rel) for rel in (PRA, INT, IDT, ADJ, SPP)}
    for rel, text in originals.items():
        front_matter_end = text.index("\n---", 3) + len("\n---")
        for cut in range(0, len(text), 7):
            tree.write(rel, text[:cut])
            library = tree.load()
            shown_as = next(f.display_path for f in library.files if f.display_path.endswith(rel))
            errors_here = [p for p in library.problems if p.path == shown_as and p.severity is Severity.ERROR]
            loaded = any(f.display_path == shown_as and f.item is not None for f in library.files)
            assert loaded != bool(errors_here), (rel, cut, [str(p) for p in library.problems])
            if cut < front_matter_end:
                assert errors_here, (rel, cut)
        tree.write(rel, text)
    assert tree.load().ok
