"""Review dates: pure functions of the cycle in `content/publications.yaml`, the reviews held, and
today's date. Nothing here reads files or the clock.

A publication's scheduled reviews fall on `first_review + k × cycle_months` (k = 0, 1, 2, …),
always counted from the first review so month ends do not drift: with a first review on 31 August
and a six-month cycle, the dates are 28 (or 29) February and then 31 August again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from dateutil.relativedelta import relativedelta

UPCOMING = 3  # scheduled dates the reviews page lists


def scheduled_dates(first_review: dt.date, cycle_months: int) -> Iterator[dt.date]:
    """Every scheduled review date, in order, without end."""
    if cycle_months < 1:
        raise ValueError("cycle_months must be at least 1")
    k = 0
    while True:
        yield first_review + relativedelta(months=k * cycle_months)
        k += 1


def is_scheduled_date(day: dt.date, first_review: dt.date, cycle_months: int) -> bool:
    return next(d for d in scheduled_dates(first_review, cycle_months) if d >= day) == day


def next_scheduled(first_review: dt.date, cycle_months: int, after: dt.date) -> dt.date:
    """The first scheduled date strictly after `after`."""
    return next(d for d in scheduled_dates(first_review, cycle_months) if d > after)


@dataclass(frozen=True)
class HeldReview:
    """What the schedule needs to know of a review."""

    id: str
    type: str  # initial, scheduled or out-of-cycle
    due: dt.date | None  # scheduled: the scheduled date it answers
    opened: dt.date | None
    closed: dt.date | None


@dataclass(frozen=True)
class PublicationSchedule:
    last_review: HeldReview | None  # the latest closed review of any type
    last_scheduled: HeldReview | None  # the latest closed scheduled review
    next_due: dt.date  # the earliest scheduled date no closed review answers
    overdue: bool  # next_due has passed and its review is not closed
    open_reviews: tuple[HeldReview, ...]
    upcoming: tuple[dt.date, ...] = ()  # the next scheduled dates from today


def publication_schedule(
    first_review: dt.date, cycle_months: int, reviews: Iterable[HeldReview], today: dt.date
) -> PublicationSchedule:
    reviews = list(reviews)
    closed = sorted(
        (r for r in reviews if r.closed and r.closed <= today),
        key=lambda r: r.closed or dt.date.min,  # never min: all are closed
    )
    answered = {r.due for r in closed if r.type == "scheduled" and r.due}
    next_due = next(d for d in scheduled_dates(first_review, cycle_months) if d not in answered)
    scheduled_closed = [r for r in closed if r.type == "scheduled"]
    open_reviews = tuple(
        sorted(
            (r for r in reviews if r.opened and r.opened <= today and not (r.closed and r.closed <= today)),
            key=lambda r: r.opened or dt.date.min,  # never min: all are open
        )
    )
    upcoming = tuple(islice((d for d in scheduled_dates(first_review, cycle_months) if d >= today), UPCOMING))
    return PublicationSchedule(
        last_review=closed[-1] if closed else None,
        last_scheduled=scheduled_closed[-1] if scheduled_closed else None,
        next_due=next_due,
        overdue=next_due < today,
        open_reviews=open_reviews,
        upcoming=upcoming,
    )


def item_last_reviewed(first_published: dt.date, covering_reviews_closed: Iterable[dt.date]) -> dt.date:
    """An item was last reviewed by the latest closed review whose scope covered it, or, if none
    has since, when it was first published."""
    return max([first_published, *covering_reviews_closed])
