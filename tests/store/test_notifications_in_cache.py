"""Notifications judged against the encrypted cache (RegisterStore as the RegisterView), recorded,
and read back from history exactly as they were made."""
from __future__ import annotations

import datetime as dt

import pytest

from app.store.register_store import RegisterStore
from app.store.search import Operator, SearchService
from domain.errors import ValidationError
from domain.notifications import Birth, Cancellation, Death, MoveIn, MoveWithin, apply_notification
from domain.residents import PersonName, Sex, Status
from domain.search_criteria import SearchCriteria
from tests.domain.factories import ELSEWHERE, address, new_person

TODAY = dt.date(2025, 6, 2)
HOME = address("稲毛区", "小仲台二丁目", "3番4号", "小仲台ハイツ203号室")


def record(cache, notification, change_id):
    with cache.engine.begin() as conn:
        store = RegisterStore(conn)
        change = apply_notification(notification, store, change_id=change_id, today=TODAY)
        store.record_change(change)
    return change


def test_a_family_lives_its_life_in_the_cache(cache):
    move_in = MoveIn(
        persons=(
            new_person("0000000101", "世帯主"),
            new_person("0000000102", "妻", name=PersonName("船橋", "恵", "フナバシ", "メグミ"), sex=Sex.FEMALE, birth_date=dt.date(1987, 2, 2)),
        ),
        address=HOME, moved_on=dt.date(2025, 4, 1), notified_on=dt.date(2025, 4, 3),
        previous_address=ELSEWHERE, new_household_id="0000000050",
    )
    changes = [record(cache, move_in, "c1")]
    baby = new_person("0000000103", "子", name=PersonName("船橋", "陽菜", "フナバシ", "ヒナ"), sex=Sex.FEMALE, birth_date=dt.date(2025, 5, 20))
    changes.append(record(cache, Birth(baby, notified_on=dt.date(2025, 5, 25), join_household_id="0000000050"), "c2"))
    new_home = address("中央区", "本千葉町", "5番6号")
    changes.append(
        record(cache, MoveWithin(("0000000101", "0000000102", "0000000103"), new_home, dt.date(2025, 5, 30), dt.date(2025, 6, 1)), "c3")
    )
    changes.append(record(cache, Death("0000000102", dt.date(2025, 6, 1), notified_on=dt.date(2025, 6, 2)), "c4"))
    changes.append(record(cache, Cancellation("c4", notified_on=dt.date(2025, 6, 2), explanation="誤って死亡届を入力したため"), "c5"))

    with cache.engine.connect() as conn:
        store = RegisterStore(conn)
        for change in changes:
            assert store.change(change.change_id) == change  # every before/after, as made
        assert [c.change_id for c in store.changes_of("0000000102")] == ["c1", "c3", "c4", "c5"]
        wife = store.resident("0000000102")
        assert wife.status is Status.CURRENT and wife.address == new_home and wife.version == 4
        assert {r.resident_id for r in store.household_members("0000000050")} == {"0000000101", "0000000102", "0000000103"}

    service = SearchService(cache, Operator("clerk01", "t-01", "121011"))
    hits = service.search(SearchCriteria(name="ふなばし ひな", birth="R7.5.20")).hits
    assert [h.resident.resident_id for h in hits] == ["0000000103"]
    moved = service.search(SearchCriteria(address="小仲台二丁目", ward="*")).hits
    assert {h.resident.resident_id for h in moved} == {"0000000101", "0000000102", "0000000103"}
    assert {h.matched_by for h in moved} == {"過去の住所"}


def test_a_refused_notification_leaves_the_cache_unchanged(cache):
    bad = Death("0000000999", dt.date(2030, 1, 1), notified_on=TODAY)
    with pytest.raises(ValidationError) as info:
        record(cache, bad, "bad")
    assert info.value.errors
    with cache.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM changes").scalar() == 0
