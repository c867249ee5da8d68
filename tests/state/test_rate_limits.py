"""Sliding-window rate limits in the state store, on both backends: the limit, the wait it reports,
the window sliding, keys kept apart, and the limit holding when two connections race on one key."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from nis_library.state import rate_limits
from nis_library.state.migrate import upgrade
from nis_library.state.rate_limits import Limit

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
FIVE_PER_MINUTE = Limit(5, dt.timedelta(minutes=1))


@pytest.fixture
def migrated(engine):
    upgrade(engine)
    return engine


def _hit(engine, key, at, limit=FIVE_PER_MINUTE):
    with engine.begin() as conn:
        return rate_limits.hit(conn, key, limit, now=at)


def test_the_limit_allows_its_count_then_says_how_long_to_wait(migrated):
    decisions = [_hit(migrated, "token:a", T0 + dt.timedelta(seconds=i)) for i in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    # The oldest event (at T0) leaves the window at T0 + 60 s; asked at T0 + 5 s: 55 s to wait.
    assert decisions[-1].retry_after == 55


def test_the_window_slides(migrated):
    for i in range(5):
        _hit(migrated, "k", T0 + dt.timedelta(seconds=i))
    assert not _hit(migrated, "k", T0 + dt.timedelta(seconds=59)).allowed
    assert _hit(migrated, "k", T0 + dt.timedelta(seconds=60, microseconds=1)).allowed


def test_keys_are_counted_apart_and_clear_forgets_one(migrated):
    for _ in range(5):
        _hit(migrated, "account:alice", T0)
    assert _hit(migrated, "account:bob", T0).allowed
    assert not _hit(migrated, "account:alice", T0).allowed
    with migrated.begin() as conn:
        rate_limits.clear(conn, "account:alice")
    assert _hit(migrated, "account:alice", T0).allowed


def test_check_and_record_count_only_what_is_recorded(migrated):
    with migrated.begin() as conn:
        for _ in range(3):
            assert rate_limits.check(conn, "failed:x", Limit(3, dt.timedelta(minutes=15)), now=T0).allowed
        for _ in range(3):
            rate_limits.record(conn, "failed:x", now=T0)
        assert not rate_limits.check(conn, "failed:x", Limit(3, dt.timedelta(minutes=15)), now=T0).allowed


def test_a_limit_needs_a_positive_count_and_window():
    with pytest.raises(ValueError):
        Limit(0, dt.timedelta(minutes=1))
    with pytest.raises(ValueError):
        Limit(1, dt.timedelta(0))


def test_the_limit_holds_when_connections_race(migrated):
    """Eight threads, each its own connection, hit one key three times each, all at once: exactly
    the limit's count get through, as they would from several gunicorn workers."""
    limit = Limit(7, dt.timedelta(hours=1))
    allowed = []
    start = threading.Barrier(8)

    def worker():
        start.wait()
        for _ in range(3):
            for _attempt in range(50):  # SQLite may report "database is locked" under contention
                try:
                    with migrated.begin() as conn:
                        allowed.append(rate_limits.hit(conn, "race", limit, now=T0).allowed)
                    break
                except Exception as error:  # noqa: BLE001 - retried only for the lock error below
                    if "locked" not in str(error):
                        raise
            else:
                pytest.fail("never got the lock")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 7


def test_concurrent_wrong_passwords_never_pass_more_checks_than_the_limit(engine):
    """Checked and counted in one transaction: ten wrong passwords at once against a limit of five
    get exactly five tries (checked in one transaction and counted in another, 6 of 10 got through)."""
    from concurrent.futures import ThreadPoolExecutor

    from nis_library.accounts import sign_in, store

    upgrade(engine)
    with engine.begin() as conn:
        store.add(conn, "setup", "sam", "Sam", "panel-member", "a long enough password 1")
    window = dt.timedelta(minutes=15)
    limits = sign_in.SignInLimits(Limit(5, window), Limit(100, window), Limit(12, window))

    def wrong(n: int) -> sign_in.Outcome:
        return sign_in.attempt(engine, "sam", f"wrong password {n}", "192.0.2.1", limits)

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(wrong, range(10)))
    assert sum(not o.limited for o in outcomes) == 5 and sum(o.limited for o in outcomes) == 5
    right = sign_in.attempt(engine, "sam", "a long enough password 1", "192.0.2.1", limits)
    assert right.limited  # the pair's limit holds for the right password too, until it clears
    elsewhere = sign_in.attempt(engine, "sam", "a long enough password 1", "192.0.2.2", limits)
    assert elsewhere.account is not None  # but only for that address: the owner elsewhere signs in

    def wrong_from_everywhere(n: int) -> sign_in.Outcome:
        return sign_in.attempt(engine, "sam", f"wrong password {n}", f"198.51.100.{n}", limits)

    # Ten addresses at once against the slow-down's 12, of which the first five failures used 5 (the
    # owner's sign-in clears only its own pair: it does not give a guesser a fresh budget).
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(wrong_from_everywhere, range(10)))
    assert sum(not o.limited for o in outcomes) == 7
