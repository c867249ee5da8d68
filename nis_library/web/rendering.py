"""Item sections as the page shows them: rendered at build (`indexer.content.rendering`) and read
from the bundle, never rendered per request. Short texts the service renders itself (release notes,
review findings, the API page) go through the same sanitising renderer, cached per text; release
notes and findings only within the bounds item text keeps to (`render_short_text`)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from indexer.content.rendering import render_markdown, render_short_text

__all__ = ["RenderedSection", "render_markdown", "render_short_text", "stored_sections"]


@dataclass(frozen=True)
class RenderedSection:
    heading: str
    anchor: str  # the id of its heading, for links to the section
    html: Markup


def stored_sections(sections: list[dict]) -> list[RenderedSection]:
    """The sections of a bundle row ({heading, anchor, html, ...}), already rendered and sanitised."""
    return [RenderedSection(s["heading"], s["anchor"], Markup(s["html"])) for s in sections]
