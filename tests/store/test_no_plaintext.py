"""No personal data in plain text on disk: the database, its WAL, logs, temp files."""
from __future__ import annotations

import datetime as dt
import logging
import tempfile

from app.store.register_store import RegisterStore
from app.store.search import Operator, SearchService
from domain.search_criteria import SearchCriteria
from tests.store.people import created, person

NAME = "鵜飼"
GIVEN = "澄乃介"
KANA = "ウカイ"
GIVEN_KANA = "スミノスケ"
MY_NUMBER = "123456789018"


def test_a_known_name_is_nowhere_in_plain_text(tmp_path, monkeypatch, caplog):
    from app.store.cache import Cache
    from tests.conftest import FAST_SCRYPT

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    log_file = tmp_path / "app.log"
    handler = logging.FileHandler(log_file)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        cache = Cache.create(tmp_path / "cache", operator_id="op", password="pw", scrypt_n=FAST_SCRYPT)
        p = person("0000000001", NAME, GIVEN, KANA, GIVEN_KANA, dt.date(1971, 3, 9), my_number=MY_NUMBER)
        with cache.engine.begin() as conn:
            RegisterStore(conn).record_change(created("c1", p))
        service = SearchService(cache, Operator("op", "t1", "121011"))
        assert service.search(SearchCriteria(name=KANA)).hits
        assert service.search(SearchCriteria(name=NAME + GIVEN, ward="*")).hits
        service.view("0000000001")
        assert service.reveal_my_number("0000000001", purpose="本人確認") == MY_NUMBER
        # Leave the WAL in place (no checkpoint), as a pulled cable would.
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert any(f.name.endswith("-wal") for f in files), files
        needles = [s.encode(enc) for s in (NAME, GIVEN, KANA, GIVEN_KANA) for enc in ("utf-8", "utf-16-le")]
        needles.append(MY_NUMBER.encode())
        for f in files:
            data = f.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} in plain text in {f}"
        cache.close()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
