"""The search service over a real encrypted cache (j330/j340 rules, ranking, marks, logging)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.store.register_store import RegisterStore
from app.store.search import Operator, SearchService
from domain.change_reasons import ChangeReason
from domain.errors import ValidationError
from domain.record_dates import RecordDate
from domain.search_criteria import SearchCriteria
from tests.store.people import INAGE, address, amended, created, foreign, person

MN = "123456789018"
RC = "12345678903"


@pytest.fixture
def people():
    return {
        "takahashi": person("0000000001", "髙橋", "美咲", "タカハシ", "ミサキ", dt.date(1980, 12, 26), my_number=MN, resident_code=RC),
        "takahashi2": person("0000000002", "高橋", "健太", "タカハシ", "ケンタ", dt.date(1975, 5, 5), sex=1),
        "saito": person("0000000003", "齋藤", "陽子", "サイトウ", "ヨウコ", dt.date(1990, 1, 15), old_surname="濱田", old_surname_kana="ハマダ"),
        "ota": person("0000000004", "太田", "翔", "オオタ", "ショウ", dt.date(2001, 7, 7), sex=1, addr=address("稲毛東三丁目", "2番1号", ward="稲毛区", lg=INAGE)),
        "old": person("0000000005", "渡邊", "ツル", "ワタナベ", "ツル", RecordDate.parse("昭和2年頃"), support_measure=True),
        "jiro": person("0000000006", "鈴木", "次郎", "スズキ", "ジロウ", dt.date(1955, 3, 3), sex=1, suppressed=True),
        "vn": foreign("0000000007"),
    }


@pytest.fixture
def service(cache, people):
    with cache.engine.begin() as conn:
        store = RegisterStore(conn)
        store.record_change(created("c-all", *people.values()))
    return SearchService(cache, Operator("clerk01", "t-01", "121011"))


def ids(result):
    return [h.resident.resident_id for h in result.hits]


def test_kana_prefix_and_wareki_birth_date(service):
    r = service.search(SearchCriteria(name="たかは", birth="S55.12.26"))
    assert ids(r) == ["0000000001"]
    assert ids(service.search(SearchCriteria(name="タカハシ", birth="昭和55年12月26日"))) == ["0000000001"]
    assert ids(service.search(SearchCriteria(name="ﾀｶﾊｼ", birth="1980-12-26"))) == ["0000000001"]


def test_kanji_variants_find_each_other(service):
    assert set(ids(service.search(SearchCriteria(name="高橋")))) == {"0000000001", "0000000002"}
    assert ids(service.search(SearchCriteria(name="斎藤陽子"))) == ["0000000003"]
    assert ids(service.search(SearchCriteria(name="齊藤 陽子"))) == ["0000000003"]
    assert ids(service.search(SearchCriteria(name="渡辺"))) == ["0000000005"]


def test_fuzzy_kana_rules(service):
    # オ段+ウ, long vowel, voicing and small kana, spaces
    assert ids(service.search(SearchCriteria(name="オウタ", ward="*"))) == ["0000000004"]
    assert ids(service.search(SearchCriteria(name="オータ　ショウ", ward="*"))) == ["0000000004"]
    assert ids(service.search(SearchCriteria(name="スズキ シロウ"))) == ["0000000006"]
    assert ids(service.search(SearchCriteria(name="サイトー"))) == ["0000000003"]


def test_given_name_only(service):
    assert ids(service.search(SearchCriteria(name="ミサキ", given_only=True))) == ["0000000001"]
    assert ids(service.search(SearchCriteria(name="美咲", given_only=True))) == ["0000000001"]


def test_old_surname_is_searchable_and_labelled(service):
    hits = service.search(SearchCriteria(name="ハマダ")).hits
    assert [h.resident.resident_id for h in hits] == ["0000000003"]
    assert hits[0].matched_by == "旧氏"


def test_ward_defaults_to_the_operators_own(service):
    assert ids(service.search(SearchCriteria(name="オオタ"))) == []
    assert ids(service.search(SearchCriteria(name="オオタ", ward="*"))) == ["0000000004"]
    assert ids(service.search(SearchCriteria(name="オオタ", ward=INAGE))) == ["0000000004"]


def test_numbers_find_anywhere_and_results_carry_no_my_number(service):
    r = service.search(SearchCriteria(my_number=MN))
    assert ids(r) == ["0000000001"] and r.hits[0].matched_by == "個人番号"
    assert r.hits[0].resident.my_number == ""
    assert ids(service.search(SearchCriteria(resident_code=RC))) == ["0000000001"]
    assert ids(service.search(SearchCriteria(resident_id="0000000004"))) == ["0000000004"]


def test_partial_birth_date_records_are_found_by_a_day_in_their_range(service):
    assert ids(service.search(SearchCriteria(birth="1927-05-01"))) == ["0000000005"]
    assert ids(service.search(SearchCriteria(birth="昭和2年"))) == ["0000000005"]
    assert ids(service.search(SearchCriteria(birth="1928-05-01"))) == ["0000000005"]  # 頃: a year either way
    assert ids(service.search(SearchCriteria(birth="1930-05-01"))) == []


def test_birth_year_and_sex(service):
    assert ids(service.search(SearchCriteria(birth="S50", sex=1))) == ["0000000002"]
    assert ids(service.search(SearchCriteria(birth="1975", sex=2))) == []


def test_marks_for_suppression_and_support_measures(service):
    hit = service.search(SearchCriteria(name="ワタナベ")).hits[0]
    assert hit.support_measure and "支援措置" in hit.marks
    hit = service.search(SearchCriteria(name="スズキ")).hits[0]
    assert hit.suppressed and "抑止" in hit.marks


def test_foreign_resident_by_alphabet_and_kana(service):
    assert ids(service.search(SearchCriteria(name="nguyen van an"))) == ["0000000007"]
    assert ids(service.search(SearchCriteria(name="グエン"))) == ["0000000007"]


def test_history_names_and_addresses_stay_findable(cache, service, people):
    ota = people["ota"]
    with cache.engine.begin() as conn:
        RegisterStore(conn).record_change(
            amended("c-move", ChangeReason.MOVE_WITHIN, ota, address=address("中央三丁目", "5番8号"))
        )
    hits = service.search(SearchCriteria(address="稲毛東三丁目", ward="*")).hits
    assert [h.resident.resident_id for h in hits] == ["0000000004"]
    assert hits[0].matched_by == "過去の住所"
    assert ids(service.search(SearchCriteria(address="中央三丁目"))) == ["0000000004"]
    moved = service.view("0000000004")
    with cache.engine.begin() as conn:
        RegisterStore(conn).record_change(amended("c-name", ChangeReason.EX_OFFICIO_CORRECTION, moved, name=moved.name.__class__("大田", "翔", "オオタ", "ショウ")))
    assert ids(service.search(SearchCriteria(name="太田"))) == ["0000000004"]
    assert service.search(SearchCriteria(name="太田")).hits[0].matched_by == "過去の氏名"
    assert ids(service.search(SearchCriteria(name="大田"))) == ["0000000004"]


def test_exact_match_ranks_above_prefix(cache, service):
    with cache.engine.begin() as conn:
        RegisterStore(conn).record_change(created("c-x", person("0000000010", "高橋田", "一", "タカハシダ", "ハジメ", dt.date(1960, 1, 1))))
    hits = service.search(SearchCriteria(name="タカハシ　ミサキ")).hits
    assert hits[0].resident.resident_id == "0000000001"
    assert ids(service.search(SearchCriteria(name="タカハシ", match="exact"))) == []
    assert ids(service.search(SearchCriteria(name="タカハシミサキ", match="exact"))) == ["0000000001"]


def test_removed_residents_can_be_left_out(cache, service, people):
    from domain.residents import Removal, Status

    jiro = people["jiro"]
    with cache.engine.begin() as conn:
        RegisterStore(conn).record_change(
            amended("c-death", ChangeReason.DEATH, jiro, status=Status.REMOVED, removal=Removal("death", RecordDate.exact(dt.date(2024, 5, 1))))
        )
    assert ids(service.search(SearchCriteria(name="スズキ"))) == ["0000000006"]
    assert ids(service.search(SearchCriteria(name="スズキ", include_removed=False))) == []


@pytest.mark.parametrize(
    "criteria, field",
    [
        (SearchCriteria(), "name"),
        (SearchCriteria(birth="昭和99年13月"), "birth"),
        (SearchCriteria(my_number="123456789012"), "my_number"),
        (SearchCriteria(resident_code="123"), "resident_code"),
        (SearchCriteria(resident_id="abc"), "resident_id"),
        (SearchCriteria(name="・・"), "name"),
    ],
)
def test_bad_input_is_named_in_japanese(service, criteria, field):
    with pytest.raises(ValidationError) as info:
        service.search(criteria)
    assert field in info.value.fields
    assert all(any("\u3040" <= ch <= "\u9fff" for ch in e.message) for e in info.value.errors)


def test_every_search_and_view_is_logged(cache, service):
    service.search(SearchCriteria(name="タカハシ"))
    service.view("0000000001")
    service.reveal_my_number("0000000001", purpose="本人確認")
    with cache.engine.connect() as conn:
        entries = service.log.entries(conn)
    assert [e.action for e in entries] == ["reveal_my_number", "view", "search"]
    assert entries[0].my_number_shown and not entries[1].my_number_shown
    assert entries[2].detail["criteria"]["name"] == "タカハシ"
    assert all(e.operator == "clerk01" and e.terminal == "t-01" for e in entries)
    assert service.verify_log().ok


def test_partial_match_anywhere_in_the_name(service):
    assert ids(service.search(SearchCriteria(name="タナベ", match="partial"))) == ["0000000005"]
    assert ids(service.search(SearchCriteria(name="辺", match="partial"))) == ["0000000005"]
    assert set(ids(service.search(SearchCriteria(name="橋", match="partial")))) == {"0000000001", "0000000002"}
    # the stored オオタ (from オウタ/オータ) is found by a part that starts with ウ
    assert ids(service.search(SearchCriteria(name="ウタ", match="partial", ward="*"))) == ["0000000004"]
    assert ids(service.search(SearchCriteria(name="タナベ"))) == []


@pytest.mark.parametrize(
    "birth, words",
    [("S55.13.01", "13月"), ("昭和64年1月8日", "昭和64年1月8日"), ("1980-02-30", "2月30日"), ("あした", "読めません")],
)
def test_a_wrong_birth_date_says_what_is_wrong(service, birth, words):
    with pytest.raises(ValidationError) as info:
        service.search(SearchCriteria(birth=birth))
    assert info.value.fields == {"birth"} and words in info.value.errors[0].message


def test_numbers_typed_in_full_width_with_separators(service):
    assert ids(service.search(SearchCriteria(my_number="１２３４ ５６７８ ９０１８"))) == ["0000000001"]
    assert ids(service.search(SearchCriteria(resident_code="12345-67890-3"))) == ["0000000001"]
