"""Check digits of My Numbers, resident codes and local government codes."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.checkdigits import (
    check_number,
    is_valid_lg_code,
    is_valid_my_number,
    is_valid_resident_code,
    lg_code_check_digit,
    my_number_check_digit,
    resident_code_check_digit,
)

digits = lambda n: st.text("0123456789", min_size=n, max_size=n)


def test_known_my_number():
    assert is_valid_my_number("123456789018")
    assert not is_valid_my_number("123456789012")


def test_check_digit_by_the_formula_written_out():
    # 11 digits 12345678901, P1 = 1 (rightmost) … weights Q: 2,3,4,5,6,7,2,3,4,5,6
    body = "12345678901"
    p = [int(c) for c in reversed(body)]
    q = [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6]
    remainder = sum(a * b for a, b in zip(p, q)) % 11
    assert my_number_check_digit(body) == (0 if remainder <= 1 else 11 - remainder) == 8


@pytest.mark.parametrize("code", ["121002", "121011", "121029", "121037", "121045", "121053", "121061", "131016", "011002"])
def test_real_local_government_codes(code):
    assert is_valid_lg_code(code)


@given(digits(11))
def test_my_number_round_trip(body):
    number = body + str(my_number_check_digit(body))
    assert is_valid_my_number(number)
    wrong = body + str((int(number[-1]) + 1) % 10)
    assert not is_valid_my_number(wrong)


@given(digits(10))
def test_resident_code_round_trip(body):
    code = body + str(resident_code_check_digit(body))
    assert is_valid_resident_code(code)
    assert not is_valid_resident_code(body + str((int(code[-1]) + 3) % 10))


@given(digits(5))
def test_lg_code_round_trip(body):
    code = body + str(lg_code_check_digit(body))
    assert is_valid_lg_code(code)
    assert not is_valid_lg_code(body + str((int(code[-1]) + 1) % 10))


@given(digits(11), st.integers(0, 10), st.integers(1, 9))
def test_single_digit_errors_change_the_check_unless_remainder_folds(body, pos, delta):
    """Mod 11 with weights 2–7 sees every single-digit error, except the 0/1 remainder fold."""
    changed = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1 :]
    if my_number_check_digit(changed) == my_number_check_digit(body):
        assert my_number_check_digit(body) == 0


@pytest.mark.parametrize(
    "kind, value, fragment",
    [
        ("my_number", "12345678901", "12桁"),
        ("my_number", "１２３４５６７８９０１８", "12桁"),
        ("my_number", "123456789012", "検査数字"),
        ("resident_code", "1234567890", "11桁"),
        ("lg_code", "121003", "検査数字"),
    ],
)
def test_messages(kind, value, fragment):
    assert fragment in check_number(kind, value)


def test_valid_numbers_have_no_message():
    assert check_number("my_number", "123456789018") is None
    assert check_number("lg_code", "121002") is None


def test_numbers_as_typed_are_normalized_before_the_check():
    from domain.checkdigits import normalize_number

    assert normalize_number("１２３４ ５６７８-９０１８") == "123456789018"
    assert check_number("my_number", normalize_number("１２３４　５６７８　９０１８")) is None
    assert check_number("my_number", normalize_number("1234-5678-901X")) is not None
