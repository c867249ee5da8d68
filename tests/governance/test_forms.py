"""The workspace forms read into the domain's arguments, and a stale save's comparison."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from nis_library.governance.forms import draft_fields, edited_from, stale_comparison
from nis_library.governance.recommendations import InvalidInput, Recommendation

NOW = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)


def test_items_are_typed_ids_and_areas_and_layers_checkboxes():
    form = MultiDict(
        [
            ("text", "T"),
            ("rationale", "R"),
            ("items", " int-0001, ADJ-0002;SPP-0003 "),
            ("areas", "sensory"),
            ("layers", "targeted"),
            ("layers", "universal"),
        ]
    )
    fields = draft_fields(form)
    assert fields.items == ("INT-0001", "ADJ-0002", "SPP-0003")
    assert fields.areas == ("sensory",) and fields.layers == ("targeted", "universal")
    assert fields.as_kwargs()["text"] == "T"


def test_missing_fields_are_empty_not_errors_here():
    fields = draft_fields(MultiDict())
    assert (fields.text, fields.items, fields.areas) == ("", (), ())


@pytest.mark.parametrize("raw", ["", "0", "01", "１", "-1", "1.0", "x"])
def test_the_version_must_be_a_whole_number(raw):
    with pytest.raises(InvalidInput, match="open it again"):
        edited_from(MultiDict([("version", raw)]))


def test_the_version_read():
    assert edited_from(MultiDict([("version", "12")])) == 12


def test_a_stale_save_shows_each_field_beside_the_saved_one():
    theirs = Recommendation(
        "R-2031-S-01",
        "r",
        "Their text",
        "Same",
        ("INT-0001",),
        (),
        ("targeted",),
        "draft",
        None,
        None,
        None,
        NOW,
        "pat",
        None,
        None,
        None,
        NOW,
        2,
    )
    yours = draft_fields(
        MultiDict([("text", "My text"), ("rationale", "Same"), ("items", "INT-0001"), ("layers", "targeted")])
    )
    rows = {d.label: d for d in stale_comparison(yours, theirs)}
    assert rows["Recommendation"].differs and rows["Recommendation"].theirs == "Their text"
    assert not rows["Rationale"].differs and not rows["Items"].differs and not rows["Layers"].differs
