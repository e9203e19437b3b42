"""The PDFs: every item and the 認証文 exactly once (pdftotext), fonts embedded (pdffonts), issue
numbers (j1040), 公用, previews, pages as pictures."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from dataclasses import replace

import pypdf
import pytest

from app.certificates import (
    CertificateKind,
    IssueStamp,
    ItemChoice,
    format_issue_number,
    render,
)
from app.certificates.content import build_content
from app.certificates.fonts import IPAEX_MINCHO, IPAMJ_MINCHO, load_fonts
from tests.certificates.conftest import need_poppler, pages_text, pdffonts, pdftotext
from tests.certificates.people import (
    foreign_resident,
    history_of,
    long_names_resident,
    moved_out,
    request,
    takahashi_household,
)

pytestmark = need_poppler
ALL = ItemChoice(householder_relationship=True, domicile=True, resident_code=True, my_number=True)
WS = re.compile(r"[\s\u3000]+")


def squash(s: str) -> str:
    return WS.sub("", s)


def cases():
    family = takahashi_household()
    head, foreign = family[0], foreign_resident()
    return {
        "copy-japanese": request(CertificateKind.COPY, [head], items=ALL),
        "copy-foreign": request(CertificateKind.COPY, [foreign], items=ALL),
        "copy-household-9": request(CertificateKind.COPY, family, items=ItemChoice(householder_relationship=True, domicile=True)),
        "copy-history": request(CertificateKind.COPY, [head], items=replace(ALL, history=True), history={head.resident_id: history_of(head)}),
        "copy-long": request(CertificateKind.COPY, [long_names_resident()], items=ALL),
        "removed-japanese": request(CertificateKind.REMOVED_COPY, [moved_out(head), moved_out(family[1])], householder=moved_out(head)),
        "removed-foreign": request(CertificateKind.REMOVED_COPY, [moved_out(foreign)], householder=moved_out(foreign), items=ALL),
        "items": request(CertificateKind.ITEMS, family[:2], items=ItemChoice(items=frozenset({"address", "birth_date", "sex", "householder", "relationship"}))),
        "removed-items": request(CertificateKind.REMOVED_ITEMS, [moved_out(head)], householder=moved_out(head),
                                 items=ItemChoice(items=frozenset({"address", "birth_date", "removal_reason", "removal_date", "destination"}))),
        "move-out-japanese": request(CertificateKind.MOVE_OUT, [moved_out(head)], householder=moved_out(head)),
        "move-out-foreign": request(CertificateKind.MOVE_OUT, [moved_out(foreign)], householder=moved_out(foreign)),
    }


CASES = cases()


def fixed_texts(req, pdf_pages: int) -> list[str]:
    c = build_content(req)
    return [c.title] * pdf_pages + [c.statement, c.certifier.text, "令和8年12月6日"]


@pytest.mark.parametrize("name", list(CASES))
def test_every_item_and_the_statement_exactly_once(name, signer, stamp):
    req = CASES[name]
    result = render(req, stamp, signer=signer)
    assert result.alerts == ()
    text = squash(pdftotext(result.pdf, layout=False))
    raw = squash(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=result.pdf,
                                capture_output=True, check=True).stdout.decode())
    content = build_content(req)
    rows = [r for s in content.sheets for r in s.household] + [
        r for s in content.sheets for p in s.persons for r in p.rows + p.history]
    household = [r for s in content.sheets for r in s.household]  # repeated at the top of every page
    everything = [squash(r.value) for r in rows] + [squash(r.label) for r in rows] + [squash(t) for t in fixed_texts(req, result.pages)]
    everything += [squash(r.value) + squash(r.label) for r in household] * (result.pages - len(content.sheets))
    for row in rows:
        v = squash(row.value)
        if len(v) < 3:
            assert v in text, (row.key, v)
            continue
        expected = sum(t.count(v) for t in everything)
        assert raw.count(v) == expected, (row.key, row.value, raw.count(v), expected)
    pages = pages_text(result.pdf)
    statement = squash(req.kind.statement)
    assert [squash(p).count(statement) for p in pages] == [0] * (result.pages - 1) + [1]
    assert [squash(p).count(squash(req.kind.title)) for p in pages] == [1] * result.pages
    for page, number in zip(pages, result.issue_numbers):
        assert squash(number) in squash(page)


def test_my_number_and_omitted_items_never_print(signer, stamp):
    head = takahashi_household()[0]
    text = squash(pdftotext(render(request(CertificateKind.COPY, [head]), stamp, signer=signer).pdf))
    for value in (head.my_number, head.resident_code, head.domicile, "続柄", "本籍", "個人番号"):
        assert squash(value) not in text
    text = squash(pdftotext(render(request(CertificateKind.COPY, [head], items=ItemChoice(my_number=True)), stamp, signer=signer).pdf))
    assert head.my_number in text and "個人番号" in text


def test_fonts_are_embedded_truetype_subsets(signer, stamp, tmp_path):
    result = render(CASES["copy-household-9"], stamp, signer=signer)
    fonts = pdffonts(result.pdf, tmp_path)
    assert fonts, "no fonts"
    for row in fonts:
        name, kind, emb = row[0], row[1], row[-5]
        assert kind == "TrueType" and emb == "yes", row
        assert re.fullmatch(r"[A-Z]{6}\+IPA(ex|mj)Mincho", name), name
    if IPAMJ_MINCHO.is_file():
        assert any("IPAmjMincho" in r[0] for r in fonts)  # 𠮷田 is drawn in IPAmj Mincho


def test_non_bmp_and_variant_kanji_extract_exactly(signer, stamp):
    result = render(CASES["copy-household-9"], stamp, signer=signer)
    reader = pypdf.PdfReader(io.BytesIO(result.pdf))
    last = reader.pages[-1].extract_text()
    assert "𠮷田" in last  # the ToUnicode map carries U+20BB7 as a surrogate pair
    first = squash(pdftotext(result.pdf))
    for name in ("髙橋健太郎", "渡邊（ワタナベ）", "齋藤（サイトウ）"):
        assert name in first


def test_fallback_without_ipamj_draws_geta_not_tofu(signer, stamp):
    from pathlib import Path

    fonts = load_fonts(IPAEX_MINCHO, Path("/nonexistent/ipamjm.ttf"))
    result = render(request(CertificateKind.COPY, takahashi_household()[8:]), stamp, signer=signer, fonts=fonts)
    assert [a.kind for a in result.alerts] == ["no_glyph"]
    text = pdftotext(result.pdf)
    assert "〓田" in text and "𠮷" not in text


def test_issue_numbers_j1040_differ_for_each_copy(signer):
    req = CASES["copy-household-9"]
    first = render(req, IssueStamp(dt.date(2026, 12, 6), "千葉市", "中央区窓口1", "プリンタ001", 123), signer=signer)
    second = render(req, IssueStamp(dt.date(2026, 12, 6), "千葉市", "中央区窓口1", "プリンタ001", 124), signer=signer)
    assert first.issue_numbers == tuple(f"20261206 千葉市 中央区窓口1 プリンタ001 000123 {i}/3" for i in (1, 2, 3))
    assert not set(first.issue_numbers) & set(second.issue_numbers)
    assert first.pdf != second.pdf
    assert format_issue_number(IssueStamp(dt.date(2020, 5, 2), "千葉市", "本庁1", "", 11), 1, 2) == "20200502 千葉市 本庁1  000011 1/2"
    with pytest.raises(ValueError):
        IssueStamp(dt.date(2026, 12, 6), "千葉 市", "t", "p", 1)
    with pytest.raises(ValueError):
        IssueStamp(dt.date(2026, 12, 6), "千葉市", "t", "p", 0)
    with pytest.raises(ValueError):
        format_issue_number(IssueStamp(dt.date(2026, 12, 6), "千葉市", "t", "p", 1), 3, 2)


def test_official_use_is_marked(signer, stamp):
    head = takahashi_household()[0]
    assert "公用" in pdftotext(render(request(CertificateKind.COPY, [head], official_use=True), stamp, signer=signer).pdf)
    assert "公用" not in pdftotext(render(request(CertificateKind.COPY, [head]), stamp, signer=signer).pdf)


def test_preview_has_a_watermark_and_no_issue_number_or_qr(signer):
    result = render(CASES["copy-japanese"], None, signer=signer)
    text = pdftotext(result.pdf)
    assert "見本" in squash(text) and "発行番号" not in text and result.issue_numbers == ()
    reader = pypdf.PdfReader(io.BytesIO(result.pdf))
    assert not any("MdgQR" in str(p.get("/Resources", {}).get("/XObject", {})) for p in reader.pages)
    assert b"MdgQR" not in b"".join(p.get_contents().get_data() for p in reader.pages)


def test_rendering_is_deterministic_for_the_same_inputs(signer, stamp):
    req = CASES["copy-foreign"]
    assert render(req, stamp, signer=signer).pdf == render(req, stamp, signer=signer).pdf


def test_pages_render_to_pictures_with_a_readable_qr(signer, stamp, tmp_path):
    from PIL import Image

    from app.certificates import qr

    result = render(CASES["copy-household-9"], stamp, signer=signer)
    path = tmp_path / "c.pdf"
    path.write_bytes(result.pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(path), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 3
    for png in pngs:
        with Image.open(png) as im:
            assert im.size[0] == 662 and im.size[1] in (935, 936)  # A4 at 80 dpi
            gray = im.convert("L")
            assert gray.getextrema()[0] == 0  # something black is drawn
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(tmp_path / "hi")], check=True)
    with Image.open(next(tmp_path.glob("hi-*.png"))) as im:
        found = qr.decode_image(im.convert("L"))
    assert len(found) == 1 and found[0].startswith("MDG1:")  # a 150 dpi scan reads it
