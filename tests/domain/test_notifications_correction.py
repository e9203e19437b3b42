"""職権修正 / 誤記修正 / 軽微な修正 and the item-specific amend reasons (ExOfficioCorrection)."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.change_reasons import ChangeReason
from domain.notifications import Death, ExOfficioCorrection
from domain.record_dates import RecordDate
from domain.residents import ForeignCategory, ResidentKind, Sex, Status
from tests.domain.factories import (
    TODAY,
    apply,
    assert_refused,
    delta,
    family_register,
    mid_long_term,
    my_number,
    register_of,
    resident,
    resident_code,
)

R = ChangeReason


def correct(changes, rid="R003", reason=R.EX_OFFICIO_CORRECTION, **kw) -> ExOfficioCorrection:
    values = dict(resident_id=rid, changes=changes, explanation="戸籍照合により判明", notified_on=TODAY, reason=reason)
    values.update(kw)
    return ExOfficioCorrection(**values)


def foreign_register():
    return register_of(
        resident("F1", kind=ResidentKind.FOREIGN, foreign=mid_long_term(), family="グエン", given="アン",
                 family_kana="グエン", given_kana="アン", birth=dt.date(1990, 1, 1))
    )


def test_kana_correction():
    register = family_register()
    change = apply(register, correct({"name.given_kana": "イチロー"}))
    assert change.reason is R.EX_OFFICIO_CORRECTION and change.note == "戸籍照合により判明"
    assert change.occurred_on == RecordDate.exact(TODAY)
    d = delta(change, "R003")
    assert d.changed_fields() == ("name",) and d.after.version == 2
    assert d.after.name.given_kana == "イチロー" and d.after.name.given == "一郎"


def test_minor_correction_of_the_building_name():
    register = family_register()
    change = apply(register, correct({"address.building": "本千葉レジデンス101"}, reason=R.MINOR_CORRECTION,
                                     occurred_on=dt.date(2025, 4, 1)))
    assert register.resident("R003").address.building == "本千葉レジデンス101"
    assert change.occurred_on == RecordDate.exact(dt.date(2025, 4, 1))


def test_clerical_error_birth_date_may_be_partial():
    register = family_register()
    apply(register, correct({"birth_date": RecordDate.parse("平成2年1月上旬"), "sex": Sex.FEMALE}, reason=R.CLERICAL_ERROR))
    r = register.resident("R003")
    assert r.birth_date.format_wareki() == "平成2年1月上旬" and r.sex is Sex.FEMALE


def test_a_removed_record_can_be_corrected_and_stays_removed():
    register = family_register()
    apply(register, Death("R004", dt.date(2025, 5, 1), TODAY))
    change = apply(register, correct({"domicile": "千葉県千葉市中央区千葉港2番地"}, rid="R004"))
    assert delta(change, "R004").after.status is Status.REMOVED and delta(change, "R004").after.version == 3


def test_my_number_recorded_ex_officio_and_changed_on_request():
    register = family_register()
    apply(register, correct({"my_number": my_number()}, reason=R.MY_NUMBER_EX_OFFICIO_RECORD))
    apply(register, correct({"my_number": my_number("98765432109")}, reason=R.MY_NUMBER_CHANGE_REQUEST))
    assert register.resident("R003").my_number == my_number("98765432109")
    apply(register, correct({"resident_code": resident_code()}, reason=R.RESIDENT_CODE_EX_OFFICIO_RECORD))


def test_old_surname_recorded_changed_and_deleted():
    register = family_register()
    apply(register, correct({"old_surname": "佐藤", "old_surname_kana": "サトウ"}, rid="R002", reason=R.OLD_SURNAME_RECORD))
    apply(register, correct({"old_surname": "斎藤", "old_surname_kana": "サイトウ"}, rid="R002", reason=R.OLD_SURNAME_CHANGE))
    apply(register, correct({"old_surname": "", "old_surname_kana": ""}, rid="R002", reason=R.OLD_SURNAME_DELETE))
    assert register.resident("R002").old_surname == "" and register.resident("R002").version == 4


def test_foreign_resident_alias_and_card_number():
    register = foreign_register()
    apply(register, correct({"alias": "山田", "alias_kana": "ヤマダ"}, rid="F1", reason=R.ALIAS_RECORD))
    apply(register, correct({"foreign.card_number": "ZZ98765432YY", "foreign.stay_expires_on": dt.date(2028, 3, 31)}, rid="F1"))
    r = register.resident("F1")
    assert r.alias == "山田" and r.foreign.card_number == "ZZ98765432YY" and r.foreign.category is ForeignCategory.MID_LONG_TERM


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: correct({"status": Status.REMOVED}), "status", ("修正できない",)),
        (lambda: correct({}), "changes", ("修正する項目",)),
        (lambda: correct({"sex": Sex.FEMALE}, explanation=" "), "explanation", ("修正理由",)),
        (lambda: correct({"sex": Sex.FEMALE}, reason=R.MOVE_WITHIN), "reason", ("転居",)),
        (lambda: correct({"birth_date": dt.date(1990, 1, 11)}, reason=R.MINOR_CORRECTION), "birth_date", ("生年月日", "軽微な修正")),
        (lambda: correct({"name.given_kana": "イチロウ"}), "name.given_kana", ("フリガナ", "同じ")),
        (lambda: correct({"name.given_kana": "いちろう"}), "name.given_kana", ("フリガナ", "カタカナ")),
        (lambda: correct({"name.family": ""}), "name.family", ("氏名（氏）",)),
        (lambda: correct({"my_number": "123456789012"}), "my_number", ("個人番号",)),
        (lambda: correct({"my_number": ""}), "my_number", ("個人番号",)),
        (lambda: correct({"resident_code": "12345678900"}), "resident_code", ("住民票コード",)),
        (lambda: correct({"birth_date": dt.date(2025, 7, 1)}), "birth_date", ("生年月日", "未来")),
        (lambda: correct({"birth_date": "1990-01-01"}), "birth_date", ("生年月日",)),
        (lambda: correct({"sex": "男"}), "sex", ("性別",)),
        (lambda: correct({"relationship": "世帯主"}), "relationship", ("世帯主変更",)),
        (lambda: correct({"relationship": "子"}, rid="R001"), "relationship", ("世帯主変更",)),
        (lambda: correct({"relationship": "長男"}), "relationship", ("続柄",)),
        (lambda: correct({"related_to": "R010"}), "related_to", ("続柄の基準となる世帯員",)),
        (lambda: correct({"foreign.card_number": "AB12345678CD"}), "foreign.card_number", ("在留カード番号", "日本人住民")),
        (lambda: correct({"alias": "ジョー"}), "alias", ("通称",)),
        (lambda: correct({"domicile": ""}), "domicile", ("本籍",)),
        (lambda: correct({"address.town": ""}, reason=R.MINOR_CORRECTION), "address.town", ("町丁目",)),
        (lambda: correct({"address_set_on": dt.date(2030, 1, 1)}), "address_set_on", ("住所を定めた年月日", "未来")),
        (lambda: correct({"old_surname": "佐藤", "old_surname_kana": "サトウ"}, reason=R.OLD_SURNAME_CHANGE), "old_surname", ("旧氏", "記載されていない")),
        (lambda: correct({"old_surname": "佐藤"}, reason=R.OLD_SURNAME_RECORD), "old_surname_kana", ("旧氏のフリガナ",)),
        (lambda: correct({"old_surname": "佐藤", "old_surname_kana": "サトウ"}, reason=R.OLD_SURNAME_DELETE), "old_surname", ("旧氏",)),
        (lambda: correct({"my_number": my_number()}, reason=R.MY_NUMBER_CHANGE_REQUEST), "my_number", ("個人番号", "記載されていない")),
        (lambda: correct({"my_number": my_number()}, reason=R.MY_NUMBER_EX_OFFICIO_CORRECTION), "my_number", ("個人番号",)),
        (lambda: correct({"sex": Sex.FEMALE}, reason=R.MY_NUMBER_EX_OFFICIO_RECORD), "sex", ("性別",)),
        (lambda: correct({"alias": "山田"}, reason=R.ALIAS_RECORD), "reason", ("通称の記載", "日本人住民")),
        (lambda: correct({"sex": Sex.FEMALE}, rid="R999"), "resident_id", ("宛名番号R999",)),
        (lambda: correct({"sex": Sex.FEMALE}, notified_on=dt.date(2025, 6, 3)), "notified_on", ("届出日", "未来")),
        (lambda: correct({"sex": Sex.FEMALE}, occurred_on=dt.date(2025, 6, 3)), "occurred_on", ("異動日", "未来")),
    ],
)
def test_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: correct({"old_surname": "佐藤", "old_surname_kana": "サトウ"}, rid="F1", reason=R.OLD_SURNAME_RECORD), "reason", ("旧氏の記載", "外国人住民")),
        (lambda: correct({"old_surname": "佐藤"}, rid="F1"), "old_surname", ("旧氏", "日本人住民")),
        (lambda: correct({"domicile": "東京都"}, rid="F1"), "domicile", ("本籍", "外国人住民")),
        (lambda: correct({"foreign.card_number": "AB123"}, rid="F1"), "foreign.card_number", ("在留カード番号",)),
        (lambda: correct({"foreign.category": "永住"}, rid="F1"), "foreign.category", ("区分",)),
        (lambda: correct({"foreign.residence_status": ""}, rid="F1"), "foreign.residence_status", ("在留資格",)),
        (lambda: correct({"alias": "", "alias_kana": ""}, rid="F1", reason=R.ALIAS_DELETE), "alias", ("通称", "記載されていない")),
    ],
)
def test_refused_for_a_foreign_resident(make, field, words):
    assert_refused(foreign_register(), make(), field, *words)
