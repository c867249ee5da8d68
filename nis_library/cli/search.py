"""`nis search`: the library searched from the command line, the results as plain text or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.bundle.location import BundleError
from nis_library.cli.base import INSTANCE_OPTION, command_settings, main
from nis_library.search import InvalidSearch
from nis_library.search import search as run_search
from nis_library.search.request import MODES, SORTS
from nis_library.search.results import Snippet


@main.command()
@click.argument("query", required=False, default="")
@INSTANCE_OPTION
@click.option("--area", multiple=True, help="Area of development (repeat for several).")
@click.option("--subcomponent", multiple=True, help="Sub-component of an area.")
@click.option("--layer", multiple=True, help="Layer of support.")
@click.option("--phase", multiple=True, help="Phase.")
@click.option("--kind", multiple=True, help="Kind of item.")
@click.option("--setting", multiple=True, help="Type of setting.")
@click.option("--evidence", multiple=True, help="Evidence strength.")
@click.option("--cost", multiple=True, help="Cost band.")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order of the results.")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=10, show_default=True)
@click.option("--as-typed", is_flag=True, help="Search the words as typed: do not correct their spelling.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
def search(
    query: str,
    instance_path: Path | None,
    mode: str,
    sort: str,
    page: int,
    per_page: int,
    as_typed: bool,
    as_json: bool,
    **filters,
) -> None:
    """Search the library in your own words, e.g.  nis search "can't sit still in assembly" --layer universal"""
    try:
        results = run_search(
            command_settings(INSTANCE_DIR=instance_path).instance_dir,
            query,
            {k: v for k, v in filters.items() if v},
            mode,
            page,
            per_page,
            sort=sort,
            as_typed=as_typed,
        )
    except InvalidSearch as invalid:
        raise click.BadParameter(invalid.message, param_hint=f"--{invalid.parameter.replace('_', '-')}") from None
    except BundleError as missing:
        click.echo(str(missing), err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(results.as_dict(), indent=2))
        return
    click.echo(render_results(results))


def _terminal_text(snippet: Snippet) -> str:
    """A snippet as terminal text, its matched words bold (click leaves the bold out when the output
    is not a terminal)."""
    return "".join(click.style(text, bold=True) if matched else text for text, matched in snippet.pieces())


def render_results(results) -> str:
    lines = []
    if any(hit.sample for hit in results.hits):
        lines.append("Sample content: illustrative, not the official National Inclusion Standards.")
    for message in results.messages:
        lines.append(message)
    if results.corrected_from:
        lines.append(f"Showing results for: {results.query} (search instead for the words as typed: --as-typed)")
    if results.did_you_mean:
        lines.append(f"Did you mean: {results.did_you_mean}?")
    for topic in results.out_of_scope:
        lines.append(f"The library does not cover {topic.title}. {topic.about}")
        lines.extend(f"  For this, go to {place.name}: {place.url}" for place in topic.go_to)
    described = f"'{results.query}'" if results.query else "everything"
    lines.append(f"{results.total} result(s) for {described} ({results.mode}), page {results.page} of {results.pages}")
    if results.query and not results.total:
        lines.append(f"The library has nothing about {described}.")
    if results.missing_words:
        lines.append(f"No item mentions: {', '.join(results.missing_words)}.")
    if results.expanded_with:
        lines.append(f"Also searched for: {', '.join(results.expanded_with)}")
    previous_related = False
    for hit in results.hits:
        why = " and ".join(hit.matched_by) or "browse"
        if hit.related and not previous_related:
            heading = "Less closely related (not counted):" if results.total else "Related, but not about this:"
            lines.extend(["", heading])
        previous_related = hit.related
        lines.append("")
        lines.append(click.style(f"{hit.rank}. {hit.title}", bold=True) + f"  [{hit.id}]")
        lines.append(
            f"   {hit.kind} · {', '.join(hit.layers)} · evidence: {hit.evidence} · cost: {hit.cost} · matched by {why}"
        )
        lines.append(f"   {_terminal_text(hit.snippet)}")
        if hit.why:
            lines.append(f"   {hit.why}")
    if not results.hits:
        lines.append("No items matched. Try fewer or different words, or remove a filter.")
    return "\n".join(lines)
