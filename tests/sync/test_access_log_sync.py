"""The access log goes up with sync; the registry's copy anchors the terminal's chain."""
from __future__ import annotations

from sqlalchemy import select

from app.store.access_log import AccessLog
from app.store.search import Operator, SearchService
from domain.search_criteria import SearchCriteria
from registry.schema import access_log
from tests.sync.harness import ThreadServer, demo_households, enrolled_terminal, prepare


def test_entries_go_up_gap_free_and_a_cut_tail_is_detected(sqlite_url, tmp_path):
    prepare(sqlite_url, households_=demo_households(100))
    server = ThreadServer(sqlite_url)
    t = enrolled_terminal(tmp_path / "t", server.url, sqlite_url)
    t.engine.sync()
    service = SearchService(t.cache, Operator("clerk01", t.client.terminal_id, "121011"))
    for name in ("サトウ", "タナカ", "スズキ"):
        service.search(SearchCriteria(name=name, ward="*"))
    assert t.engine.sync().access_log_sent == 3
    assert t.engine.sync().access_log_sent == 0  # nothing twice
    with server.engine.connect() as conn:
        held = conn.execute(select(access_log.c.seq, access_log.c.action).where(access_log.c.terminal_id == t.client.terminal_id)).all()
    assert [s for s, _ in held] == [1, 2, 3] and {a for _, a in held} == {"search"}

    log = AccessLog(t.cache.subkey("access-log"))
    with t.cache.engine.connect() as conn:
        assert log.verify(conn).ok
    with t.cache.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM access_log WHERE seq = 3")  # someone cuts the tail
    with t.cache.engine.connect() as conn:
        result = log.verify(conn)
    assert not result.ok and "registry" in result.problem
    t.close(), server.close()
