"""The access log is append-only and hash-chained: edits, insertions and deletions are detected."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from app.cli import main
from app.store.access_log import AccessLog
from tests.conftest import OPERATOR, PASSWORD


@pytest.fixture
def log(cache):
    ticks = iter(dt.datetime(2026, 11, 25, 9, 0, s, tzinfo=dt.timezone.utc) for s in range(60))
    log = AccessLog(cache.subkey("access-log"), clock=lambda: next(ticks))
    with cache.engine.begin() as conn:
        for i in range(5):
            log.append(conn, operator="clerk01", terminal="t-01", action="view", resident_id=f"{i:010d}")
    return log


def test_intact_log_verifies(cache, log):
    with cache.engine.connect() as conn:
        result = log.verify(conn)
    assert result.ok and result.entries == 5


@pytest.mark.parametrize(
    "tamper, bad_seq",
    [
        ("UPDATE access_log SET resident_id = '9999999999' WHERE seq = 3", 3),
        ("UPDATE access_log SET my_number_shown = 1 WHERE seq = 2", 2),
        ("DELETE FROM access_log WHERE seq = 4", 4),
        ("UPDATE access_log SET at = '2020-01-01T00:00:00' WHERE seq = 1", 1),
    ],
)
def test_tampering_is_detected(cache, log, tamper, bad_seq):
    with cache.engine.begin() as conn:
        conn.execute(text(tamper))
    with cache.engine.connect() as conn:
        result = log.verify(conn)
    assert not result.ok and result.first_bad_seq == bad_seq


def test_a_forged_entry_without_the_key_is_detected(cache, log):
    forger = AccessLog(b"k" * 32)
    with cache.engine.begin() as conn:
        forger.append(conn, operator="intruder", terminal="t-99", action="view", resident_id="1")
    with cache.engine.connect() as conn:
        result = log.verify(conn)
    assert not result.ok and result.first_bad_seq == 6


def test_verify_command(cache, log, capsys, monkeypatch):
    monkeypatch.setenv("MADOGUCHI_PASSWORD", PASSWORD)
    directory = str(cache.directory)
    cache.close()
    assert main(["access-log", "--cache", directory, "--operator", OPERATOR, "verify"]) == 0
    assert "正常" in capsys.readouterr().out
    from app.store.cache import Cache

    with Cache.open_as_operator(cache.directory, OPERATOR, PASSWORD) as c, c.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log WHERE seq = 2"))
    assert main(["access-log", "--cache", directory, "--operator", OPERATOR, "verify"]) == 1
    assert "検出" in capsys.readouterr().err
