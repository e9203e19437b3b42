"""Notifications to JSON-safe dicts and back (domain.notifications.codec)."""
from __future__ import annotations

import collections.abc
import copy
import dataclasses
import datetime as dt
import enum
import types
import typing
from typing import Any, Callable

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.change_reasons import ChangeReason
from domain.errors import ValidationError
from domain.notifications import (
    KINDS,
    Birth,
    Cancellation,
    Death,
    ExOfficioCorrection,
    HouseholdChange,
    HouseholderChange,
    MoveIn,
    MoveOut,
    MoveWithin,
    validate_notification,
)
from domain.notifications.codec import KIND_NAMES, notification_from_dict, notification_to_dict
from domain.record_dates import RecordDate
from domain.residents import Address, ForeignCategory, PersonName, ResidentKind, Sex, Status
from tests.domain.factories import (
    ABROAD,
    ELSEWHERE,
    TODAY,
    address,
    apply,
    family_register,
    foreign_person,
    mid_long_term,
    my_number,
    new_person,
    register_of,
    resident,
    resident_code,
)

R = ChangeReason
MOVED = dt.date(2025, 5, 20)
NEW_HOME = address("稲毛区", "稲毛東三丁目", "5番8号", "稲毛コーポ202号室")


# --- realistic notifications, each accepted by the domain ------------------------------------------


def _move_in():
    wife = new_person("R101", "妻", name=PersonName("船橋", "真理", "フナバシ", "マリ"), sex=Sex.FEMALE,
                      birth_date=dt.date(1987, 2, 2), my_number=my_number(), resident_code=resident_code())
    return family_register(), MoveIn((new_person(), wife), NEW_HOME, MOVED, dt.date(2025, 5, 28), ELSEWHERE,
                                     new_household_id="H9")


def _move_in_from_abroad():
    person = foreign_person(foreign=mid_long_term(became_resident_on=RecordDate.exact(dt.date(2024, 4, 1))),
                            alias="山田", alias_kana="ヤマダ")
    return family_register(), MoveIn((person,), NEW_HOME, RecordDate.exact(MOVED), dt.date(2025, 5, 28), ABROAD,
                                     new_household_id="H9")


def _move_in_joining():
    child = new_person("R102", "子", name=PersonName("千葉", "三郎", "チバ", "サブロウ"), birth_date=RecordDate.parse("平成10年4月上旬"),
                       domicile="千葉県千葉市中央区千葉港1番地", domicile_head="千葉　太郎")
    return family_register(), MoveIn((child,), address(), MOVED, dt.date(2025, 5, 28), Address("大阪府", "大阪市北区"),
                                     join_household_id="H1")


def _move_within():
    return family_register(), MoveWithin(("R001", "R002", "R003", "R004"), NEW_HOME, dt.date(2025, 6, 1), TODAY)


def _move_within_part():
    return family_register(), MoveWithin(("R001",), NEW_HOME, RecordDate.exact(dt.date(2025, 6, 1)), TODAY,
                                         new_household_id="H7", new_householder_id="R002",
                                         relationships={"R003": "子", "R004": "子"})


def _move_out():
    return family_register(), MoveOut(("R004",), Address("東京都", "港区"), dt.date(2025, 6, 10), TODAY)


def _move_out_householder():
    return family_register(), MoveOut(("R001",), ABROAD, dt.date(2025, 6, 1), TODAY, new_householder_id="R002",
                                      relationships={"R003": "子", "R004": "子"})


def _birth():
    baby = new_person("R300", "孫", name=PersonName("千葉", "さくら", "チバ", "サクラ"), birth_date=dt.date(2025, 5, 21),
                      sex=Sex.FEMALE, domicile="千葉県千葉市中央区千葉港1番地", domicile_head="千葉　太郎", related_to="R003")
    return family_register(), Birth(baby, dt.date(2025, 5, 30), join_household_id="H1")


def _death():
    return family_register(), Death("R004", RecordDate.parse("令和7年4月上旬"), TODAY)


def _death_of_householder():
    return family_register(), Death("R001", dt.date(2025, 5, 1), dt.date(2025, 5, 2), new_householder_id="R003",
                                    relationships={"R002": "母", "R004": "弟"})


def _household_change():
    return family_register(), HouseholdChange(("R004",), TODAY, TODAY, new_household_id="H6")


def _householder_change():
    return family_register(), HouseholderChange("H1", "R002", {"R001": "夫", "R003": "子", "R004": "子"}, TODAY, TODAY)


def _correction():
    return family_register(), ExOfficioCorrection(
        "R003", {"birth_date": RecordDate.parse("平成2年1月上旬"), "sex": Sex.FEMALE, "name.given_kana": "イチロー"},
        "戸籍照合により判明", TODAY, reason=R.CLERICAL_ERROR, occurred_on=dt.date(2025, 6, 1))


def _foreign_correction():
    register = register_of(resident("F1", kind=ResidentKind.FOREIGN, foreign=mid_long_term(), family="グエン", given="アン",
                                    family_kana="グエン", given_kana="アン", birth=dt.date(1990, 1, 1)))
    return register, ExOfficioCorrection(
        "F1", {"foreign.card_number": "ZZ98765432YY", "foreign.stay_expires_on": dt.date(2028, 3, 31)},
        "在留カードの更新", TODAY)


def _cancellation():
    register = family_register()
    died = apply(register, Death("R004", dt.date(2025, 5, 1), TODAY))
    return register, Cancellation(died.change_id, TODAY, "届出人の申出による")


EXAMPLES: dict[str, Callable] = {f.__name__.strip("_"): f for f in (
    _move_in, _move_in_from_abroad, _move_in_joining, _move_within, _move_within_part, _move_out,
    _move_out_householder, _birth, _death, _death_of_householder, _household_change, _householder_change,
    _correction, _foreign_correction, _cancellation,
)}

# Not checked against a register: values of every type a correction may carry, and odd but legal states.
ODD = {
    "correction_of_every_value_type": ExOfficioCorrection(
        "R003",
        {"previous_address": ABROAD, "address_set_on": dt.date(2010, 4, 2), "became_resident_on": RecordDate.unknown(),
         "foreign.category": ForeignCategory.SPECIAL_PERMANENT, "relationship": "子", "birth_date": "1990-01-01",
         "status": Status.REMOVED, "alias": None, "version": 3, "suppressed": True},
        "", TODAY, occurred_on=RecordDate.parse("令和7年5月頃")),
    "empty_move_in": MoveIn((), Address("", ""), dt.date(2025, 1, 1), dt.date(2025, 1, 1), None),
    "birth_with_nothing_known": Birth(new_person(birth_date=None, sex=None, name=PersonName("")), TODAY,
                                      new_household_id="H5", address=Address("国外", "")),
    "death_date_unknown": Death("R001", None, TODAY),
    "death_date_old_era": Death("R001", RecordDate.parse("明治45年7月30日"), TODAY),
}


def all_examples():
    return [f()[1] for f in EXAMPLES.values()] + list(ODD.values())


def json_safe(value: object) -> bool:
    if value is None or type(value) in (str, int, bool):
        return True
    if type(value) is list:
        return all(json_safe(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and json_safe(v) for k, v in value.items())
    return False


def test_every_kind_has_an_example():
    assert {type(n) for n in all_examples()} == set(KINDS)
    assert set(KIND_NAMES) == {k.__name__ for k in KINDS} and all(KIND_NAMES[k.__name__] is k for k in KINDS)


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_accepted_by_the_domain(name):
    register, n = EXAMPLES[name]()
    assert validate_notification(n, register, today=TODAY) == ()


@pytest.mark.parametrize("n", all_examples(), ids=[*EXAMPLES, *ODD])
def test_round_trip(n):
    d = notification_to_dict(n)
    assert json_safe(d)
    assert d["kind"] == type(n).__name__
    assert set(d) == {"kind"} | {f.name for f in dataclasses.fields(n)}
    assert notification_from_dict(d) == n
    text = orjson.dumps(d)
    assert orjson.loads(text) == d
    back = notification_from_dict(orjson.loads(text))
    assert back == n and type(back) is type(n)
    assert notification_to_dict(back) == d


def test_move_in_shape():
    _, n = _move_in_from_abroad()
    d = notification_to_dict(n)
    assert d["moved_on"] == {"record_date": "2025-05-20"}
    assert d["notified_on"] == "2025-05-28"
    assert d["previous_address"] == {"prefecture": "国外", "municipality": "アメリカ合衆国", "town": "", "block": "",
                                     "building": "", "lg_code": "", "postal_code": ""}
    person = d["persons"][0]
    assert person["name"] == {"family": "グエン", "given": "ヴァン　アン", "family_kana": "グエン", "given_kana": "ヴァン　アン"}
    assert person["sex"] == 1 and person["kind"] == "foreign" and person["birth_date"] == "1985-08-08"
    assert person["foreign"]["category"] == "mid_long_term"
    assert person["foreign"]["stay_expires_on"] == "2027-03-31"
    assert person["foreign"]["became_resident_on"] == {"record_date": "2024-04-01"}
    assert isinstance(d["persons"], list)


def test_a_day_and_an_exact_record_date_stay_apart():
    as_day = Death("R001", dt.date(2025, 5, 1), TODAY)
    as_record = Death("R001", RecordDate.exact(dt.date(2025, 5, 1)), TODAY)
    d_day, d_record = notification_to_dict(as_day), notification_to_dict(as_record)
    assert d_day["death_date"] == "2025-05-01" and d_record["death_date"] == {"record_date": "2025-05-01"}
    assert type(notification_from_dict(d_day).death_date) is dt.date
    assert type(notification_from_dict(d_record).death_date) is RecordDate


def test_correction_values_keep_their_types():
    n = ODD["correction_of_every_value_type"]
    d = notification_to_dict(n)
    assert d["reason"] == "C03"
    assert d["changes"]["birth_date"] == "1990-01-01"  # text stays text (the domain refuses it)
    assert d["changes"]["address_set_on"] == {"date": "2010-04-02"}
    assert d["changes"]["became_resident_on"] == {"record_date": "????-??-??"}
    assert d["changes"]["foreign.category"] == {"ForeignCategory": "special_permanent"}
    assert d["changes"]["status"] == {"Status": "removed"}
    assert d["changes"]["previous_address"]["Address"]["prefecture"] == "国外"
    assert d["changes"]["version"] == 3 and d["changes"]["suppressed"] is True and d["changes"]["alias"] is None
    back = notification_from_dict(d)
    assert back.changes["birth_date"] == "1990-01-01" and back.changes["address_set_on"] == dt.date(2010, 4, 2)
    assert back.changes["foreign.category"] is ForeignCategory.SPECIAL_PERMANENT
    assert type(back.changes["suppressed"]) is bool and type(back.changes["version"]) is int


def test_sex_in_a_correction_round_trips_as_the_enum():
    _, n = _correction()
    d = notification_to_dict(n)
    assert d["changes"]["sex"] == {"Sex": 2} and d["reason"] == "C04"
    assert notification_from_dict(d).changes["sex"] is Sex.FEMALE


def test_fields_with_defaults_may_be_left_out():
    n = notification_from_dict({"kind": "Cancellation", "cancels": "chg-1", "notified_on": "2025-06-02"})
    assert n == Cancellation("chg-1", TODAY)
    n = notification_from_dict({"kind": "Death", "resident_id": "R001", "death_date": None, "notified_on": "2025-06-02"})
    assert n == Death("R001", None, TODAY) and n.relationships == {}


def test_writing_what_is_not_a_notification_is_a_type_error():
    with pytest.raises(TypeError):
        notification_to_dict(Address("千葉県", "千葉市中央区"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        notification_to_dict(Death("R001", "2025-05-01", TODAY))  # type: ignore[arg-type]  # a str where a date belongs
    with pytest.raises(TypeError):
        notification_to_dict(ExOfficioCorrection("R001", {"x": object()}, "", TODAY))


# --- bad input -------------------------------------------------------------------------------------


def valid(name: str = "move_in") -> dict:
    return notification_to_dict(EXAMPLES[name]()[1])


def errors_of(d: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        notification_from_dict(d)
    out: dict[str, list[str]] = {}
    for e in info.value.errors:
        out.setdefault(e.field, []).append(e.message)
    return out


def changed(d: dict, path: str, value: object = ..., *, delete: bool = False) -> dict:
    d = copy.deepcopy(d)
    *parents, last = path.split(".")
    target: Any = d
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    key = int(last) if isinstance(target, list) else last
    if delete:
        del target[key]
    else:
        target[key] = value
    return d


@pytest.mark.parametrize("value", [None, [], "MoveIn", 1, 1.5, True, [{"kind": "MoveIn"}]])
def test_not_an_object(value):
    errors = errors_of(value)
    assert list(errors) == [""] and "JSONオブジェクト" in errors[""][0]


def test_unknown_kind():
    assert errors_of({**valid(), "kind": "MoveAway"}) == {"kind": ["届出の種類が不明です: MoveAway"]}
    assert errors_of({**valid(), "kind": "Notification"}) == {"kind": ["届出の種類が不明です: Notification"]}
    assert "kind" in errors_of({**valid(), "kind": ["MoveIn"]})
    assert "kind" in errors_of({**valid(), "kind": None})
    assert "kind" in errors_of(changed(valid(), "kind", delete=True))


@pytest.mark.parametrize(
    "path, value, field, message",
    [
        ("moved_on", "2025/05/20", "moved_on", "項目 moved_on の日付の形式が正しくありません"),
        ("moved_on", "2025-02-30", "moved_on", "項目 moved_on の日付の形式が正しくありません"),
        ("moved_on", "20250520", "moved_on", "項目 moved_on の日付の形式が正しくありません"),
        ("moved_on", " 2025-05-20", "moved_on", "項目 moved_on の日付の形式が正しくありません"),
        ("moved_on", "２０２５-05-20", "moved_on", "項目 moved_on の日付の形式が正しくありません"),
        ("moved_on", 20250520, "moved_on", "項目 moved_on の形式が正しくありません（日付（YYYY-MM-DD）又は記録上の年月日を指定してください）"),
        ("moved_on", None, "moved_on", "項目 moved_on の形式が正しくありません"),
        ("moved_on", {"record_date": "2025-13-01"}, "moved_on", "項目 moved_on の日付の形式が正しくありません"),
        ("moved_on", {"record_date": "令和7年5月20日"}, "moved_on", "項目 moved_on の日付の形式が正しくありません"),
        ("moved_on", {"record_date": 20250520}, "moved_on", "項目 moved_on の形式が正しくありません（記録上の年月日を指定してください）"),
        ("moved_on", {"date": "2025-05-20"}, "moved_on", "項目 moved_on の形式が正しくありません（記録上の年月日を指定してください）"),
        ("moved_on", {"record_date": "2025-05-20", "x": 1}, "moved_on", "項目 moved_on の形式が正しくありません"),
        ("notified_on", {"record_date": "2025-05-20"}, "notified_on", "項目 notified_on の形式が正しくありません（日付（YYYY-MM-DD）を指定してください）"),
        ("persons", {"0": {}}, "persons", "項目 persons の形式が正しくありません（配列を指定してください）"),
        ("persons.0", "R100", "persons.0", "項目 persons.0 の形式が正しくありません（オブジェクトを指定してください）"),
        ("persons.0.name.family_kana", 5, "persons.0.name.family_kana", "項目 persons.0.name.family_kana の形式が正しくありません（文字列を指定してください）"),
        ("persons.0.name", ["船橋", "健", "フナバシ", "ケン"], "persons.0.name", "項目 persons.0.name の形式が正しくありません（オブジェクトを指定してください）"),
        ("persons.0.sex", 3, "persons.0.sex", "項目 persons.0.sex の値が正しくありません: 3"),
        ("persons.0.sex", "1", "persons.0.sex", "項目 persons.0.sex の形式が正しくありません（0・1・2・9 のいずれかを指定してください）"),
        ("persons.0.sex", True, "persons.0.sex", "項目 persons.0.sex の形式が正しくありません"),
        ("persons.0.sex", 1.0, "persons.0.sex", "項目 persons.0.sex の形式が正しくありません"),
        ("persons.0.kind", "Japanese", "persons.0.kind", "項目 persons.0.kind の値が正しくありません: Japanese"),
        ("persons.0.birth_date", {"record_date": "1985-02-30/early"}, "persons.0.birth_date", "項目 persons.0.birth_date の日付の形式が正しくありません"),
        ("persons.0.foreign", {"nationality": "ベトナム", "category": "refugee"}, "persons.0.foreign.category", "項目 persons.0.foreign.category の値が正しくありません: refugee"),
        ("persons.0.foreign", {"category": "special_permanent"}, "persons.0.foreign.nationality", "項目 persons.0.foreign.nationality がありません"),
        ("address.town", None, "address.town", "項目 address.town の形式が正しくありません（文字列を指定してください）"),
        ("address", None, "address", "項目 address の形式が正しくありません（オブジェクトを指定してください）"),
        ("previous_address", "東京都千代田区", "previous_address", "項目 previous_address の形式が正しくありません（オブジェクトを指定してください）"),
        ("new_household_id", 9, "new_household_id", "項目 new_household_id の形式が正しくありません（文字列を指定してください）"),
        ("foo", 1, "foo", "不明な項目です: foo"),
        ("persons.0.name.middle", "", "persons.0.name.middle", "不明な項目です: persons.0.name.middle"),
    ],
)
def test_bad_value_names_the_field(path, value, field, message):
    errors = errors_of(changed(valid(), path, value))
    assert list(errors) == [field], errors
    assert errors[field][0].startswith(message), errors[field]


@pytest.mark.parametrize("path", ["notified_on", "persons", "address", "moved_on", "previous_address",
                                  "persons.0.name", "persons.0.name.family", "persons.0.resident_id", "address.prefecture"])
def test_missing_required_field(path):
    assert errors_of(changed(valid(), path, delete=True)) == {path: [f"項目 {path} がありません"]}


def test_every_problem_is_reported_at_once():
    d = changed(valid(), "moved_on", "yesterday")
    d = changed(d, "persons.1.name.family_kana", None)
    d = changed(d, "persons.0.sex", 5)
    d = changed(d, "notified_on", delete=True)
    d = changed(d, "bar", [])
    assert set(errors_of(d)) == {"moved_on", "persons.1.name.family_kana", "persons.0.sex", "notified_on", "bar"}


@pytest.mark.parametrize(
    "kind_name, path, value, field",
    [
        ("move_out_householder", "relationships", {"R003": 1}, "relationships.R003"),
        ("move_out_householder", "relationships", ["R003", "子"], "relationships"),
        ("move_out", "resident_ids", ["R004", 4], "resident_ids.1"),
        ("move_out", "resident_ids", "R004", "resident_ids"),
        ("move_out", "destination", {"prefecture": "東京都"}, "destination.municipality"),
        ("correction", "reason", "C99", "reason"),
        ("correction", "reason", "CLERICAL_ERROR", "reason"),
        ("correction", "changes", [["sex", 2]], "changes"),
        ("correction", "changes", {"sex": {"Gender": 2}}, "changes.sex"),
        ("correction", "changes", {"sex": {"Sex": 3}}, "changes.sex"),
        ("correction", "changes", {"sex": {"Sex": 2, "x": 1}}, "changes.sex"),
        ("correction", "changes", {"sex": [2]}, "changes.sex"),
        ("correction", "changes", {"sex": 1.5}, "changes.sex"),
        ("correction", "changes", {"birth_date": {"date": "1990-13-01"}}, "changes.birth_date"),
        ("correction", "changes", {"birth_date": {"record_date": "1990-01"}}, "changes.birth_date"),
        ("correction", "changes", {"previous_address": {"Address": {"prefecture": "国外", "municipality": 1}}},
         "changes.previous_address.municipality"),
        ("correction", "occurred_on", "令和7年6月1日", "occurred_on"),
        ("birth", "person", None, "person"),
        ("cancellation", "explanation", False, "explanation"),
    ],
)
def test_bad_values_of_other_kinds(kind_name, path, value, field):
    errors = errors_of(changed(valid(kind_name), path, value))
    assert list(errors) == [field], errors
    assert all(field in message for message in errors[field]), errors


def test_message_texts():
    assert errors_of(changed(valid("correction"), "changes", {"sex": {"Gender": 2}})) == {
        "changes.sex": ["項目 changes.sex の値の種類が不明です: Gender"]}
    assert errors_of(changed(valid("correction"), "reason", "C99")) == {"reason": ["項目 reason の値が正しくありません: C99"]}
    assert errors_of(changed(valid("move_out"), "resident_ids", ["R004", 4])) == {
        "resident_ids.1": ["項目 resident_ids.1 の形式が正しくありません（文字列を指定してください）"]}
    errors = errors_of(changed(valid("birth"), "person", {"resident_id": "R300"}))
    assert errors["person.name"] == ["項目 person.name がありません"]
    assert set(errors) == {"person.name", "person.birth_date", "person.sex", "person.relationship"}


def test_odd_python_values_are_still_validation_errors():
    huge = 10**5000  # str() refuses it: messages must not
    assert errors_of({**valid(), "kind": huge}) == {"kind": ["届出の種類が不明です: 桁数の多い整数"]}
    assert list(errors_of(changed(valid(), "persons.0.sex", huge))) == ["persons.0.sex"]
    assert list(errors_of(changed(valid(), "persons.0.sex", float("nan")))) == ["persons.0.sex"]
    assert list(errors_of(changed(valid("correction"), "changes", {"sex": float("inf")}))) == ["changes.sex"]
    assert list(errors_of({**valid(), huge: 1})) == ["桁数の多い整数"]
    assert list(errors_of(changed(valid("move_out_householder"), "relationships", {3: "子"}))) == ["relationships.3"]
    assert list(errors_of(changed(valid(), "persons", tuple(valid()["persons"])))) == ["persons"]  # not a JSON array
    assert list(errors_of(("kind", "MoveIn"))) == [""]


# --- never anything but ValidationError -------------------------------------------------------------

JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
                | st.sampled_from(["", "kind", "MoveIn", "2025-05-20", "C03", "japanese", "record_date", "Sex",
                                   "Address", "date", "????-??-??", "2025-04-??/early"]))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10) | st.sampled_from(["kind", "record_date", "Sex"]),
                                                              kids, max_size=4),
    max_leaves=25,
)
FIELD_NAMES = sorted({f.name for k in KINDS for f in dataclasses.fields(k)} | {"name", "family", "category", "record_date"})


def only_validation_errors(d: object) -> None:
    """from_dict either gives a notification that round-trips, or raises ValidationError."""
    try:
        n = notification_from_dict(d)
    except ValidationError as e:
        assert e.errors and all(isinstance(x.field, str) and x.message for x in e.errors)
        return
    assert type(n) in KINDS
    again = notification_to_dict(n)
    assert notification_from_dict(orjson.loads(orjson.dumps(again))) == n


@settings(max_examples=300)
@given(JSON_VALUES)
def test_any_json_value(d):
    only_validation_errors(d)


@settings(max_examples=300)
@given(st.sampled_from(sorted(KIND_NAMES)), st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), JSON_VALUES, max_size=8))
def test_any_object_of_a_known_kind(kind, body):
    only_validation_errors({**body, "kind": kind})


def paths_in(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths_in(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths_in(v, prefix + (i,))
    return out


def mutate(data, d: dict) -> object:
    root: list = [copy.deepcopy(d)]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths_in(root[0])))
        parent: Any = root
        key: Any = 0
        for step in path:
            parent, key = parent[key], step
        op = data.draw(st.sampled_from(["replace", "delete", "insert", "rekind"]))
        if op == "replace" or (op == "delete" and parent is root):
            parent[key] = data.draw(JSON_VALUES)
        elif op == "delete":
            del parent[key]
        elif op == "insert" and isinstance(parent[key], dict):
            parent[key][data.draw(st.sampled_from(FIELD_NAMES) | st.text(max_size=6))] = data.draw(JSON_VALUES)
        elif op == "insert" and isinstance(parent[key], list):
            parent[key].insert(data.draw(st.integers(0, len(parent[key]))), data.draw(JSON_VALUES))
        elif op == "rekind" and isinstance(root[0], dict):
            root[0]["kind"] = data.draw(st.sampled_from(sorted(KIND_NAMES)))
    return root[0]


VALID_DICTS = [notification_to_dict(n) for n in all_examples()]


@settings(max_examples=500)
@given(st.data())
def test_mutations_of_a_valid_dict(data):
    d = data.draw(st.sampled_from(VALID_DICTS))
    only_validation_errors(mutate(data, d))


# --- every kind, generically: any notification its field types allow round-trips ---------------------

RECORD_DATES = st.one_of(
    st.dates(dt.date(1873, 1, 1), dt.date(2100, 12, 31)).map(RecordDate.exact),
    st.sampled_from([RecordDate.parse(t) for t in (
        "令和3年頃", "令和3年4月頃", "推定令和3年4月5日", "令和3年春", "令和3年4月中旬頃", "年月日不詳", "令和3年 月日不詳",
        "令和3年4月 日不詳", "令和3年4月5日から4月9日頃までの間", "令和3年4月推定5日から9日までの間", "平成3年2月29日",
        "明治45年7月30日", "昭和64年1月頃",
    )]),
)
ANY_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=8), st.dates(), RECORD_DATES,
    st.sampled_from(Sex), st.sampled_from(ForeignCategory), st.sampled_from(ResidentKind), st.sampled_from(ChangeReason),
    st.builds(Address, st.text(max_size=4), st.text(max_size=4), st.text(max_size=4)),
    st.builds(PersonName, st.text(max_size=4), st.text(max_size=4)),
)


def values_of(tp: Any) -> st.SearchStrategy:
    """Every value a field of type `tp` may hold (a test oracle, independent of the codec's table)."""
    if tp is Any:
        return ANY_VALUES
    if tp is type(None):
        return st.none()
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values_of(a) for a in args))
    if origin is tuple:
        return st.lists(values_of(args[0]), max_size=3).map(tuple)
    if origin in (dict, collections.abc.Mapping):
        return st.dictionaries(st.text(max_size=8), values_of(args[1]), max_size=3)
    simple = {str: st.text(max_size=12), int: st.integers(-(2**63), 2**63 - 1), bool: st.booleans(),
              dt.date: st.dates(), RecordDate: RECORD_DATES}
    if tp in simple:
        return simple[tp]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(tp)
    hints = typing.get_type_hints(tp)
    return st.builds(tp, **{f.name: values_of(hints[f.name]) for f in dataclasses.fields(tp)})


@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
@settings(max_examples=80)
@given(data=st.data())
def test_any_notification_of_every_kind_round_trips(kind, data):
    n = data.draw(values_of(kind))
    d = notification_to_dict(n)
    assert json_safe(d)
    back = notification_from_dict(orjson.loads(orjson.dumps(d)))
    assert back == n and type(back) is kind
