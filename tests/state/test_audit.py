"""The audit log's hash chain on both backends: intact after appends, broken at the right row by an
edit, a deletion or a reordering; sealed under the state key, so a chain recomputed without it is
refused; rotated keys verify until `nis db rekey` moves every seal to the new one."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select, text, update

from nis_library.state import audit
from nis_library.state.keys import StateKeys
from nis_library.state.migrate import upgrade
from nis_library.state.schema import audit_log
from nis_library.workspace import reviews_and_audit
from tests.state.tampering import bypass_append_only
from tests.state_keys import VARIABLE, session_keys


@pytest.fixture
def four_rows(engine):
    upgrade(engine)
    with engine.begin() as conn:
        for n in range(1, 5):
            audit.append(conn, f"user{n}", "recommendation.update", f"REC-{n}", {"status": "draft"}, {"status": n})
    return engine


def ids(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("select id from audit_log order by id")).scalars())


def verify(engine):
    with engine.connect() as conn:
        return audit.verify(conn)


def test_appended_rows_verify_and_chain(four_rows):
    assert verify(four_rows) is None
    with four_rows.connect() as conn:
        rows = conn.execute(audit_log.select().order_by(audit_log.c.id)).all()
    assert [r.id for r in rows] == [1, 2, 3, 4]
    assert rows[0].previous_hash == audit.GENESIS
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(rows, rows[1:], strict=False))
    assert rows[1].before == '{"status":"draft"}' and rows[1].after == '{"status":2}'


def test_an_empty_log_verifies(engine):
    upgrade(engine)
    assert verify(engine) is None


def test_the_time_is_part_of_the_hash_whatever_the_backend_returns(engine):
    upgrade(engine)
    moment = dt.datetime(2031, 9, 1, 12, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with engine.begin() as conn:
        audit.append(conn, "a", "x", "s", None, {"v": 1}, at=moment)
    assert verify(engine) is None
    with engine.begin() as conn:
        bypass_append_only(conn)
        conn.execute(update(audit_log).values(at=moment + dt.timedelta(seconds=1)))
    assert verify(engine) == audit.BadRow(1, "its contents do not match its hash (the row was edited)")


@pytest.mark.parametrize("column, value", [("actor", "mallory"), ("after", '{"status":99}'), ("before", None)])
def test_an_edited_row_is_the_first_bad_row(four_rows, column, value):
    with four_rows.begin() as conn:
        bypass_append_only(conn)
        conn.execute(update(audit_log).where(audit_log.c.id == 3).values({column: value}))
    bad = verify(four_rows)
    assert bad is not None and bad.id == 3 and "edited" in bad.reason


def test_a_deleted_middle_row_breaks_the_chain_at_the_next(four_rows):
    with four_rows.begin() as conn:
        bypass_append_only(conn)
        conn.execute(audit_log.delete().where(audit_log.c.id == 2))
    bad = verify(four_rows)
    assert bad is not None and bad.id == 3 and "deleted" in bad.reason


def test_a_deleted_first_row_breaks_the_chain_at_the_next(four_rows):
    with four_rows.begin() as conn:
        bypass_append_only(conn)
        conn.execute(audit_log.delete().where(audit_log.c.id == 1))
    assert verify(four_rows).id == 2


def test_two_rows_swapped_break_the_chain_at_the_first_of_them(four_rows):
    with four_rows.begin() as conn:  # swap the ids of rows 2 and 3, through a free id
        bypass_append_only(conn)
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(id=100))
        conn.execute(update(audit_log).where(audit_log.c.id == 3).values(id=2))
        conn.execute(update(audit_log).where(audit_log.c.id == 100).values(id=3))
    assert ids(four_rows) == [1, 2, 3, 4]
    bad = verify(four_rows)
    assert bad is not None and bad.id == 2 and "reordered" in bad.reason


def test_a_forged_row_recomputed_with_its_own_hash_is_refused_by_its_seal(four_rows):
    with four_rows.connect() as conn:
        row = conn.execute(audit_log.select().where(audit_log.c.id == 2)).one()
    forged = audit.row_hash(row.previous_hash, row.at, "mallory", row.action, row.subject, row.before, row.after)
    with four_rows.begin() as conn:
        bypass_append_only(conn)
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(actor="mallory", hash=forged))
    bad = verify(four_rows)
    assert bad is not None and bad.id == 2 and "seal does not match" in bad.reason


def rechain_from(engine, first_id: int, seal) -> None:
    """What someone who can write the database would do: edit a row and recompute every hash after
    it, so the chain links up again, sealing each row with `seal(hash)`."""
    with engine.begin() as conn:
        bypass_append_only(conn)
        rows = conn.execute(audit_log.select().where(audit_log.c.id >= first_id).order_by(audit_log.c.id)).all()
        previous = conn.execute(select(audit_log.c.hash).where(audit_log.c.id == first_id - 1)).scalar() or ""
        for row in rows:  # out of the way first: both hash columns are unique
            conn.execute(
                update(audit_log).where(audit_log.c.id == row.id).values(previous_hash=f"p{row.id}", hash=f"h{row.id}")
            )
        for row in rows:
            actor = "mallory" if row.id == first_id else row.actor
            new = audit.row_hash(previous, row.at, actor, row.action, row.subject, row.before, row.after)
            conn.execute(
                update(audit_log)
                .where(audit_log.c.id == row.id)
                .values(actor=actor, previous_hash=previous, hash=new, seal=seal(new, row.seal))
            )
            previous = new


@pytest.mark.parametrize(
    "seal, reason",
    [
        (lambda new, old: old, "seal does not match"),  # the old seals kept
        (lambda new, old: StateKeys("m" * 40).seal(audit.SEAL_PURPOSE, new), "a key this server is not given"),
        (lambda new, old: old.split(":")[0] + ":" + audit.digest(new, "guess"), "seal does not match"),
    ],
    ids=["old-seals", "own-key", "guessed"],
)
def test_a_rechained_database_is_refused_at_the_first_row_rewritten(four_rows, seal, reason):
    # Before seals, a chain recomputed from row 2 on verified: the hashes need no secret.
    rechain_from(four_rows, 2, seal)
    bad = verify(four_rows)
    assert bad is not None and bad.id == 2 and reason in bad.reason


def keyed(engine, keys: StateKeys):
    from nis_library.state.database import make_engine

    return make_engine(engine.url.render_as_string(hide_password=False), keys)


def test_rows_sealed_under_a_retired_key_verify_until_rekeyed_under_the_new(four_rows):
    from nis_library.state.rekey import rekey

    old, new = os.environ[VARIABLE], "n" * 40
    with_new_only = keyed(four_rows, StateKeys(new))
    rotated = keyed(four_rows, StateKeys(new, [old]))
    try:
        bad = verify(with_new_only)
        assert bad is not None and bad.id == 1 and "STATE_RETIRED_KEYS" in bad.reason
        assert verify(rotated) is None
        with rotated.begin() as conn:  # a row written after the rotation, under the new key
            audit.append(conn, "user5", "recommendation.update", "REC-5", None, {"status": 5})
        assert verify(rotated) is None
        done = rekey(rotated, "cli:ops")
        assert (done.audit_rows, done.key_id) == (4, StateKeys(new).current.id)
        assert verify(with_new_only) is None  # the old key can go
        bad = verify(four_rows)  # and a server with only the old key is refused
        assert bad is not None and "not given" in bad.reason
    finally:
        with_new_only.dispose()
        rotated.dispose()


def test_rekey_refuses_a_broken_chain_changing_nothing(four_rows):
    from nis_library.state.rekey import RekeyError, rekey

    rechain_from(four_rows, 3, lambda new, old: old)
    with four_rows.connect() as conn:
        before = conn.execute(audit_log.select().order_by(audit_log.c.id)).all()
    with pytest.raises(RekeyError, match="row 3"):
        rekey(four_rows, "cli:ops")
    with four_rows.connect() as conn:
        assert conn.execute(audit_log.select().order_by(audit_log.c.id)).all() == before


def test_a_second_chain_cannot_start(four_rows):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), four_rows.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at=dt.datetime.now(dt.UTC),
                actor="a",
                action="b",
                subject="c",
                previous_hash=audit.GENESIS,
                hash="x",
                seal="x",
            )
        )


def test_the_database_refuses_to_edit_delete_or_truncate_audit_rows(four_rows):
    from sqlalchemy.exc import DBAPIError

    statements = ["update audit_log set actor = 'mallory'", "delete from audit_log where id = 2"]
    if four_rows.dialect.name == "postgresql":
        statements.append("truncate audit_log")  # SQLite has no TRUNCATE: it is a DELETE there
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), four_rows.begin() as conn:
            conn.execute(text(statement))
    assert ids(four_rows) == [1, 2, 3, 4] and verify(four_rows) is None


def _requests(url: str, first: int, count: int) -> int:
    """One worker process's requests, each a transaction that appends a row (as a refused request is
    audited); how many failed."""
    from nis_library.state.database import make_engine

    engine = make_engine(url, session_keys())
    failed = 0
    for n in range(first, first + count):
        try:
            with engine.begin() as conn:
                audit.append(conn, f"anonymous@{n}", "csrf.refused", "/panel", None, {"n": n})
        except Exception:  # noqa: BLE001 - what the test counts: a request that would have been a 500
            failed += 1
    engine.dispose()
    return failed


def test_concurrent_writers_each_append_and_the_chain_holds(engine, state_url):
    """Several worker processes at once (a flood of refusals, and real users among them) each append
    rows: every one succeeds and the chain stays whole. On SQLite, deferred transactions read the
    same last hash and one failed on previous_hash's uniqueness (613 of 2,000 in the issue)."""
    from concurrent.futures import ProcessPoolExecutor

    upgrade(engine)
    workers, each = 6, 60
    with ProcessPoolExecutor(max_workers=workers) as pool:
        failed = sum(pool.map(_requests, [state_url] * workers, range(0, workers * each, each), [each] * workers))
    assert failed == 0
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from audit_log")).scalar() == workers * each
        assert audit.verify(conn) is None


def page_of(engine, page: int, per_page: int, now):

    with engine.connect() as conn:
        return reviews_and_audit.audit_page(conn, page, per_page, now=now)


def test_the_audit_page_verifies_only_what_is_new_and_everything_again_each_hour(four_rows, monkeypatch):

    reviews_and_audit._checkpoints.clear()
    hashed: list[int] = []
    real_row_hash = audit.row_hash
    monkeypatch.setattr(audit, "row_hash", lambda *args: hashed.append(1) or real_row_hash(*args))
    start = dt.datetime(2031, 1, 1, 9, tzinfo=dt.UTC)
    assert page_of(four_rows, 1, 50, now=start).broken is None
    assert len(hashed) == 4  # the first view checks the whole chain
    with four_rows.begin() as conn:
        audit.append(conn, "user5", "recommendation.update", "REC-5", None, {"status": 5})
    hashed.clear()
    assert page_of(four_rows, 1, 50, now=start + dt.timedelta(minutes=5)).broken is None
    assert len(hashed) == 2  # the checkpoint's row and the new one, not the three before them

    with four_rows.begin() as conn:
        bypass_append_only(conn)
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(actor="someone else"))
    # An edit before the checkpoint is found by the next full check, at most an hour later.
    assert page_of(four_rows, 1, 50, now=start + dt.timedelta(minutes=10)).broken is None
    found = page_of(four_rows, 1, 50, now=start + dt.timedelta(minutes=61)).broken
    assert found == audit.BadRow(2, "its contents do not match its hash (the row was edited)")

    with four_rows.begin() as conn:  # the checkpoint's own row edited: found at once
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(actor="user2"))
    assert page_of(four_rows, 1, 50, now=start + dt.timedelta(minutes=62)).broken is None
    with four_rows.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 5).values(hash="0" * 64))
    found = page_of(four_rows, 1, 50, now=start + dt.timedelta(minutes=63)).broken
    assert found == audit.BadRow(5, "changed or deleted since it was last verified")
    reviews_and_audit._checkpoints.clear()
