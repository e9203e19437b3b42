"""Tests for domain.wareki (和暦)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.wareki import (
    ERAS,
    DateError,
    WarekiDate,
    era_by_name_or_letter,
    era_year_text,
    format_seireki,
    format_wareki,
    from_wareki,
    parse_date,
    parse_date_parts,
    to_wareki,
)

FIRST = date(1868, 1, 25)
LAST = date(2100, 12, 31)
ALL_DATES = st.dates(min_value=FIRST, max_value=LAST)
ERA = {e.name: e for e in ERAS}

FULLWIDTH = str.maketrans(
    "0123456789./-SHRMTshrmt ", "０１２３４５６７８９．／－ＳＨＲＭＴｓｈｒｍｔ\u3000"
)


# --- era table ---------------------------------------------------------------------------


def test_era_table():
    assert [(e.name, e.letter, e.start, e.end) for e in ERAS] == [
        ("明治", "M", date(1868, 1, 25), date(1912, 7, 30)),
        ("大正", "T", date(1912, 7, 30), date(1926, 12, 25)),
        ("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
        ("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
        ("令和", "R", date(2019, 5, 1), None),
    ]
    assert [e.last_year for e in ERAS] == [45, 15, 64, 31, None]


def test_eras_are_contiguous():
    for older, newer in zip(ERAS, ERAS[1:]):
        # Either the new era starts on the old era's last day or the day after it.
        assert newer.start - older.end in (timedelta(0), timedelta(days=1))


@pytest.mark.parametrize(
    "text,name",
    [
        ("明治", "明治"), ("大正", "大正"), ("昭和", "昭和"), ("平成", "平成"), ("令和", "令和"),
        ("M", "明治"), ("T", "大正"), ("S", "昭和"), ("H", "平成"), ("R", "令和"),
        ("m", "明治"), ("t", "大正"), ("s", "昭和"), ("h", "平成"), ("r", "令和"),
        ("Ｍ", "明治"), ("Ｔ", "大正"), ("Ｓ", "昭和"), ("Ｈ", "平成"), ("Ｒ", "令和"),
        ("ｓ", "昭和"), ("ｒ", "令和"),
        ("㍾", "明治"), ("㍽", "大正"), ("㍼", "昭和"), ("㍻", "平成"), ("㋿", "令和"),
        (" 昭和 ", "昭和"),
    ],
)
def test_era_by_name_or_letter(text, name):
    assert era_by_name_or_letter(text) is ERA[name]


@pytest.mark.parametrize("text", ["X", "", "SS", "安政", "A", "昭和平成"])
def test_era_by_name_or_letter_unknown(text):
    with pytest.raises(DateError) as exc:
        era_by_name_or_letter(text)
    assert exc.value.message == f"元号が不明です: {text}"


def test_date_error_is_value_error_with_message():
    with pytest.raises(ValueError) as exc:
        parse_date("S65.1.1")
    assert isinstance(exc.value, DateError)
    assert str(exc.value) == exc.value.message


# --- conversion at every era boundary ----------------------------------------------------

BOUNDARIES = [
    # (Gregorian, reading(s) — the first one is what to_wareki gives)
    (date(1868, 1, 25), [("明治", 1, 1, 25)]),
    (date(1868, 12, 31), [("明治", 1, 12, 31)]),
    (date(1869, 1, 1), [("明治", 2, 1, 1)]),
    (date(1912, 7, 29), [("明治", 45, 7, 29)]),
    (date(1912, 7, 30), [("大正", 1, 7, 30), ("明治", 45, 7, 30)]),
    (date(1912, 7, 31), [("大正", 1, 7, 31)]),
    (date(1913, 1, 1), [("大正", 2, 1, 1)]),
    (date(1926, 12, 24), [("大正", 15, 12, 24)]),
    (date(1926, 12, 25), [("昭和", 1, 12, 25), ("大正", 15, 12, 25)]),
    (date(1926, 12, 26), [("昭和", 1, 12, 26)]),
    (date(1927, 1, 1), [("昭和", 2, 1, 1)]),
    (date(1989, 1, 7), [("昭和", 64, 1, 7)]),
    (date(1989, 1, 8), [("平成", 1, 1, 8)]),
    (date(1990, 1, 1), [("平成", 2, 1, 1)]),
    (date(2019, 4, 30), [("平成", 31, 4, 30)]),
    (date(2019, 5, 1), [("令和", 1, 5, 1)]),
    (date(2020, 1, 1), [("令和", 2, 1, 1)]),
]


@pytest.mark.parametrize("d,readings", BOUNDARIES)
def test_boundaries(d, readings):
    name, year, month, day = readings[0]
    assert to_wareki(d) == WarekiDate(ERA[name], year, month, day)
    for name, year, month, day in readings:
        assert from_wareki(name, year, month, day) == d
        assert from_wareki(ERA[name], year, month, day) == d
        assert from_wareki(ERA[name].letter, year, month, day) == d
        text = f"{era_year_text(ERA[name], year)}{month}月{day}日"
        assert parse_date(text) == d
        assert parse_date(f"{ERA[name].letter}{year}.{month}.{day}") == d
        assert parse_date_parts(text)[0] is ERA[name]


@pytest.mark.parametrize(
    "era,year,month,day,message",
    [
        ("明治", 1, 1, 24, "明治元年1月24日は存在しません（明治は元年1月25日から）"),
        ("明治", 45, 7, 31, "明治45年7月31日は存在しません（明治は45年7月30日まで）"),
        ("明治", 46, 1, 1, "明治46年は存在しません（明治は45年まで）"),
        ("大正", 1, 7, 29, "大正元年7月29日は存在しません（大正は元年7月30日から）"),
        ("大正", 15, 12, 26, "大正15年12月26日は存在しません（大正は15年12月25日まで）"),
        ("昭和", 1, 12, 24, "昭和元年12月24日は存在しません（昭和は元年12月25日から）"),
        ("昭和", 64, 1, 8, "昭和64年1月8日は存在しません（昭和は64年1月7日まで）"),
        ("昭和", 65, 1, 1, "昭和65年は存在しません（昭和は64年まで）"),
        ("平成", 1, 1, 7, "平成元年1月7日は存在しません（平成は元年1月8日から）"),
        ("平成", 31, 5, 1, "平成31年5月1日は存在しません（平成は31年4月30日まで）"),
        ("平成", 32, 1, 1, "平成32年は存在しません（平成は31年まで）"),
        ("令和", 1, 4, 30, "令和元年4月30日は存在しません（令和は元年5月1日から）"),
        ("令和", 0, 5, 1, "令和0年は存在しません"),
        ("平成", 3, 2, 29, "平成3年（1991年）はうるう年ではないため、2月29日は存在しません"),
        ("令和", 3, 2, 30, "2月30日は存在しません"),
        ("令和", 3, 13, 1, "13月は存在しません"),
        ("令和", 3, 4, 31, "4月31日は存在しません"),
        ("令和", 3, 4, 0, "4月0日は存在しません"),
    ],
)
def test_from_wareki_rejects(era, year, month, day, message):
    with pytest.raises(DateError) as exc:
        from_wareki(era, year, month, day)
    assert exc.value.message == message


def test_wareki_date_validates_and_unpacks():
    w = WarekiDate(ERA["昭和"], 55, 12, 26)
    assert tuple(w) == (ERA["昭和"], 55, 12, 26)
    assert w.to_date() == date(1980, 12, 26)
    assert str(w) == "昭和55年12月26日"
    with pytest.raises(DateError):
        WarekiDate(ERA["昭和"], 64, 1, 8)


def test_to_wareki_before_meiji():
    with pytest.raises(DateError) as exc:
        to_wareki(date(1868, 1, 24))
    assert exc.value.message == "1868年1月24日は扱えません（1868年1月25日より前です）"


def test_to_wareki_picks_newest_era_containing_the_day():
    for d, _ in BOUNDARIES:
        era = to_wareki(d).era
        assert era.contains(d)
        assert all(not e.contains(d) for e in ERAS[ERAS.index(era) + 1:])


# --- formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d,kanji,short,seireki",
    [
        (date(1980, 12, 26), "昭和55年12月26日", "S55.12.26", "1980年12月26日"),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1", "2019年5月1日"),
        (date(2020, 1, 1), "令和2年1月1日", "R2.1.1", "2020年1月1日"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7", "1989年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8", "1989年1月8日"),
        (date(1912, 7, 30), "大正元年7月30日", "T1.7.30", "1912年7月30日"),
        (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25", "1926年12月25日"),
        (date(1868, 1, 25), "明治元年1月25日", "M1.1.25", "1868年1月25日"),
        (date(1900, 2, 28), "明治33年2月28日", "M33.2.28", "1900年2月28日"),
    ],
)
def test_format(d, kanji, short, seireki):
    assert format_wareki(d) == kanji
    assert format_wareki(d, style="kanji") == kanji
    assert format_wareki(d, style="short") == short
    assert format_seireki(d) == seireki


def test_format_unknown_style():
    with pytest.raises(ValueError):
        format_wareki(date(2000, 1, 1), style="long")


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "S55.12.26", "s55.12.26", "S55/12/26", "s55/12/26", "S55-12-26", "S551226", "s551226",
        "S55.12.26", "S 55.12.26", "S55 12 26", "S55年12月26日", "昭55.12.26",
        "昭和55年12月26日", "昭和55年 12月 26日", "昭和55.12.26", "㍼55.12.26", "㍼55年12月26日",
        "1980-12-26", "1980/12/26", "1980.12.26", "19801226", "1980年12月26日", "西暦1980年12月26日",
        "Ｓ５５．１２．２６", "ｓ５５／１２／２６", "Ｓ５５１２２６", "昭和５５年１２月２６日",
        "１９８０－１２－２６", "１９８０年１２月２６日", "１９８０１２２６",
        "  S55.12.26  ", "\u3000昭和55年12月26日\u3000", "\tS55.12.26\n", "1980ー12ー26",
    ],
)
def test_parse_date_forms(text):
    assert parse_date(text) == date(1980, 12, 26)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("R1.5.1", date(2019, 5, 1)),
        ("R01.05.01", date(2019, 5, 1)),
        ("r1/5/1", date(2019, 5, 1)),
        ("R010501", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("㋿元年5月1日", date(2019, 5, 1)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("大正15年12月25日", date(1926, 12, 25)),
        ("明治45年7月30日", date(1912, 7, 30)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("M1.1.25", date(1868, 1, 25)),
        ("H4.2.29", date(1992, 2, 29)),
        ("2000-02-29", date(2000, 2, 29)),
        ("R82.12.31", date(2100, 12, 31)),
    ],
)
def test_parse_date_examples(text, expected):
    assert parse_date(text) == expected


def test_parse_date_month_day_uses_today():
    today = date(2025, 4, 3)
    assert parse_date("4/1", today=today) == date(2025, 4, 1)
    assert parse_date("12.26", today=today) == date(2025, 12, 26)
    assert parse_date("１２月２６日", today=today) == date(2025, 12, 26)
    assert parse_date("S55.12.26", today=today) == date(1980, 12, 26)
    with pytest.raises(DateError) as exc:
        parse_date("2/29", today=today)
    assert exc.value.message == "2025年はうるう年ではないため、2月29日は存在しません"
    assert parse_date("2/29", today=date(2024, 1, 1)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "日付が入力されていません"),
        ("   ", "日付が入力されていません"),
        ("S55.12.32", "12月32日は存在しません"),
        ("1980-02-30", "2月30日は存在しません"),
        ("昭和55年2月30日", "2月30日は存在しません"),
        ("S55.13.1", "13月は存在しません"),
        ("1980-00-10", "0月は存在しません"),
        ("1991-02-29", "1991年はうるう年ではないため、2月29日は存在しません"),
        ("H3.2.29", "平成3年（1991年）はうるう年ではないため、2月29日は存在しません"),
        ("平成3年2月29日", "平成3年（1991年）はうるう年ではないため、2月29日は存在しません"),
        ("1900-02-29", "1900年はうるう年ではないため、2月29日は存在しません"),
        ("S64.1.8", "昭和64年1月8日は存在しません（昭和は64年1月7日まで）"),
        ("昭和64年1月8日", "昭和64年1月8日は存在しません（昭和は64年1月7日まで）"),
        ("H31.5.1", "平成31年5月1日は存在しません（平成は31年4月30日まで）"),
        ("平成31年5月1日", "平成31年5月1日は存在しません（平成は31年4月30日まで）"),
        ("令和元年4月30日", "令和元年4月30日は存在しません（令和は元年5月1日から）"),
        ("R1.4.30", "令和元年4月30日は存在しません（令和は元年5月1日から）"),
        ("明治45年7月31日", "明治45年7月31日は存在しません（明治は45年7月30日まで）"),
        ("大正元年7月29日", "大正元年7月29日は存在しません（大正は元年7月30日から）"),
        ("大正15年12月26日", "大正15年12月26日は存在しません（大正は15年12月25日まで）"),
        ("昭和元年12月24日", "昭和元年12月24日は存在しません（昭和は元年12月25日から）"),
        ("S65.1.1", "昭和65年は存在しません（昭和は64年まで）"),
        ("昭和65年1月1日", "昭和65年は存在しません（昭和は64年まで）"),
        ("H0.1.1", "平成0年は存在しません"),
        ("X55.12.26", "元号が不明です: X"),
        ("1800-01-01", "1800年1月1日は扱えません（1868年1月25日より前です）"),
        ("1868-01-24", "1868年1月24日は扱えません（1868年1月25日より前です）"),
        ("M1.1.1", "明治元年1月1日は存在しません（明治は元年1月25日から）"),
    ],
)
def test_parse_date_errors(text, message):
    with pytest.raises(DateError) as exc:
        parse_date(text)
    assert exc.value.message == message


@pytest.mark.parametrize(
    "text",
    ["abc", "80/12/26", "55.12.26", "S55", "S55.12", "昭和55年12月", "1980-12", "S5512260",
     "1980-12-26-1", "昭和55年12月26", "198012261", "S55..12.26", "today"],
)
def test_parse_date_unreadable(text):
    with pytest.raises(DateError) as exc:
        parse_date(text)
    assert exc.value.message.startswith(f"日付として読めません: {text}（")


# --- properties --------------------------------------------------------------------------


def test_every_day_round_trips():
    """Exhaustive over 1868-01-25 .. 2100-12-31 (about 85,000 days)."""
    d = FIRST
    one = timedelta(days=1)
    while d <= LAST:
        w = to_wareki(d)
        assert from_wareki(*w) == d
        assert parse_date(format_wareki(d)) == d
        assert parse_date(format_wareki(d, style="short")) == d
        d += one


@settings(max_examples=300, deadline=None)
@given(ALL_DATES)
def test_round_trips(d):
    w = to_wareki(d)
    assert w.era.contains(d)
    assert from_wareki(*w) == d
    assert parse_date(format_wareki(d)) == d
    assert parse_date(format_wareki(d, style="short")) == d
    assert parse_date(format_seireki(d)) == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%Y%m%d")) == d


@settings(max_examples=200, deadline=None)
@given(ALL_DATES)
def test_full_width_input(d):
    for text in (format_wareki(d, style="short"), format_wareki(d, style="short").lower(), d.isoformat()):
        assert parse_date(text.translate(FULLWIDTH)) == d
    w = to_wareki(d)
    compact = f"{w.era.letter}{w.year:02d}{w.month:02d}{w.day:02d}"
    if w.year < 100:
        assert parse_date(compact) == d
        assert parse_date(compact.translate(FULLWIDTH)) == d


@settings(max_examples=200, deadline=None)
@given(ALL_DATES)
def test_every_reading_of_a_day_is_accepted(d):
    readings = [e for e in ERAS if e.contains(d)]
    assert 1 <= len(readings) <= 2
    for era in readings:
        assert from_wareki(era, era.year_of(d.year), d.month, d.day) == d


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ERAS), st.integers(-5, 120), st.integers(1, 12), st.integers(1, 31))
def test_from_wareki_accepts_exactly_the_days_of_the_era(era, year, month, day):
    try:
        d = date(era.gregorian_year(year), month, day)
    except ValueError:
        d = None
    ok = d is not None and year >= 1 and era.contains(d)
    if ok:
        assert from_wareki(era, year, month, day) == d
    else:
        with pytest.raises(DateError):
            from_wareki(era, year, month, day)
