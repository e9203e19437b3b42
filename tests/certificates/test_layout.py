"""Fonts (coverage, IPAmj fallback), fitting text (j1070) and pagination."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.certificates import CertificateKind, ItemChoice, preflight
from app.certificates.content import build_content
from app.certificates.fonts import GETA, IPAEX_MINCHO, IPAMJ_MINCHO, FontsUnavailable, default_fonts, load_fonts
from app.certificates.layout import (
    PERSONS_PER_PAGE,
    Text,
    _wrap,
    fit_text,
    layout_certificate,
)
from tests.certificates.people import (
    long_names_resident,
    overflowing_resident,
    request,
    takahashi_household,
)

NO_IPAMJ = Path("/nonexistent/ipamjm.ttf")
needs_ipamj = pytest.mark.skipif(not IPAMJ_MINCHO.is_file(), reason="fonts-ipamj-mincho not installed")


def texts(pages) -> list[str]:
    return [op.text for page in pages for op in page.ops if isinstance(op, Text)]


@needs_ipamj
def test_each_string_gets_the_font_that_has_all_its_glyphs():
    fonts = default_fonts()
    assert fonts.font_for("髙橋　渡邊　齋藤") == fonts.primary.name  # IPAex has these
    assert fonts.font_for("𠮷田　花子") == fonts.fallback.name  # only IPAmj has 𠮷
    assert fonts.missing("𠮷田") == ""
    assert fonts.ps_name(fonts.primary.name) == "IPAexMincho"
    assert fonts.ps_name(fonts.fallback.name) == "IPAmjMincho"


def test_without_ipamj_a_name_it_alone_has_is_an_alert_not_tofu():
    fonts = load_fonts(IPAEX_MINCHO, NO_IPAMJ)
    assert fonts.fallback is None
    assert fonts.font_for("𠮷田") is None and fonts.missing("𠮷田　𠮷") == "𠮷"
    assert fonts.printable("𠮷田") == (fonts.primary.name, f"{GETA}田")
    family = takahashi_household()
    alerts = preflight(request(CertificateKind.COPY, family[8:]), fonts=fonts)
    glyph = [a for a in alerts if a.kind == "no_glyph"]
    assert {a.item for a in glyph} == {"name"}  # 氏名 (and 筆頭者 is not shown by default)
    assert glyph[0].rest == "𠮷" and "印字できない文字" in glyph[0].message and glyph[0].person == "R109"
    with_domicile = preflight(request(CertificateKind.COPY, family[8:], items=ItemChoice(domicile=True)), fonts=fonts)
    assert {a.item for a in with_domicile if a.kind == "no_glyph"} == {"name", "domicile_head"}


@needs_ipamj
def test_with_ipamj_the_same_names_raise_nothing():
    assert preflight(request(CertificateKind.COPY, takahashi_household(), items=ItemChoice(domicile=True))) == ()


def test_variation_selectors_are_missing_glyphs():
    fonts = default_fonts()
    name = "葛\U000E0100西"  # 葛 with an ideographic variation selector
    assert fonts.font_for(name) is None
    assert fonts.missing(name) == "\U000E0100"
    assert "\U000E0100" not in fonts.printable(name)[1]


def test_missing_ipaex_is_a_clear_error():
    with pytest.raises(FontsUnavailable) as info:
        load_fonts(Path("/nonexistent/ipaexm.ttf"), None)
    assert "IPAex明朝" in info.value.message


def test_text_shrinks_then_wraps_then_alerts():
    fonts = default_fonts()
    short = fit_text(fonts, "千葉県千葉市中央区", 200, 15, size=9, min_size=5.5)
    assert short.size == 9 and short.lines == ("千葉県千葉市中央区",) and not short.rest
    shrunk = fit_text(fonts, "あ" * 30, 200, 15, size=9, min_size=5.5)
    assert shrunk.size < 9 and shrunk.lines == ("あ" * 30,)
    assert fonts.width(shrunk.font, "あ" * 30, shrunk.size) <= 200
    wrapped = fit_text(fonts, "あ" * 30, 200, 30, size=9, min_size=5.5, max_lines=2)
    assert wrapped.size == 9 and "".join(wrapped.lines) == "あ" * 30 and len(wrapped.lines) == 2
    over = fit_text(fonts, "あ" * 100, 200, 15, size=9, min_size=5.5)
    assert over.size == 5.5 and over.rest and "".join(over.lines) + over.rest == "あ" * 100
    blank = fit_text(fonts, "あ" * 100, 200, 15, size=9, min_size=5.5, policy="blank")
    assert blank.lines == () and blank.rest == "あ" * 100


@given(st.text(alphabet="千葉県市中央区本町一丁目番地号　（）、ハイツ0123456789ABC ", min_size=1, max_size=120),
       st.integers(1, 3), st.floats(40, 400))
def test_wrap_never_loses_or_invents_text(text, lines, width):
    fonts = default_fonts()
    widths = fonts.char_widths(fonts.primary.name, text)
    out, rest = _wrap(text, widths, width * 1000 / 9, lines)
    assert len(out) <= lines
    assert "".join(out + [rest]).replace(" ", "").replace("\u3000", "") == text.replace(" ", "").replace("\u3000", "")
    for line in out:
        assert fonts.width(fonts.primary.name, line, 9) <= width + 1e-6


def test_long_names_and_addresses_fit_by_wrapping_and_shrinking():
    r = long_names_resident()
    req = request(CertificateKind.COPY, [r], items=ItemChoice(householder_relationship=True, domicile=True))
    pages, alerts = layout_certificate(build_content(req), default_fonts(), certified_on="令和8年12月6日")
    assert alerts == ()
    drawn = "".join(texts(pages))
    for part in (r.address.building, r.domicile, r.name.given_kana):
        assert part.replace("\u3000", "") in drawn.replace("\u3000", "")


@pytest.mark.parametrize("policy", ["shrink", "blank"])
def test_what_cannot_fit_is_an_overflow_alert_under_either_policy(policy):
    r = overflowing_resident()
    req = request(CertificateKind.COPY, [r], items=ItemChoice(domicile=True))
    alerts = preflight(req, overflow=policy)
    overflow = {a.item: a for a in alerts if a.kind == "overflow"}
    assert set(overflow) == {"address", "domicile"}
    assert all(a.rest and a.text.endswith(a.rest) for a in overflow.values())
    assert "収まりません" in overflow["domicile"].message
    pages, _ = layout_certificate(build_content(req), default_fonts(), certified_on="x", overflow=policy)
    drawn = texts(pages)
    if policy == "blank":
        assert not any("虻田郡" in t for t in drawn)  # left empty
    else:
        assert any("虻田郡" in t for t in drawn)  # printed to the limit
        assert not any(overflow["domicile"].rest in t for t in drawn)


def test_four_persons_a_page_and_the_statement_on_the_last_only():
    family = takahashi_household()
    content = build_content(request(CertificateKind.COPY, family))
    pages, _ = layout_certificate(content, default_fonts(), certified_on="令和8年12月6日")
    assert [len(p.persons) for p in pages] == [4, 4, 1]
    assert PERSONS_PER_PAGE == 4
    statement = CertificateKind.COPY.statement
    assert [texts([p]).count(statement) for p in pages] == [0, 0, 1]
    assert [p.last for p in pages] == [False, False, True]
    assert [texts([p]).count("（次頁に続く）") for p in pages] == [1, 1, 0]
    assert texts(pages).count("以下余白") == 1
