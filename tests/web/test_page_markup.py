"""The search page's purpose-made templates give the markup GOV.UK Frontend's own macros give.

The filter panel (and the rest of the results) is written out by hand because the generic macros
cost most of the page's time. Here each hand-written template is swapped back for a reference that
calls the real macro, the same pages are drawn both ways, and the two must match once whitespace
is normalised: if either side changes its markup, these tests fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template_string
from jinja2 import ChoiceLoader, DictLoader

from nis_library import create_app
from nis_library.search import FacetValue
from nis_library.search.view_model import FilterGroup

# What the hand-written templates replace, through the real GOV.UK macros.
REFERENCES = {
    "search/_filter_group.html": """
{% from "govuk_frontend_jinja/components/checkboxes/macro.html" import govukCheckboxes %}
{% macro filter_group(group) %}
  {% set items = [] %}
  {% for value in group['values'] %}
    {% set label_html %}{{ value.label }} <span class="app-filter-count">({{ value.count }})</span>{% endset %}
    {% set _ = items.append({
      'value': value.value,
      'id': 'filter-' ~ group.name ~ '-' ~ value.value,
      'html': label_html,
      'checked': value.selected
    }) %}
  {% endfor %}
  {% set hint_html %}{% if group.hint %}{{ group.hint }} {% endif %}{% if group.glossary %}<a class="govuk-link" href="{{ page_url('browse.glossary') }}#{{ group.glossary }}">What each {{ group.legend | lower }} means</a>{% endif %}{% endset %}
  {{ govukCheckboxes({
    'name': group.name,
    'classes': 'govuk-checkboxes--small',
    'fieldset': {'legend': {'text': group.legend, 'classes': 'govuk-fieldset__legend--s'}},
    'hint': {'html': hint_html} if group.hint or group.glossary else None,
    'items': items
  }) }}
{% endmacro %}
""",
    "search/_match_mode.html": """
{% from "govuk_frontend_jinja/components/radios/macro.html" import govukRadios %}
{{ govukRadios({
  'name': 'mode',
  'idPrefix': 'mode',
  'classes': 'govuk-radios--inline govuk-radios--small',
  'fieldset': {'legend': {'text': 'Match', 'classes': 'govuk-fieldset__legend--s'}},
  'hint': {'html': '<a class="govuk-link" href="' ~ page_url('browse.glossary') ~ '#match">How each match works</a>'},
  'items': [
    {'value': 'hybrid', 'text': 'Words and meaning', 'checked': results.mode == 'hybrid'},
    {'value': 'keyword', 'text': 'Exact words', 'checked': results.mode == 'keyword'},
    {'value': 'semantic', 'text': 'Meaning only', 'checked': results.mode == 'semantic'},
  ]
}) }}
""",
    "search/_pagination.html": """
{% from "govuk_frontend_jinja/components/pagination/macro.html" import govukPagination %}
{{ govukPagination(view.pagination) }}
""",
}

PAGES = [
    "/search?q=noise",
    "/search",  # everything, paginated
    "/search?page=2",  # previous and next
    "/search?page=6",  # the last page
    "/search?page=3&mode=keyword&q=the",
    "/search?q=noise&mode=semantic",
    "/search?q=noise&layer=targeted&kind=intervention",  # filtered
    "/search?q=noise&area=sensory",  # an area's sub-components shown
    "/search?q=noise&subcomponent=attention&area=motor-physical",  # a sub-component chosen
    "/search?q=zzqqxx",  # no results
    "/search?q=zzqqxx&layer=targeted",  # no results, with a filter
    "/search?q=handwritting",  # did you mean
    "/search?q=%3Cb%3E%22x%22%26",  # a query to escape
    "/search?page=99",  # past the end
]


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.fixture(scope="module")
def apps(shipped_instance: Path):
    settings = {"INSTANCE_DIR": str(shipped_instance), "TESTING": True}
    fast, reference = create_app(settings), create_app(settings)
    reference.jinja_loader = ChoiceLoader([DictLoader(REFERENCES), reference.jinja_loader])
    return fast, reference


@pytest.mark.parametrize("fragment", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("url", PAGES)
def test_search_pages_match_the_govuk_macros(apps, url, fragment):
    headers = {"HX-Request": "true"} if fragment else {}
    fast, reference = (normalised(app.test_client().get(url, headers=headers).get_data(as_text=True)) for app in apps)
    assert 'class="govuk-checkboxes__item"' in reference
    assert fast == reference


def test_a_filter_group_escapes_and_checks_as_the_macro_does(apps):
    group = FilterGroup(
        "layer",
        'Layers & <"tiers">',
        [
            FacetValue("targeted", "Targeted <b>", 3, True),
            FacetValue('x"><script>', "A & B", 0, False),
        ],
        hint="Choose <one> & more",
    )
    template = '{% from "search/_filter_group.html" import filter_group %}{{ filter_group(group) }}'
    drawn = []
    for app in apps:
        with app.test_request_context():
            drawn.append(normalised(render_template_string(template, group=group)))
    fast, reference = drawn
    assert "<script>" not in fast and "Targeted &lt;b&gt;" in fast and 'aria-describedby="layer-hint"' in fast
    assert fast == reference
