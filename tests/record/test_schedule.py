"""Review dates: pure functions, checked across month ends, leap years and changed cycles."""

from __future__ import annotations

import datetime as dt
from itertools import islice

import pytest

from indexer.record.schedule import (
    HeldReview,
    is_scheduled_date,
    item_last_reviewed,
    next_scheduled,
    publication_schedule,
    scheduled_dates,
)
from tests.support import ContentTree

D = dt.date


def first(n, first_review, months):
    return list(islice(scheduled_dates(first_review, months), n))


def test_two_and_five_year_cycles():
    assert first(3, D(2031, 9, 1), 24) == [D(2031, 9, 1), D(2033, 9, 1), D(2035, 9, 1)]
    assert first(3, D(2031, 9, 1), 60) == [D(2031, 9, 1), D(2036, 9, 1), D(2041, 9, 1)]


def test_month_ends_clamp_without_drifting():
    # 31 August + 6 months is the end of February; the next date is 31 August again, not the 28th.
    assert first(4, D(2031, 8, 31), 6) == [D(2031, 8, 31), D(2032, 2, 29), D(2032, 8, 31), D(2033, 2, 28)]
    assert first(3, D(2031, 1, 31), 1) == [D(2031, 1, 31), D(2031, 2, 28), D(2031, 3, 31)]


def test_leap_day_first_review():
    assert first(3, D(2032, 2, 29), 12) == [D(2032, 2, 29), D(2033, 2, 28), D(2034, 2, 28)]
    assert first(2, D(2032, 2, 29), 48) == [D(2032, 2, 29), D(2036, 2, 29)]


def test_is_and_next_scheduled():
    assert is_scheduled_date(D(2033, 9, 1), D(2031, 9, 1), 24)
    assert not is_scheduled_date(D(2032, 9, 1), D(2031, 9, 1), 24)
    assert not is_scheduled_date(D(2030, 9, 1), D(2031, 9, 1), 24)
    assert next_scheduled(D(2031, 9, 1), 24, after=D(2031, 9, 1)) == D(2033, 9, 1)
    assert next_scheduled(D(2031, 9, 1), 24, after=D(2026, 1, 1)) == D(2031, 9, 1)
    with pytest.raises(ValueError):
        next(scheduled_dates(D(2031, 9, 1), 0))


def review(id_, type_, due=None, opened=None, closed=None):
    return HeldReview(id_, type_, due, opened, closed)


def test_schedule_before_any_review_is_the_first_date():
    schedule = publication_schedule(D(2031, 9, 1), 24, [], today=D(2026, 11, 29))
    assert schedule.next_due == D(2031, 9, 1) and not schedule.overdue and schedule.last_review is None
    assert schedule.upcoming == (D(2031, 9, 1), D(2033, 9, 1), D(2035, 9, 1))
    assert publication_schedule(D(2031, 9, 1), 24, [], today=D(2033, 9, 1)).upcoming[0] == D(2033, 9, 1)


def test_an_unanswered_date_becomes_overdue_and_a_closed_review_answers_it():
    reviews = [review("s-2031", "scheduled", due=D(2031, 9, 1), opened=D(2031, 6, 1))]
    schedule = publication_schedule(D(2031, 9, 1), 24, reviews, today=D(2031, 10, 1))
    assert schedule.next_due == D(2031, 9, 1) and schedule.overdue
    assert [r.id for r in schedule.open_reviews] == ["s-2031"]
    reviews = [review("s-2031", "scheduled", due=D(2031, 9, 1), opened=D(2031, 6, 1), closed=D(2031, 11, 1))]
    later = publication_schedule(D(2031, 9, 1), 24, reviews, today=D(2031, 12, 1))
    assert later.next_due == D(2033, 9, 1) and not later.overdue
    assert later.last_scheduled.id == "s-2031" and later.open_reviews == ()


def test_an_out_of_cycle_review_does_not_answer_the_cycle():
    reviews = [review("ooc", "out-of-cycle", opened=D(2031, 1, 1), closed=D(2031, 3, 1))]
    schedule = publication_schedule(D(2031, 9, 1), 24, reviews, today=D(2031, 4, 1))
    assert schedule.last_review.id == "ooc" and schedule.last_scheduled is None
    assert schedule.next_due == D(2031, 9, 1)


def test_a_review_closing_in_the_future_is_still_open_today():
    reviews = [review("s", "scheduled", due=D(2031, 9, 1), opened=D(2031, 8, 1), closed=D(2031, 12, 1))]
    schedule = publication_schedule(D(2031, 9, 1), 24, reviews, today=D(2031, 10, 1))
    assert schedule.overdue and [r.id for r in schedule.open_reviews] == ["s"]


def test_item_last_reviewed():
    assert item_last_reviewed(D(2026, 10, 1), []) == D(2026, 10, 1)
    assert item_last_reviewed(D(2026, 10, 1), [D(2026, 11, 18), D(2026, 1, 1)]) == D(2026, 11, 18)


def test_a_cycle_changed_in_publications_yaml_changes_the_dates(tree: ContentTree):
    from indexer.record.loading import load_library

    held = [review("s-2031", "scheduled", due=D(2031, 9, 1), opened=D(2031, 6, 1), closed=D(2031, 10, 1))]

    def next_due():
        standards = next(p for p in tree.load().publications.publications if p.id == "standards")
        return publication_schedule(standards.first_review, standards.cycle_months, held, today=D(2032, 1, 1)).next_due

    assert next_due() == D(2033, 9, 1)
    tree.replace("publications.yaml", "cycle_months: 24\n", "cycle_months: 36\n")
    assert load_library(tree.root).ok
    assert next_due() == D(2034, 9, 1)
