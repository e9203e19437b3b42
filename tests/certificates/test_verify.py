"""verify-certificate: the original is genuine; one altered byte, a page missing, an overlay, another
key, an expired delegation, a file that is not ours — each says so, offline."""
from __future__ import annotations

import io
import re
import time
from dataclasses import replace

import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf.generic import DecodedStreamObject, NameObject

from app.certificates import CertificateKind, IssueStamp, ItemChoice, render
from app.certificates.verify import verify_pdf
from registry.protocol.issuing import (
    ALTERED,
    ANCHOR_FILE,
    EXPIRED,
    GENUINE,
    UNKNOWN_KEY,
    UNREADABLE,
    IssuingSigner,
    anchor_to_pem,
    make_delegation,
)
from tests.certificates.conftest import SIGNED_AT, VALID_UNTIL, need_poppler
from tests.certificates.people import ISSUED_ON, foreign_resident, request, takahashi_household

pytestmark = need_poppler
AT = SIGNED_AT + 3600


@pytest.fixture(scope="module")
def household_pdf(signer) -> bytes:
    stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 7)
    req = request(CertificateKind.COPY, takahashi_household(), items=ItemChoice(householder_relationship=True))
    return render(req, stamp, signer=signer).pdf


@pytest.fixture(scope="module")
def single_pdf(signer) -> bytes:
    stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 8)
    return render(request(CertificateKind.COPY, [foreign_resident()], items=ItemChoice(my_number=True)), stamp, signer=signer).pdf


def edit_content(pdf: bytes, page: int, change) -> bytes:
    """The PDF with page `page`'s (0-based) decoded content stream replaced by change(data)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    contents = writer.pages[page]["/Contents"].get_object()
    new = change(contents.get_data())
    assert new != contents.get_data()
    contents[NameObject("/Filter")] = NameObject("/FlateDecode")  # was [/ASCII85Decode /FlateDecode]
    contents.set_data(new)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_original_is_genuine_with_its_issue_numbers(household_pdf, anchors):
    v = verify_pdf(household_pdf, anchors, at=AT)
    assert v.status == GENUINE and v.message == "真正な証明書です", v.detail
    assert v.issue_numbers == tuple(f"20261206 千葉市 中央区窓口1 プリンタ001 000007 {i}/3" for i in (1, 2, 3))
    assert len(v.summaries) == 3 and [p.name for s in v.summaries for p in s.persons][-1] == "𠮷田　花子"
    assert "真正な証明書です" in v.report_ja()


def test_one_altered_byte_of_printed_text_is_found(household_pdf, anchors):
    def change(data: bytes) -> bytes:
        m = re.compile(rb"Tf [\d.]+ TL \(\\(\d)").search(data, 400)  # the first glyph code of a run of text
        i = m.start(1)
        return data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]

    v = verify_pdf(edit_content(household_pdf, 1, change), anchors, at=AT)
    assert v.status == ALTERED and v.message.startswith("改ざんの可能性があります")
    assert "2ページ目" in v.message and "印字内容" in v.message


def test_an_altered_issue_number_is_found(single_pdf, anchors):
    v = verify_pdf(edit_content(single_pdf, 0, lambda d: d.replace(b"000008 1/1", b"000009 1/1")), anchors, at=AT)
    assert v.status == ALTERED and "1ページ目" in v.message


def test_an_altered_my_number_is_found(single_pdf, anchors):
    number = foreign_resident().my_number.encode()
    data = pypdf.PdfReader(io.BytesIO(single_pdf)).pages[0].get_contents().get_data()
    assert number in data  # digits are drawn as readable ASCII codes
    forged = number[:-1] + bytes([number[-1] ^ 1])
    v = verify_pdf(edit_content(single_pdf, 0, lambda d: d.replace(number, forged)), anchors, at=AT)
    assert v.status == ALTERED


def test_a_moved_text_is_found(single_pdf, anchors):
    def change(data: bytes) -> bytes:
        m = re.search(rb"BT 1 0 0 1 ([\d.]+) ([\d.]+) Tm", data[400:])
        old = m.group(0)
        return data.replace(old, old.replace(m.group(1), b"%.2f" % (float(m.group(1)) + 3)), 1)

    assert verify_pdf(edit_content(single_pdf, 0, change), anchors, at=AT).status == ALTERED


@pytest.mark.parametrize("addition, reason", [
    (b"\n1 g 150 600 200 20 re f\n", "証明書にない描画"),  # a white box over a line (the colour)
    (b"\n150 600 200 20 re f\n", "塗りつぶし"),  # a box
    (b"\nBT 1 0 0 1 150 600 Tm /F1 9 Tf (X) Tj ET\n", "書体"),  # text in a font of its own
    (b"\n150 600 m 300 600 l S\n", "印字内容"),  # a stroke added
    (b"\nq 1 0 0 1 0 0 cm 0 0 10 10 re W n Q\n", "証明書にない描画"),  # clipping
])
def test_drawing_added_to_a_page_is_found(single_pdf, anchors, addition, reason):
    v = verify_pdf(edit_content(single_pdf, 0, lambda d: d + addition), anchors, at=AT)
    assert v.status == ALTERED and reason in v.message, v.message


def test_an_annotation_is_found(single_pdf, anchors):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(single_pdf)))
    from pypdf.annotations import FreeText

    writer.add_annotation(0, FreeText(text="平成元年", rect=(150, 600, 300, 620)))
    out = io.BytesIO()
    writer.write(out)
    v = verify_pdf(out.getvalue(), anchors, at=AT)
    assert v.status == ALTERED and "注釈" in v.message


def _pages(pdf: bytes, order: list[int]) -> bytes:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    writer = pypdf.PdfWriter()
    for i in order:
        writer.add_page(reader.pages[i])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_missing_or_reordered_page_is_found(household_pdf, anchors):
    assert verify_pdf(_pages(household_pdf, [0, 1, 2]), anchors, at=AT).genuine  # copied as it is: still genuine
    missing = verify_pdf(_pages(household_pdf, [0, 2]), anchors, at=AT)
    assert missing.status == ALTERED and "ページが欠けているか" in missing.message
    swapped = verify_pdf(_pages(household_pdf, [1, 0, 2]), anchors, at=AT)
    assert swapped.status == ALTERED


def test_pages_of_two_certificates_mixed_are_found(household_pdf, signer, anchors):
    stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 99)
    other = render(request(CertificateKind.COPY, takahashi_household(), items=ItemChoice(householder_relationship=True)), stamp, signer=signer).pdf
    reader_a, reader_b = pypdf.PdfReader(io.BytesIO(household_pdf)), pypdf.PdfReader(io.BytesIO(other))
    writer = pypdf.PdfWriter()
    for page in (reader_a.pages[0], reader_b.pages[1], reader_a.pages[2]):
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    v = verify_pdf(out.getvalue(), anchors, at=AT)
    assert v.status == ALTERED and "別の証明書" in v.message


def _qr_form(writer_or_reader, page: int = 0):
    xobjects = writer_or_reader.pages[page]["/Resources"]["/XObject"]
    return next(v.get_object() for k, v in xobjects.items() if k.startswith("/FormXob.MdgQR"))


def test_a_qr_code_taken_from_another_genuine_certificate_is_found(single_pdf, signer, anchors):
    stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 8)
    donor = render(request(CertificateKind.COPY, [takahashi_household()[0]]), stamp, signer=signer).pdf
    donor_qr = _qr_form(pypdf.PdfReader(io.BytesIO(donor))).get_data()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(single_pdf)))
    form = _qr_form(writer)
    form[NameObject("/Filter")] = NameObject("/FlateDecode")
    form.set_data(donor_qr)
    out = io.BytesIO()
    writer.write(out)
    v = verify_pdf(out.getvalue(), anchors, at=AT)
    assert v.status == ALTERED and "印字内容" in v.message


def test_something_hidden_in_the_qr_form_is_found(single_pdf, anchors):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(single_pdf)))
    form = _qr_form(writer)
    data = form.get_data()
    form[NameObject("/Filter")] = NameObject("/FlateDecode")
    form.set_data(data + b"\n1 g 150 600 200 20 re f\n")
    out = io.BytesIO()
    writer.write(out)
    v = verify_pdf(out.getvalue(), anchors, at=AT)
    assert v.status == ALTERED and "QRコード" in v.message


def test_an_edited_glyph_in_an_embedded_font_is_found(single_pdf, anchors):
    """The text stays the same, the glyph drawn for it does not: the font program is signed too."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(single_pdf)))
    fonts = writer.pages[0]["/Resources"]["/Font"]
    font = next(v.get_object() for v in fonts.values())
    program = font["/FontDescriptor"].get_object()["/FontFile2"].get_object()
    data = bytearray(program.get_data())
    data[len(data) // 2] ^= 0x01
    program[NameObject("/Filter")] = NameObject("/FlateDecode")
    program.set_data(bytes(data))
    out = io.BytesIO()
    writer.write(out)
    v = verify_pdf(out.getvalue(), anchors, at=AT)
    assert v.status == ALTERED and "印字内容" in v.message


def test_a_replaced_seal_is_found(single_pdf, anchors):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(single_pdf)))
    xobjects = writer.pages[0]["/Resources"]["/XObject"]
    image = next(v.get_object() for v in xobjects.values() if v.get_object()["/Subtype"] == "/Image")
    mask = image["/SMask"].get_object()
    alpha = bytearray(mask.get_data())
    alpha[len(alpha) // 2: len(alpha) // 2 + 600] = bytes(600)
    mask.set_data(bytes(alpha))
    out = io.BytesIO()
    writer.write(out)
    v = verify_pdf(out.getvalue(), anchors, at=AT)
    assert v.status == ALTERED


def test_flipped_bytes_anywhere_never_pass(single_pdf, anchors):
    for position in (len(single_pdf) // 5, len(single_pdf) // 2, len(single_pdf) - 300):
        damaged = bytearray(single_pdf)
        damaged[position] ^= 0x20
        v = verify_pdf(bytes(damaged), anchors, at=AT)
        # a flip in a font program or an unused byte can leave the content intact; never a false "genuine" for what changed
        if v.genuine:
            assert verify_pdf(bytes(damaged), anchors, at=AT).digests == verify_pdf(single_pdf, anchors, at=AT).digests


def test_signed_by_another_registry_is_an_unknown_key(single_pdf):
    v = verify_pdf(single_pdf, [Ed25519PrivateKey.generate().public_key()], at=AT)
    assert v.status == UNKNOWN_KEY and "鍵" in v.message


def test_signed_after_the_delegation_expired(registry_key, terminal_key, delegation, anchors):
    class NoCheck(IssuingSigner):
        def _check_valid(self, now: int) -> None:  # a terminal whose clock ran past its delegation
            pass

    late = NoCheck(terminal_key, delegation, clock=lambda: VALID_UNTIL + 86400)
    stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 5)
    pdf = render(request(CertificateKind.COPY, [takahashi_household()[0]]), stamp, signer=late).pdf
    v = verify_pdf(pdf, anchors, at=VALID_UNTIL + 2 * 86400)
    assert v.status == EXPIRED and "有効期間" in v.message


def test_files_that_are_not_madoguchi_certificates(anchors, signer):
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 700, "Juminhyo")
    c.showPage()
    c.save()
    for data in (buf.getvalue(), b"%PDF-1.4 garbage", b"", b"\x00" * 1000):
        v = verify_pdf(data, anchors, at=AT)
        assert v.status == UNREADABLE and v.message.startswith("窓口システムの証明書ではないか"), v.detail
    preview = render(request(CertificateKind.COPY, [takahashi_household()[0]]), None, signer=signer).pdf
    assert verify_pdf(preview, anchors, at=AT).status == UNREADABLE


# --- the command line ------------------------------------------------------------------------------


@pytest.fixture
def live(tmp_path):
    """A registry issuing key written as a terminal's anchor file, and a signer valid now."""
    registry, terminal = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    now = int(time.time())
    signer = IssuingSigner(terminal, make_delegation(registry, "chuo-counter-01", terminal.public_key(), now - 60, now + 3600))
    (tmp_path / ANCHOR_FILE).write_bytes(anchor_to_pem(registry))
    stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 42)
    pdf = render(request(CertificateKind.COPY, [takahashi_household()[0]]), stamp, signer=signer).pdf
    (tmp_path / "c.pdf").write_bytes(pdf)
    return tmp_path, signer


def test_cli_genuine_altered_and_usage(live, capsys):
    from app.cli import main

    folder, _ = live
    assert main(["verify-certificate", str(folder / "c.pdf"), "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "真正な証明書です" in out and "000042 1/1" in out
    assert main(["verify-certificate", str(folder / "c.pdf"), "--anchor", str(folder / ANCHOR_FILE)]) == 0
    capsys.readouterr()
    (folder / "bad.pdf").write_bytes(edit_content((folder / "c.pdf").read_bytes(), 0, lambda d: d.replace(b"000042 1/1", b"000043 1/1")))
    assert main(["verify-certificate", str(folder / "bad.pdf"), "--dir", str(folder)]) == 1
    assert "改ざんの可能性があります" in capsys.readouterr().out
    assert main(["verify-certificate", str(folder / "c.pdf")]) == 2
    assert "--anchor" in capsys.readouterr().err
    assert main(["verify-certificate", str(folder / "missing.pdf"), "--dir", str(folder)]) == 2
    assert main(["verify-certificate", str(folder / "c.pdf"), "--anchor", str(folder / "c.pdf")]) == 2


def test_cli_checks_a_scanned_payload(live, capsys):
    from app.certificates import qr
    from app.certificates.verify import rasterize
    from app.cli import main

    folder, _ = live
    payload = qr.decode_image(rasterize((folder / "c.pdf").read_bytes(), [1])[1])[0]
    assert main(["verify-certificate", "--payload", payload, "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "真正な証明書です" in out and "髙橋　健太郎" in out and "昭和33年3月14日" in out and "印字と一致" in out
    assert main(["verify-certificate", "--payload", payload[:-3] + "AAA", "--dir", str(folder)]) == 1
    assert main(["verify-certificate", "--payload", "hello", "--dir", str(folder)]) == 1
    assert "読み取れません" in capsys.readouterr().out


def test_text_spanning_several_font_subsets_reads_back_exactly(signer, anchors):
    """A subset holds at most 256 glyphs: a string whose characters fall in two subsets is drawn as
    two runs in one text object, and still verifies."""
    from app.certificates.fonts import default_fonts

    fonts = default_fonts()
    kanji = [chr(c) for c in range(0x4E00, 0x9FA0) if fonts.font_for(chr(c)) == fonts.primary.name][:400]
    family = [replace(r, domicile="".join(kanji[i * 40:(i + 1) * 40])) for i, r in enumerate(takahashi_household()[:8])]
    stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 77)
    result = render(request(CertificateKind.COPY, family, items=ItemChoice(domicile=True)), stamp, signer=signer)
    assert result.alerts == ()
    data = b"".join(p.get_contents().get_data() for p in pypdf.PdfReader(io.BytesIO(result.pdf)).pages)
    assert re.search(rb"\) Tj /F\d\+[1-9] [\d.]+ Tf", data)  # a run switching subsets
    assert verify_pdf(result.pdf, anchors, at=AT).genuine


_TOKENS = st.sampled_from([b"BT", b"ET", b"q", b"Q", b"1 0 0 1 10 10 cm", b"/F1+0 9 Tf", b"(ab) Tj", b"<0102> Tj", b"T*",
                           b"0 0 m", b"5 5 l", b"S", b"f", b"n", b"0 0 5 5 re", b"/MdgQR BMC", b"EMC", b"0.5 w",
                           b"1 0 0 1 3 4 Tm", b"/X Do", b"[(a) 3 (b)] TJ", b"(", b")", b"<<", b"/Name", b"12", b"-"])


@given(st.lists(_TOKENS, max_size=40))
@settings(max_examples=80, deadline=None)
def test_the_page_reader_refuses_strange_content_cleanly(tokens):
    """Whatever a page's content stream holds, reading it gives records or an 'altered' reason."""
    from app.certificates.verify import _Altered, read_page

    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(595, 842)
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(tokens))
    page[NameObject("/Contents")] = writer._add_object(stream)
    try:
        read_page(page, writer)
    except _Altered as exc:
        assert exc.reason_ja and exc.detail
