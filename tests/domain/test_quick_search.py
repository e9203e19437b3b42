"""The one-line search bar: how each word a clerk types is read."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationError
from domain.quick_search import parse_quick
from domain.search_criteria import ALL_WARDS, SearchCriteria, plan_search


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ヤマダ S55", SearchCriteria(name="ヤマダ", birth="S55")),
        ("オータ　ショウ", SearchCriteria(name="オータ ショウ")),
        ("S55.13.01", SearchCriteria(birth="S55.13.01")),
        ("髙橋 ゆうこ 昭和55年12月26日", SearchCriteria(name="髙橋 ゆうこ", birth="昭和55年12月26日")),
        ("*サイトウ 1980", SearchCriteria(name="サイトウ", birth="1980", ward=ALL_WARDS)),
        ("ヤマダ 女", SearchCriteria(name="ヤマダ", sex=2)),
        ("123456789012", SearchCriteria(my_number="123456789012")),
        ("１２３４５６７８９０１", SearchCriteria(resident_code="12345678901")),
        ("0000000144", SearchCriteria(resident_id="0000000144")),
        ("demo-counter-01-000012", SearchCriteria(resident_id="demo-counter-01-000012")),
        ("稲荷町一丁目", SearchCriteria(address="稲荷町一丁目")),
        ("ｻﾄｳ H2.3", SearchCriteria(name="サトウ", birth="H2.3")),
    ],
)
def test_words_are_read_as_a_clerk_means_them(text, expected):
    assert parse_quick(text) == expected


def test_own_ward_unless_asked_for_all():
    assert parse_quick("サトウ", ward="121011").ward == "121011"
    assert parse_quick("*サトウ", ward="121011").ward == ALL_WARDS


@given(st.text(max_size=40))
def test_anything_typed_is_either_a_plan_or_a_japanese_message(text):
    c = parse_quick(text)
    try:
        plan_search(c, own_ward="121011")
    except ValidationError as e:
        assert e.errors and all(err.message for err in e.errors)
