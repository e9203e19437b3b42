"""The one-line search bar (クイック検索): what a clerk types in one box, read as a search.

Words are separated by spaces (full-width too). A word is read as
- a number: 12 digits 個人番号, 11 digits 住民票コード, other digit strings (or a terminal-made
  number with hyphens) 宛名番号;
- a birth date when it has a digit and reads as a date, month or year (「S55.12.26」「昭和55年」
  「1980」「S55.12」);
- 男 / 女 (性別);
- an address when it names a ward or ends like one (…区, …町, …丁目, …番地);
- otherwise part of the name (kana or kanji; several words are family and given name).
A leading 「*」 searches every ward instead of the clerk's own.
"""
from __future__ import annotations

import re
import unicodedata

from domain.search_criteria import ALL_WARDS, SearchCriteria

_DIGITS = re.compile(r"^\d+$")
_TERMINAL_ID = re.compile(r"^[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*-\d{6}$")
_DATE_LIKE = re.compile(r"^(?:[MTSHRmtshr]|明治|大正|昭和|平成|令和)?\s*(?:\d{1,4}|元)(?:[年./\-]\d{0,2}(?:[月./\-]\d{0,2}日?)?)?年?$")
_ADDRESS_END = ("区", "町", "丁目", "番地", "番", "号", "市")
_SEX = {"男": 1, "女": 2, "男性": 1, "女性": 2}


def parse_quick(text: str, *, ward: str = "") -> SearchCriteria:
    folded = unicodedata.normalize("NFKC", text).strip()
    if folded.startswith("*"):
        ward, folded = ALL_WARDS, folded[1:].strip()
    name: list[str] = []
    values: dict = {}
    for word in folded.split():
        if _DIGITS.match(word):
            if len(word) <= 4:
                values["birth"] = values.get("birth", "") + word  # a year: 「1980」
            else:
                values[{12: "my_number", 11: "resident_code"}.get(len(word), "resident_id")] = word
        elif _TERMINAL_ID.match(word):
            values["resident_id"] = word
        elif word in _SEX:
            values["sex"] = _SEX[word]
        elif any(ch.isdigit() for ch in word) and _DATE_LIKE.match(word):
            values["birth"] = values.get("birth", "") + word
        elif word.endswith(_ADDRESS_END) and len(word) > 1 and not name:
            values["address"] = (values.get("address", "") + word)
        else:
            name.append(word)
    return SearchCriteria(name=" ".join(name), ward=ward, **values)
