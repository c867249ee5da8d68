"""Result cards' tags and facts are rendered once per item and cached (nis_library/web/fragments.py):
what is cached is what the macros render, the preview keeps its own links, and a rebuilt
library with new labels draws them again."""

from __future__ import annotations

import re

import pytest
from flask import get_template_attribute

from nis_library import create_app
from nis_library.catalogue import get_catalogue
from nis_library.loaded_bundles import LOADED
from nis_library.search.bundle_search import search
from nis_library.web import fragments
from tests.support import ContentTree, build_hashing, sign_in

CARD_PARTS = re.compile(r'<div class="app-result__meta">.*?</dl>', re.S)


def cards(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return CARD_PARTS.findall(response.get_data(as_text=True))


def test_a_cached_part_is_what_the_macro_renders(shipped_instance):
    app = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True})
    with app.test_request_context("/search?q=noise"):
        labels = get_catalogue(shipped_instance).labels
        hit = search(shipped_instance, "noise", {}, "hybrid", 1).hits[0]
        for part in fragments.PARTS:
            rendered = fragments.rendered_card_part(part, hit, labels)
            assert rendered == get_template_attribute(fragments.MACROS, part)(hit, labels) and "<" in rendered
            assert fragments.rendered_card_part(part, hit, labels) is rendered  # cached, not rendered again
    client = app.test_client()
    assert cards(client, "/search?q=noise") == cards(client, "/search?q=noise")  # first rendered, then cached


def test_the_preview_keeps_its_own_links(shipped_with_preview):
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "TESTING": True, "PREVIEW": True})
    client = app.test_client()
    public = cards(client, "/search?q=noise")
    sign_in(app, client)
    preview = cards(client, "/preview/search?q=noise")
    assert public and preview
    # The cached parts (tags and facts) hold no links since tags became labels (issue 24), so nothing
    # in them differs between the preview and the public pages; the card's own links do.
    assert not any("href=" in card for card in public + preview)
    public_page = client.get("/search?q=noise").get_data(as_text=True)
    preview_page = client.get("/preview/search?q=noise").get_data(as_text=True)
    assert 'href="/preview/items/' in preview_page and 'href="/preview/items/' not in public_page


def test_a_rebuilt_library_with_new_labels_renders_its_parts_again(tree: ContentTree, instance):
    build_hashing(tree, instance, source="working")
    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True}).test_client()
    assert any("Very low" in card for card in cards(client, "/search?q=fixture"))
    tree.replace("taxonomy.yaml", "label: Very low\n", "label: Next to nothing\n")
    build_hashing(tree, instance, source="working")
    cards(client, "/search?q=fixture")  # still the old bundle's, while the new one loads
    LOADED.wait_until_warm(instance, timeout=60)
    after = cards(client, "/search?q=fixture")
    assert after and not any("Very low" in card for card in after)
    assert any("Next to nothing" in card for card in after)


@pytest.mark.parametrize("part", ["item_card", "area_list", "nonsense"])
def test_only_the_card_parts_can_be_rendered(part, shipped_instance):
    app = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True})
    with app.test_request_context("/"), pytest.raises(ValueError, match="not a card part"):
        fragments.rendered_card_part(part, None, None)


MENU_ACTIVE = re.compile(r'service-navigation__item--active">\s*<a[^>]*href="([^"]+)"')


@pytest.mark.parametrize(
    "path, marked",
    [
        ("/search?q=noise", ["/search"]),
        ("/areas", ["/areas"]),
        ("/areas/sensory", ["/areas"]),
        ("/editions", ["/editions"]),
        ("/recommendations", ["/recommendations"]),
        ("/", []),
        ("/glossary", []),
    ],
)
def test_the_cached_menu_marks_the_section_of_each_page(shipped_instance, path, marked):
    client = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True}).test_client()
    for _ in range(2):  # rendered, then cached
        assert MENU_ACTIVE.findall(client.get(path).get_data(as_text=True)) == marked


def test_the_preview_keeps_its_own_chrome(shipped_with_preview):
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "TESTING": True, "PREVIEW": True})
    client = app.test_client()
    public = client.get("/search?q=noise").get_data(as_text=True)
    sign_in(app, client)
    preview = client.get("/preview/search?q=noise").get_data(as_text=True)
    assert 'class="govuk-service-navigation__link" href="/search"' in public
    assert 'class="govuk-service-navigation__link" href="/preview/search"' in preview
    assert 'href="/preview/glossary">Glossary' in preview and 'href="/glossary">Glossary' in public


def test_only_the_chrome_parts_can_be_rendered_as_chrome(shipped_instance):
    app = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True})
    with app.test_request_context("/"), pytest.raises(ValueError, match="not a part of the chrome"):
        fragments.rendered_chrome("item_tags")


def test_a_card_part_is_rendered_again_when_any_field_of_its_summary_changes(shipped_instance):
    """Before: cached under a hand-picked list of fields that lacked `title` and `shows`, which
    the macros read, so a part rendered before either changed would have been served after."""
    import dataclasses

    from nis_library.catalogue import ItemSummary

    app = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True})
    with app.test_request_context("/search?q=noise"):
        labels = get_catalogue(shipped_instance).labels
        hit = search(shipped_instance, "noise", {}, "hybrid", 1).hits[0]
        summary = ItemSummary(**hit.summary_fields())
        changes = {"layers": ("specialist",), "areas": ("sensory-physical",), "sample": not summary.sample}
        for field in dataclasses.fields(ItemSummary):
            changed = dataclasses.replace(summary, **{field.name: changes.get(field.name, "changed-" + field.name)})
            for part in fragments.PARTS:
                fragments.rendered_card_part(part, summary, labels)
                fresh = get_template_attribute(fragments.MACROS, part)(changed, labels)
                assert fragments.rendered_card_part(part, changed, labels) == fresh, (part, field.name)


def test_the_card_macros_read_nothing_but_the_summarys_fields():
    """What the cache keys on is the whole summary: a macro reading a field that is not one of its
    fields (a hit's rank or snippet) would read nothing, since it is rendered from the summary."""
    import dataclasses

    from nis_library.catalogue import ItemSummary
    from tests.support import REPO

    source = (REPO / "templates" / fragments.MACROS).read_text(encoding="utf-8")
    read = set()
    for part in fragments.PARTS:
        body = source.split(f"{{% macro {part}(", 1)[1].split("{% endmacro %}", 1)[0]
        read |= set(re.findall(r"\bitem\.([a-z_]+)", body))
    assert read and read <= {f.name for f in dataclasses.fields(ItemSummary)}, read
