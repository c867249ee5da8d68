"""The public register (drafts never) as the register pages, the exports, the API and the item pages
read it: the state store's recommendations joined to the published record of the bundle being served."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from nis_library.catalogue import Catalogue
from nis_library.governance import library_names, recommendations, register
from nis_library.governance.register import Entry
from nis_library.history.published_history import versions_implementing


def public_entries(
    conn: Connection, catalogue: Catalogue, due_days: int, today: dt.date
) -> tuple[list[Entry], library_names.LibraryTerms]:
    library_terms = library_names.from_catalogue(catalogue)
    implementations = register.implementations_by_id(versions_implementing(catalogue))
    found = register.entries(
        recommendations.every(conn, public_only=True), implementations, library_terms, due_days, today
    )
    return found, library_terms


@dataclass(frozen=True)
class ItemRecommendations:
    about: list[Entry]  # public recommendations that name the item
    implements: list[tuple[str, Entry | None]]  # what the shown version implements (None: not public)


def for_item(
    conn: Connection, catalogue: Catalogue, item_id: str, implements: tuple[str, ...], due_days: int, today: dt.date
) -> ItemRecommendations:
    entries, _ = public_entries(conn, catalogue, due_days, today)
    by_id = {e.id: e for e in entries}
    return ItemRecommendations(register.about_item(entries, item_id), [(i, by_id.get(i)) for i in implements])
