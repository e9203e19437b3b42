"""Shared rules of notifications: relationships (j110), dates, the entry point."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from domain.errors import Problems, ValidationError
from domain.notifications import KINDS, Death, apply_notification, validate_notification
from domain.notifications.common import bounds, city_address, outside_address
from domain.record_dates import RecordDate
from domain.relationships import (
    KNOWN_RELATIONSHIPS,
    is_valid_relationship,
    parse_relationship,
    relationship_problem,
    standard_form,
)
from tests.domain.factories import TODAY, address, family_register


@pytest.mark.parametrize("rel", KNOWN_RELATIONSHIPS)
def test_every_listed_relationship_is_valid(rel):
    assert is_valid_relationship(rel)


@pytest.mark.parametrize("rel", ["子の子の子の子", "父の兄の子", "妻（未届）の子", "子の夫の母", "曾孫の妻", "夫（未届）"])
def test_j110_chains_are_valid(rel):
    assert is_valid_relationship(rel)


@pytest.mark.parametrize(
    "rel, word",
    [
        ("子の子の子の子の子", "縁故者"),
        ("曾孫の子の子", "縁故者"),
        ("家事使用人", "続柄"),
        ("妻の夫", "配偶者"),
        ("兄の弟", "兄弟姉妹"),
        ("世帯主の子", "世帯主"),
        ("", "続柄を入力"),
        ("子の", "続柄"),
    ],
)
def test_invalid_relationships_name_the_field(rel, word):
    message = relationship_problem(rel)
    assert message is not None and "続柄" in message and word in message


def test_relationship_generations_and_standard_forms():
    assert parse_relationship("孫").path == ("子", "子")
    assert parse_relationship("孫").generation == -2
    assert parse_relationship("叔父").generation == 1
    assert parse_relationship("未届の妻").unmarried
    assert standard_form("孫の妻") == "子の子の妻"
    assert standard_form("未届の妻") == "妻（未届）"
    assert standard_form("祖父") is None  # 父の父 or 母の父: no single j110 form
    assert standard_form("同居人") == "同居人"


def test_bounds_of_partial_dates():
    assert bounds(RecordDate.parse("令和7年4月上旬")) == (dt.date(2025, 4, 1), dt.date(2025, 4, 10))
    assert bounds(RecordDate.unknown()) == (None, None)
    assert bounds(dt.date(2025, 1, 2)) == (dt.date(2025, 1, 2), dt.date(2025, 1, 2))


def test_city_address_takes_the_wards_code_and_needs_town_and_block():
    p = Problems()
    a = city_address(p, replace(address("美浜区"), lg_code=""), "address", "住所")
    assert a is not None and a.lg_code == "121061" and not p
    p = Problems()
    assert city_address(p, address(town="", block=""), "address", "住所") is None
    with pytest.raises(ValidationError) as info:
        p.raise_if_any()
    assert info.value.fields == {"address.town", "address.block"}
    p = Problems()
    from domain.residents import Address

    assert city_address(p, Address("千葉県", "船橋市", "本町", "1"), "address", "住所") is None
    with pytest.raises(ValidationError) as info:
        p.raise_if_any()
    assert "千葉市内" in info.value.messages_for("address")[0]


def test_outside_address_refuses_unknown_municipality_and_the_city_itself():
    from domain.residents import Address

    for bad, word in [
        (Address("東京都", "架空区"), "見つかりません"),
        (Address("千葉県", "千葉市中央区", "本千葉町"), "千葉市内"),
        (Address("国外", ""), "国名"),
        (Address("", ""), "都道府県"),
    ]:
        p = Problems()
        assert outside_address(p, bad, "previous_address", "転入前住所") is None
        with pytest.raises(ValidationError) as info:
            p.raise_if_any()
        assert any(word in e.message and "転入前住所" in e.message for e in info.value.errors)


def test_apply_notification_refuses_non_notifications_and_needs_a_change_id():
    register = family_register()
    with pytest.raises(TypeError):
        apply_notification(object(), register, change_id="x", today=TODAY)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        apply_notification(Death("R003", dt.date(2025, 5, 1), TODAY), register, change_id="", today=TODAY)


def test_validate_notification_lists_problems_without_raising():
    register = family_register()
    errors = validate_notification(Death("R003", dt.date(2030, 1, 1), dt.date(2030, 1, 2)), register, today=TODAY)
    assert {e.field for e in errors} == {"death_date", "notified_on"}
    assert validate_notification(Death("R003", dt.date(2025, 5, 1), TODAY), register, today=TODAY) == ()


def test_every_kind_is_a_frozen_dataclass():
    import dataclasses

    for kind in KINDS:
        assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen
