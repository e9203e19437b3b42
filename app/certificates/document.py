"""Drawing a certificate with ReportLab (A4, fonts embedded), its issue numbers and signed QR codes.

    render(request, stamp, signer=…) -> RenderedCertificate(pdf, pages, issue_numbers, alerts)

`stamp` None is a preview: 「見本」 across each page, no issue number, no QR, no signature. Otherwise
each page carries its issue number (j1040, with page/pages) and a QR code: the page's payload signed
by the terminal's issuing key (`registry.protocol.issuing`), over the SHA-256 of the page's printed
content (`digest.py`). The 認証文, date, certifier and seal are on the last page only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zlib
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas

from app.certificates import digest as records
from app.certificates import qr
from app.certificates.content import CertificateRequest, build_content, page_summary
from app.certificates.fonts import FontSet, default_fonts, subset_memo, subset_program
from app.certificates.layout import (
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Alert,
    Frame,
    PageLayout,
    Rule,
    SealImage,
    Text,
    layout_certificate,
    q,
)
from domain.wareki import format_wareki
from registry.protocol.issuing import IssuingSigner

PREVIEW_DATE = "令和　　年　　月　　日"
PREVIEW_MARK = "見本"


@dataclass(frozen=True)
class IssueStamp:
    """What makes an issue number (j1040): the day, the city, the terminal, the printer, the sequence."""

    issued_on: dt.date
    city: str
    terminal: str
    printer: str
    sequence: int

    def __post_init__(self) -> None:
        for name in ("city", "terminal", "printer"):
            value = getattr(self, name)
            if not isinstance(value, str) or any(c.isspace() for c in value) or not value.isprintable():
                raise ValueError(f"{name} must be printable text without spaces: {value!r}")
        if not self.city:
            raise ValueError("city is required")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int) or not 0 < self.sequence < 10**9:
            raise ValueError("sequence must be a positive integer")


def format_issue_number(stamp: IssueStamp, page: int, pages: int) -> str:
    """「20261206 千葉市 中央区窓口1 プリンタ001 000123 1/2」 (j1040; an unknown terminal or printer
    may be left blank)."""
    if not 1 <= page <= pages:
        raise ValueError("page must be within 1..pages")
    return (f"{stamp.issued_on:%Y%m%d} {stamp.city} {stamp.terminal} {stamp.printer} "
            f"{stamp.sequence:06d} {page}/{pages}")


@dataclass(frozen=True)
class RenderedCertificate:
    pdf: bytes
    pages: int
    issue_numbers: tuple[str, ...]
    alerts: tuple[Alert, ...]


def preflight(request: CertificateRequest, *, overflow: str = "shrink", fonts: FontSet | None = None) -> tuple[Alert, ...]:
    """The alerts (text that does not fit, characters with no glyph) the certificate would raise —
    before an issue number is spent. Nothing is drawn."""
    fonts = fonts or default_fonts()
    content = build_content(request)
    _, alerts = layout_certificate(content, fonts, certified_on=PREVIEW_DATE, overflow=overflow)
    return alerts


@dataclass(frozen=True)
class _SealData:
    """A seal image prepared once per process: black samples and its alpha as a soft mask, both
    already compressed, so a certificate costs no image work. `sha256` is what the digest records:
    the SHA-256 of 「WxH\\n」, the decoded samples and the decoded soft mask, as a verifier reads them."""

    name: str
    width: int
    height: int
    samples: bytes  # DEFLATE
    alpha: bytes  # DEFLATE
    sha256: str


@lru_cache(maxsize=16)
def _seal(path: str) -> _SealData:
    with Image.open(path) as im:
        im.load()
        alpha = im.getchannel("A") if "A" in im.getbands() else im.convert("L").point(lambda v: 255 - v)
        width, height = im.size
    gray = bytes(width * height)  # black; the soft mask draws the seal's shape
    a = alpha.tobytes()
    name = "Seal" + hashlib.sha256(a).hexdigest()[:16]
    sha = hashlib.sha256(f"{width}x{height}\n".encode() + gray + a).hexdigest()
    return _SealData(name, width, height, zlib.compress(gray, 9), zlib.compress(a, 6), sha)


def _image_object(name: str, width: int, height: int, stream: bytes) -> pdfdoc.PDFImageXObject:
    obj = pdfdoc.PDFImageXObject(name)
    obj.width, obj.height = width, height
    obj.bitsPerComponent = 8
    obj.colorSpace = "DeviceGray"
    obj._filters = ("FlateDecode",)
    obj.streamContent = stream
    obj.mask = None
    return obj


def _draw_seal(c: rl_canvas.Canvas, seal: _SealData, x: float, y: float, size: float) -> None:
    """Draws the prepared seal as an image XObject with a soft mask (what `Canvas.drawImage` does for
    an RGBA image, without decoding and compressing the image again for every certificate)."""
    doc = c._doc
    reg = doc.getXObjectName(seal.name)
    if doc.idToObject.get(reg) is None:
        image = _image_object(seal.name, seal.width, seal.height, seal.samples)
        mask = _image_object(seal.name + "A", seal.width, seal.height, seal.alpha)
        mask._decode = [0, 1]
        c._setXObjects(image)
        doc.Reference(image, reg)
        doc.addForm(seal.name, image)
        c._setXObjects(mask)
        image.smask = doc.Reference(mask, doc.getXObjectName(mask.name))
    c._currentPageHasImages = 1
    c.saveState()
    c.translate(x, y)
    c.scale(size, size)
    c._code.append(f"/{reg} Do")
    c.restoreState()
    c._formsinuse.append(seal.name)


class _Painter:
    """Draws layout operations on a canvas and writes the page's digest records as it goes."""

    def __init__(self, c: rl_canvas.Canvas, fonts: FontSet):
        self.c = c
        self.fonts = fonts
        self.records: list[str] = []
        self.texts: list[Text] = []
        self._width: float | None = None
        self._font: tuple[str, float] | None = None

    def _line_width(self, w: float) -> None:
        if w != self._width:
            self.c.setLineWidth(w)
            self._width = w

    def draw(self, op) -> None:
        c = self.c
        if isinstance(op, Text):
            c.setFont(op.font, op.size)
            c.drawString(op.x, op.y, op.text)
            self.texts.append(op)
            self.records.append(records.text_record(op.x, op.y, op.size, self.fonts.ps_name(op.font), op.text))
        elif isinstance(op, Rule):
            self._line_width(op.width)
            c.line(op.x1, op.y1, op.x2, op.y2)
            self.records.append(records.rule_record(op.x1, op.y1, op.x2, op.y2, op.width))
        elif isinstance(op, Frame):
            self._line_width(op.width)
            c.rect(op.x, op.y, op.w, op.h, stroke=1, fill=0)
            self.records.append(records.frame_record(op.x, op.y, op.w, op.h, op.width))
        elif isinstance(op, SealImage):
            seal = _seal(op.path)
            _draw_seal(c, seal, op.x, op.y, op.size)
            self.records.append(records.image_record(op.x, op.y, op.size, op.size, seal.sha256))
        else:  # pragma: no cover - layout makes only the above
            raise TypeError(f"unknown drawing operation {op!r}")


def _watermark(c: rl_canvas.Canvas, fonts: FontSet) -> None:
    c.saveState()
    c.setFillGray(0.55)
    c.setFillAlpha(0.35)
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(35)
    c.setFont(fonts.primary.name, 150)
    c.drawCentredString(0, -50, PREVIEW_MARK)
    c.restoreState()


def render(request: CertificateRequest, stamp: IssueStamp | None, *, signer: IssuingSigner | None = None,
           overflow: str = "shrink", fonts: FontSet | None = None) -> RenderedCertificate:
    """The certificate as a PDF. Call once per copy, each with its own `stamp.sequence`.

    Each page's QR code is a form drawn last: the page refers to it, and it is made once every page
    is drawn, when the font subsets are final — so that a page's signature covers the glyph programs
    of the fonts it uses as well as its text (a font edited to draw 「1」 as 「7」 would not pass).
    """
    fonts = fonts or default_fonts()
    content = build_content(request)
    certified_on = format_wareki(stamp.issued_on) if stamp is not None else PREVIEW_DATE
    pages, alerts = layout_certificate(content, fonts, certified_on=certified_on, overflow=overflow, seal=stamp is not None)
    total = len(pages)
    buf = io.BytesIO()
    # the initial font is ours too, or ReportLab would list Helvetica (not embedded) on every page
    c = rl_canvas.Canvas(buf, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, invariant=1,
                         initialFontName=fonts.primary.name, initialFontSize=10, lang="ja")
    c.setTitle(content.title)
    c.setCreator("Madoguchi")
    numbers: list[str] = []
    to_sign: list[tuple[PageLayout, _Painter, str]] = []
    with subset_memo():  # each font subset is made once, for the digests and for the file
        for page in pages:
            painter = _Painter(c, fonts)
            for op in page.ops:
                painter.draw(op)
            if stamp is None:
                _watermark(c, fonts)
            else:
                number = format_issue_number(stamp, page.number, total)
                numbers.append(number)
                x, y, size = page.issue_number_at
                painter.draw(Text(x, y, size, fonts.primary.name, f"発行番号　{number}"))
                if signer is not None:
                    c.doForm(qr.form_name(page.number))
                    to_sign.append((page, painter, number))
            c.showPage()
        for page, painter, number in to_sign:
            page_records = painter.records + font_records(c._doc, painter.texts, fonts)
            summary = page_summary(content, tuple(page.persons), page.address, certified_on)
            payload = signer.sign_page(number, records.page_digest(page_records), summary)
            x, y, square = page.qr_at
            c.beginForm(qr.form_name(page.number))
            c.addLiteral(qr.pdf_operators(qr.encode(payload), x, y, square))
            c.endForm()
        c.save()
    return RenderedCertificate(buf.getvalue(), total, tuple(numbers), alerts)


def font_records(doc, texts: list[Text], fonts: FontSet) -> list[str]:
    """「F font sha256」 for each font subset the page's text is drawn with (sorted): the SHA-256 of
    the subset's TrueType program as embedded."""
    used: set[tuple[str, int]] = set()
    for t in texts:
        font = pdfmetrics.getFont(t.font)
        for subset, _ in font.splitString(t.text, doc):
            used.add((t.font, subset))
    return sorted(records.font_record(fonts.ps_name(name), hashlib.sha256(subset_program(name, doc, i)).hexdigest())
                  for name, i in used)


__all__ = ["IssueStamp", "RenderedCertificate", "format_issue_number", "preflight", "render", "q"]
