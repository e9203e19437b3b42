"""Check digits (検査数字) of the numbers a counter handles.

- 個人番号 (My Number, 12 digits): 行政手続における特定の個人を識別するための番号の利用等に関する法律
  施行令 第8条 and 総務省令第85号 第5条. With P_n the n-th of the first 11 digits counted from the
  right and Q_n = n + 1 (1 ≤ n ≤ 6), n − 5 (7 ≤ n ≤ 11): check = 11 − (Σ P_n·Q_n mod 11), 0 when
  the remainder is ≤ 1.
- 住民票コード (resident code, 11 digits: 10 random digits and a check digit), 住民基本台帳法施行規則
  第1条 and 平成14年総務省告示第436号: the same modulus-11 scheme, weights 2–7 repeating from the
  right, over the first 10 digits.
- 全国地方公共団体コード (local government code, 6 digits = 5 + check): weights 6,5,4,3,2 from the
  left; check = last digit of 11 − (Σ mod 11).
"""
from __future__ import annotations

import unicodedata


def normalize_number(typed: str) -> str:
    """A number as typed (「１２３４ ５６７８-９０１８」) in the form it is stored and checked: full
    width folded to ASCII, spaces and hyphens dropped. Anything else is left for the check to refuse."""
    return unicodedata.normalize("NFKC", typed).replace(" ", "").replace("-", "")


def _modulus11(body: str) -> int:
    total = 0
    for n, ch in enumerate(reversed(body), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(ch) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def my_number_check_digit(first11: str) -> int:
    """The 12th digit of a My Number (個人番号) from its first 11."""
    if not _digits(first11, 11):
        raise ValueError("My Number body must be 11 ASCII digits")
    return _modulus11(first11)


def is_valid_my_number(value: str) -> bool:
    return _digits(value, 12) and my_number_check_digit(value[:11]) == int(value[11])


def resident_code_check_digit(first10: str) -> int:
    """The 11th digit of a resident code (住民票コード) from its first 10."""
    if not _digits(first10, 10):
        raise ValueError("resident code body must be 10 ASCII digits")
    return _modulus11(first10)


def is_valid_resident_code(value: str) -> bool:
    return _digits(value, 11) and resident_code_check_digit(value[:10]) == int(value[10])


def lg_code_check_digit(first5: str) -> int:
    """The 6th digit of a local government code (全国地方公共団体コード) from its first 5."""
    if not _digits(first5, 5):
        raise ValueError("local government code body must be 5 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first5, (6, 5, 4, 3, 2)))
    return (11 - total % 11) % 10


def is_valid_lg_code(value: str) -> bool:
    return _digits(value, 6) and lg_code_check_digit(value[:5]) == int(value[5])


def check_number(kind: str, value: str) -> str | None:
    """A Japanese message when `value` is not a valid number of `kind`, else None.

    kind: "my_number" | "resident_code" | "lg_code".
    """
    spec = {
        "my_number": (12, is_valid_my_number, "個人番号"),
        "resident_code": (11, is_valid_resident_code, "住民票コード"),
        "lg_code": (6, is_valid_lg_code, "地方公共団体コード"),
    }[kind]
    length, valid, label = spec
    if not _digits(value, length):
        return f"{label}は{length}桁の数字で入力してください"
    if not valid(value):
        return f"{label}の検査数字が一致しません（入力誤りの可能性があります）"
    return None
