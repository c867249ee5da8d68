"""Checks that tie reviews, the published record and the working copies together."""

from __future__ import annotations

from pathlib import Path

from indexer.content.problems import did_you_mean, display_path, error_at
from indexer.content.taxonomy import Publication
from indexer.record.editions import MANIFEST_NAME, PublishedRecord
from indexer.record.library import Library
from indexer.record.reviews import REVIEWS_DIR
from indexer.record.schedule import is_scheduled_date


def check_publishing(library: Library) -> None:
    # load_library reads the published record whenever it has the taxonomy and publications.
    if library.publications is None or library.taxonomy is None or library.published is None:
        return
    publications = {p.id: p for p in library.publications.publications}
    _check_reviews(library, publications, {a.id for a in library.taxonomy.areas})
    _check_editions(library, library.published, publications)


def _display(library: Library, path: Path) -> str:
    return display_path(library.root, path)


def _check_reviews(library: Library, publications: dict[str, Publication], areas: set[str]) -> None:
    for review in library.reviews.values():
        where = _display(library, library.root / REVIEWS_DIR / f"{review.id}.yaml")
        publication = publications.get(review.publication)
        if publication is None:
            library.problems.append(
                error_at(
                    where,
                    1,
                    "unknown-publication",
                    f"unknown publication '{review.publication}'{did_you_mean(review.publication, publications)}",
                )
            )
            continue
        if review.due is not None and not is_scheduled_date(
            review.due, publication.first_review, publication.cycle_months
        ):
            library.problems.append(
                error_at(
                    where,
                    1,
                    "not-a-scheduled-date",
                    f"'due: {review.due}' is not a scheduled review date of {publication.id} "
                    f"(every {publication.cycle_months} months from {publication.first_review})",
                )
            )
        if review.scope is not None:
            for area in review.scope.areas:
                if area not in areas:
                    library.problems.append(
                        error_at(
                            where, 1, "unknown-value", f"unknown area '{area}' in the scope{did_you_mean(area, areas)}"
                        )
                    )
            for item_id in review.scope.items:
                if item_id not in library.working_ids:
                    library.problems.append(
                        error_at(where, 1, "dangling-reference", f"the scope names '{item_id}', which does not exist")
                    )


def _check_editions(library: Library, record: PublishedRecord, publications: dict[str, Publication]) -> None:
    for edition in record.editions:
        manifest = edition.manifest
        where = _display(library, edition.path / MANIFEST_NAME)
        if manifest.publication not in publications:
            library.problems.append(
                error_at(where, 1, "unknown-publication", f"unknown publication '{manifest.publication}'")
            )
            continue
        review = library.reviews.get(manifest.review)
        if review is None:
            library.problems.append(
                error_at(
                    where,
                    1,
                    "unknown-review",
                    f"the edition names review '{manifest.review}', which is not in {REVIEWS_DIR}/",
                )
            )
        elif review.publication != manifest.publication:
            library.problems.append(
                error_at(
                    where,
                    1,
                    "review-publication",
                    f"review '{review.id}' is a review of {review.publication}, not {manifest.publication}",
                )
            )
        allowed = set(publications[manifest.publication].kinds)
        for new in manifest.new_versions:
            if new.kind not in allowed:
                library.problems.append(
                    error_at(
                        where, 1, "kind-publication", f"{new.id} is a {new.kind}, which belongs to another publication"
                    )
                )
    for item_id, versions in record.versions.items():
        if item_id not in library.working_ids:
            library.problems.append(
                error_at(
                    _display(library, versions[-1].path),
                    1,
                    "published-item-missing",
                    f"{item_id} was published but its working copy is gone: IDs are never "
                    "deleted; restore the file and set 'status: withdrawn' instead",
                )
            )
