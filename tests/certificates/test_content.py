"""What each certificate shows (j1000, j1020, j1030; j10/j20 items), before any layout."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from app.certificates import CertificateKind, ItemChoice
from app.certificates.certifier import CertifierSettings, DEFAULT_SETTINGS
from app.certificates.content import build_content, name_value
from domain.record_dates import RecordDate
from domain.residents import Address
from tests.certificates.people import (
    HOME,
    foreign_resident,
    history_of,
    moved_out,
    request,
    takahashi_household,
)

ALL = ItemChoice(householder_relationship=True, domicile=True, resident_code=True, my_number=True)


def rows(req, person: int = 0) -> dict[str, str]:
    content = build_content(req)
    persons = [p for s in content.sheets for p in s.persons]
    return {r.key: r.value for r in persons[person].rows}


def household_rows(req) -> dict[str, str]:
    return {r.key: r.value for r in build_content(req).sheets[0].household}


def test_default_copy_omits_the_four_items_unless_asked():
    head = takahashi_household()[0]
    shown = rows(request(CertificateKind.COPY, [head]))
    for key in ("relationship", "domicile", "domicile_head", "resident_code", "my_number"):
        assert key not in shown
    assert "householder" not in household_rows(request(CertificateKind.COPY, [head]))
    assert shown["name"] == "髙橋　健太郎　（タカハシ　ケンタロウ）"
    assert shown["birth_date"] == "昭和33年3月14日" and shown["sex"] == "男"


def test_each_omittable_item_is_shown_when_asked():
    head = takahashi_household()[0]
    shown = rows(request(CertificateKind.COPY, [head], items=ALL))
    assert shown["relationship"] == "世帯主"
    assert shown["domicile"] == "千葉県千葉市中央区千葉港1番地" and shown["domicile_head"] == "髙橋　健太郎"
    assert shown["resident_code"] == head.resident_code and shown["my_number"] == head.my_number
    assert household_rows(request(CertificateKind.COPY, [head], items=ALL))["householder"] == "髙橋　健太郎"
    only_code = rows(request(CertificateKind.COPY, [head], items=ItemChoice(resident_code=True)))
    assert "resident_code" in only_code and "my_number" not in only_code and "domicile" not in only_code


def test_wareki_dates_and_an_unknown_birth_date():
    mother = takahashi_household()[7]
    shown = rows(request(CertificateKind.COPY, [mother]))
    assert shown["birth_date"] == "昭和7年頃"
    assert shown["address_set_on"] == "平成22年4月1日" and shown["notified_on"] == "平成22年4月5日"
    assert shown["became_resident_on"] == "平成22年4月1日"
    r = replace(mother, birth_date=RecordDate.parse("大正15年 月日不詳"))
    assert rows(request(CertificateKind.COPY, [r]))["birth_date"] == "大正15年 月日不詳"


def test_furigana_after_name_old_surname_and_alias_j1020():
    wife = takahashi_household()[1]
    shown = rows(request(CertificateKind.COPY, [wife]))
    assert shown["old_surname"] == "渡邊　（ワタナベ）"
    plain = rows(request(CertificateKind.COPY, [wife], items=ItemChoice(furigana=False)))
    assert plain["name"] == "髙橋　美智子" and plain["old_surname"] == "渡邊"
    foreign = rows(request(CertificateKind.COPY, [foreign_resident()]))
    assert foreign["name"] == "ZHANG YULIN　張　玉蓮　（チャン　ユウリン）"
    assert foreign["alias"] == "張本　玉子　（ハリモト　タマコ）"


def test_a_foreign_name_in_kana_only_prints_the_alphabet_name_with_the_kana():
    r = foreign_resident()
    r = replace(r, name=replace(r.name, family="グエン", given="ヴァン　アン", family_kana="グエン", given_kana="ヴァン　アン"),
                foreign=replace(r.foreign, alphabet_name="NGUYEN VAN AN"))
    assert name_value(r, True) == "NGUYEN VAN AN　（グエン　ヴァン　アン）"
    assert name_value(r, False) == "NGUYEN VAN AN"


def test_foreign_resident_items_in_seireki_and_each_omittable():
    r = foreign_resident()
    shown = rows(request(CertificateKind.COPY, [r]))
    assert shown["birth_date"] == "1990年2月3日"  # 西暦 (j20)
    assert shown["stay_expires_on"] == "2029年9月30日"
    assert shown["nationality"] == "中国" and shown["foreign_category"] == "中長期在留者"
    assert shown["residence_status"] == "技術・人文知識・国際業務" and shown["period_of_stay"] == "5年"
    assert shown["card_number"] == "AB12345678CD"
    assert shown["became_resident_on"] == "令和元年10月1日"  # other dates stay 和暦
    assert shown["previous_address"] == "中華人民共和国"
    assert "domicile" not in rows(request(CertificateKind.COPY, [r], items=ALL))
    for item in ("nationality", "foreign_category", "residence_status", "period_of_stay", "stay_expires_on",
                 "card_number", "alias"):
        without = rows(request(CertificateKind.COPY, [r], items=replace(ItemChoice(), **{item: False})))
        assert item not in without
        assert set(shown) - set(without) == {item}


def test_building_always_printed_j1030_except_when_an_items_certificate_asks():
    head = takahashi_household()[0]
    for kind in (CertificateKind.COPY, CertificateKind.ITEMS):
        items = ItemChoice(items=frozenset({"address"}))
        assert household_rows(request(kind, [head], items=items))["address"] == "千葉県千葉市中央区本千葉町1番2号　千葉本町ハイツ101号室"
    bare = household_rows(request(CertificateKind.ITEMS, [head], items=ItemChoice(items=frozenset({"address_without_building"}))))
    assert bare["address"] == "千葉県千葉市中央区本千葉町1番2号"


def test_items_certificate_shows_only_what_was_asked():
    head = takahashi_household()[0]
    req = request(CertificateKind.ITEMS, [head], items=ItemChoice(items=frozenset({"birth_date", "my_number"})))
    assert set(rows(req)) == {"name", "birth_date", "my_number"}
    assert household_rows(req) == {}
    with pytest.raises(ValueError, match="unknown certificate items"):
        ItemChoice(items=frozenset({"blood_type"}))


def test_removed_copy_shows_the_removal_a_copy_does_not():
    head = moved_out(takahashi_household()[0])
    removed = rows(request(CertificateKind.REMOVED_COPY, [head]))
    assert removed["removal_reason"] == "国内転出"
    assert removed["removal_date"] == "令和8年12月20日"
    assert removed["destination"] == "東京都世田谷区三軒茶屋二丁目11番22号　三軒茶屋コーポ305"
    # j1000: a 住民票の写し issued before the planned moving day leaves out what the move-out recorded
    copy = rows(request(CertificateKind.COPY, [head]))
    assert not {"removal_reason", "removal_date", "destination", "moving_on"} & set(copy)


def test_removed_items_certificate_certifies_the_removal_items_asked_for():
    head = moved_out(takahashi_household()[0])
    req = request(CertificateKind.REMOVED_ITEMS, [head], items=ItemChoice(items=frozenset({"birth_date", "destination"})))
    shown = rows(req)
    assert set(shown) == {"name", "birth_date", "destination"}
    assert shown["destination"].startswith("東京都世田谷区三軒茶屋二丁目11番22号")
    assert build_content(req).title == "住民票除票記載事項証明書"
    assert "除票に記載されている事項と相違ない" in build_content(req).statement
    # the removal's items belong to the 除票 only; the 除票 needs removed records
    with pytest.raises(ValueError, match="cannot be certified"):
        request(CertificateKind.ITEMS, [takahashi_household()[0]], items=ItemChoice(items=frozenset({"destination"})))
    with pytest.raises(ValueError, match="needs removed records"):
        request(CertificateKind.REMOVED_ITEMS, [takahashi_household()[0]], items=ItemChoice(items=frozenset({"birth_date"})))


def test_move_out_certificate_has_destination_planned_day_and_statutory_items():
    head = moved_out(takahashi_household()[0])
    shown = rows(request(CertificateKind.MOVE_OUT, [head]))
    assert shown["moving_on"] == "令和8年12月20日"
    assert shown["destination"].startswith("東京都世田谷区三軒茶屋二丁目11番22号")
    assert shown["relationship"] == "世帯主" and shown["domicile"] and shown["resident_code"]
    assert "my_number" not in shown and "previous_address" not in shown
    assert "my_number" in rows(request(CertificateKind.MOVE_OUT, [head], items=ItemChoice(my_number=True)))
    with pytest.raises(ValueError):
        request(CertificateKind.MOVE_OUT, [takahashi_household()[0]])


def test_history_lists_each_change_with_what_it_changed():
    head = takahashi_household()[0]
    req = request(CertificateKind.COPY, [head], items=ItemChoice(history=True, householder_relationship=True),
                  history={head.resident_id: history_of(head)[::-1]})
    content = build_content(req)
    texts = [r.value for r in content.sheets[0].persons[0].history]
    assert texts[0].startswith("平成27年8月1日　転居（平成27年8月3日届出）")
    assert "住所　千葉県千葉市若葉区桜木北一丁目3番4号から変更" in texts[0]
    assert texts[1].startswith("令和2年3月1日　世帯主変更") and "続柄　子から変更" in texts[1]
    no_rel = build_content(request(CertificateKind.COPY, [head], items=ItemChoice(history=True),
                                   history={head.resident_id: history_of(head)}))
    assert "続柄" not in no_rel.sheets[0].persons[0].history[1].value  # omitted items stay omitted
    assert build_content(request(CertificateKind.COPY, [head], history={head.resident_id: history_of(head)})).sheets[0].persons[0].history == ()


def test_household_form_is_one_sheet_individual_form_one_per_person():
    family = takahashi_household()
    assert len(build_content(request(CertificateKind.COPY, family)).sheets) == 1
    sheets = build_content(request(CertificateKind.COPY, family[:3], household_form=False)).sheets
    assert [len(s.persons) for s in sheets] == [1, 1, 1]
    assert [p.number for s in sheets for p in s.persons] == [1, 2, 3]


def test_a_person_at_another_address_shows_their_own():
    family = takahashi_household()
    elsewhere = replace(family[1], address=Address("千葉県", "千葉市緑区", "鎌取町", "1番地"))
    shown = rows(request(CertificateKind.COPY, [family[0], elsewhere]), person=1)
    assert shown["address"] == "千葉県千葉市緑区鎌取町1番地"
    assert "address" not in rows(request(CertificateKind.COPY, [family[0], family[1]]), person=1)


def test_certifier_by_office_and_date():
    settings = CertifierSettings.load(DEFAULT_SETTINGS)
    assert settings.certifier_on(dt.date(2020, 6, 1)).name == "花見　正和"
    mayor = settings.certifier_on(dt.date(2026, 12, 6))
    assert mayor.title == "千葉県千葉市長" and mayor.name == "稲毛　誠一" and mayor.seal.is_file()
    ward = settings.certifier_on(dt.date(2026, 12, 6), "121011")
    assert ward.title == "千葉県千葉市中央区長" and ward.seal.name == "seal-121011.png" and ward.seal.is_file()
    with pytest.raises(LookupError):
        settings.certifier_on(dt.date(2010, 1, 1))
    with pytest.raises(LookupError):
        settings.certifier_on(dt.date(2023, 1, 1), "121011")


def test_certifier_settings_refuse_a_broken_file(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text('{"certifiers": [{"title": "x"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="unreadable"):
        CertifierSettings.load(bad)
    assert HOME.building  # the fixtures' home has a 方書, so the j1030 tests mean something
