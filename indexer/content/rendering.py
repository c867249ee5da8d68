"""Item text from Markdown to safe HTML in the GOV.UK style.

Markdown renders the text; nh3 then keeps only the tags and attributes below (heading ids
included, so a section can be linked) and adds the GOV.UK classes, so content can never carry
scripts, styles or event handlers into a page.

Item sections are rendered once, by `nis build`, into the bundle (`rendered_sections`): never while
a page is being answered. Python-Markdown's link parsing is quadratic in the brackets of a text and
its lists recurse per level, so `complexity_problems` bounds both (and a line's length), and
`nis validate` refuses a section beyond them, at its line, before any build renders it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TypedDict

import markdown
import nh3
from markdown.extensions.toc import slugify
from markupsafe import Markup

from indexer.content.markdown_bounds import complexity_problems

__all__ = ["complexity_problems", "render_markdown", "render_short_text", "rendered_sections"]

ALLOWED_TAGS = {
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "h3",
    "h4",
    "blockquote",
    "code",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h3": {"id"}, "h4": {"id"}, "th": {"scope"}}
GOVUK_CLASSES = {
    "p": {"class": "govuk-body"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
    "h3": {"class": "govuk-heading-m"},
    "h4": {"class": "govuk-heading-s"},
    "table": {"class": "govuk-table"},
    "tr": {"class": "govuk-table__row"},
    "th": {"class": "govuk-table__header"},
    "td": {"class": "govuk-table__cell"},
    "blockquote": {"class": "govuk-inset-text"},
}


class SectionText(TypedDict):
    """What rendering reads of a section: any other keys (its line, ...) are passed through."""

    heading: str
    text: str


def rendered_sections(sections: Sequence[SectionText]) -> list[dict[str, object]]:
    """Each section ({heading, line, text}) with its heading's `anchor` (unique in the item) and its
    text as sanitised `html`: what the bundle stores."""
    seen: set[str] = set()
    rendered: list[dict[str, object]] = []
    for section in sections:
        anchor = base = slugify(section["heading"], "-") or "section"
        n = 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        html = str(render_markdown(section["text"], prefix=anchor))
        rendered.append(dict(section) | {"anchor": anchor, "html": html})
    return rendered


@lru_cache(maxsize=4096)
def render_markdown(text: str, prefix: str = "") -> Markup:
    """Markdown to sanitised HTML; sub-heading ids are prefixed with the section's anchor so two
    sections' sub-headings cannot clash."""

    def prefixed_slug(value: str, separator: str) -> str:
        return f"{prefix}-{slugify(value, separator)}" if prefix else slugify(value, separator)

    md = markdown.Markdown(
        extensions=["sane_lists", "tables", "toc"], extension_configs={"toc": {"slugify": prefixed_slug}}
    )
    # Authors write sub-headings as ### inside a ## section; a stray # or ## would compete with the
    # page's own headings, so they are demoted to ###.
    html = (
        md.convert(text).replace("<h1", "<h3").replace("</h1>", "</h3>").replace("<h2", "<h3").replace("</h2>", "</h3>")
    )
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            set_tag_attribute_values=GOVUK_CLASSES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


def render_short_text(text: str) -> Markup:
    """A short text the service shows as it is asked for (release notes, a review's findings): rendered
    if within the bounds, else shown escaped, line by line, so no text can stall a page. `nis
    validate` and `nis publish` refuse such texts; this guards what was published before they did."""
    if not complexity_problems(text, 1):
        return render_markdown(text)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return Markup("").join(Markup('<p class="govuk-body">{}</p>').format(p) for p in paragraphs)
