"""Checking a certificate PDF offline: is it genuine, altered, or not ours?

For every page:

1. the page's content stream is read back into the records the renderer signed (`digest.py`):
   text through each font's ToUnicode map, positions through the matrices, rules, boxes, the seal's
   samples. Only the operators the renderer uses are accepted; anything else (clipping, transparency,
   forms, annotations, other marked content, inline images…) makes the page *altered*;
2. the page is rasterized (pdftoppm) and its QR code decoded from the picture (zxing-cpp) — what is
   drawn is what counts, not a copy hidden in the file; exactly one code per page;
3. the payload is checked against the anchors (`registry.protocol.issuing.verify_payload`), and its
   content digest against the digest of the records of step 1.

Then the pages must make one certificate: the same issue number but for page/pages, every page present
once and in order.
"""
from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PIL import Image

from app.certificates import digest as records
from app.certificates import qr
from registry.protocol.issuing import (
    ALTERED,
    EXPIRED,
    GENUINE,
    UNKNOWN_KEY,
    UNREADABLE,
    Verdict,
    verdict,
    verify_payload,
)

RASTER_DPI = 200
_PAGE_OF = re.compile(r"^(.*) (\d+)/(\d+)$")


class _Altered(Exception):
    def __init__(self, reason_ja: str, detail: str):
        super().__init__(detail)
        self.reason_ja = reason_ja
        self.detail = detail


@dataclass
class _PageContent:
    records: list[str]
    qr_sections: int


def _mul(m: tuple, n: tuple) -> tuple:
    """m × n for PDF matrices [a b c d e f] (m applied first)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _point(m: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _scale(m: tuple) -> float:
    a, b, c, d, _, _ = m
    if abs(b) > 1e-9 or abs(c) > 1e-9 or abs(abs(a) - abs(d)) > 1e-6:
        raise _Altered("文字や罫線が回転・変形されています", f"non-uniform or rotated matrix {m}")
    return abs(a)


_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _to_unicode(font) -> dict[int, str]:
    """The code → text map of a simple font's ToUnicode CMap (bfchar and bfrange)."""
    cmap_obj = font.get("/ToUnicode")
    if cmap_obj is None:
        raise _Altered("文字の情報がない書体が使われています", "font without ToUnicode")
    data = cmap_obj.get_object().get_data()
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = _HEX.findall(block)
        for src, dst in zip(pairs[0::2], pairs[1::2]):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        parts = _HEX.findall(block)
        for lo, hi, dst in zip(parts[0::3], parts[1::3], parts[2::3]):
            base = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = base[:-1] + chr(ord(base[-1]) + i) if base else ""
    return out


def _raw(s) -> bytes:
    original = getattr(s, "original_bytes", None)
    if original is not None:
        return bytes(original)
    if isinstance(s, bytes):
        return bytes(s)
    raise _Altered("文字列の形式が正しくありません", f"string operand {type(s).__name__}")


def _image_sha(xobj) -> str:
    """What the digest records for an image: width, height, samples and soft mask (as `document.py`)."""
    for key, expected in (("/ColorSpace", "/DeviceGray"), ("/BitsPerComponent", 8)):
        if xobj.get(key) != expected:
            raise _Altered("印影の画像が差し替えられています", f"image {key}={xobj.get(key)}")
    if "/Decode" in xobj or "/Mask" in xobj:
        raise _Altered("印影の画像が差し替えられています", "image with Decode or Mask")
    w, h = int(xobj["/Width"]), int(xobj["/Height"])
    data = xobj.get_data()
    smask = xobj.get("/SMask")
    alpha = b""
    if smask is not None:
        smask = smask.get_object()
        if smask.get("/ColorSpace") != "/DeviceGray" or smask.get("/BitsPerComponent") != 8 or \
                (int(smask["/Width"]), int(smask["/Height"])) != (w, h) or list(smask.get("/Decode", [0, 1])) != [0, 1]:
            raise _Altered("印影の画像が差し替えられています", "unexpected soft mask")
        alpha = smask.get_data()
    return hashlib.sha256(f"{w}x{h}\n".encode() + data + alpha).hexdigest()


def _check_qr_form(xobj, reader) -> None:
    """A QR code's form: ReportLab's preamble (a font set, no text), then one /MdgQR section of black
    rectangles under one matrix — nothing else may hide in it."""
    from pypdf.generic import ContentStream

    matrix = [float(v) for v in xobj.get("/Matrix", [1, 0, 0, 1, 0, 0])]
    if matrix != [1, 0, 0, 1, 0, 0] or xobj.get("/Resources", {}).get("/XObject"):
        raise _Altered("QRコードの描画が変えられています", "QR form with a matrix or XObjects")
    sections, depth = 0, 0
    for operands, op in ContentStream(xobj, reader).operations:
        if depth:
            if op == b"EMC":
                depth = 0
            elif op not in (b"q", b"Q", b"g", b"cm", b"re", b"f") or (op == b"g" and float(operands[0]) != 0):
                raise _Altered("QRコードの部分に別の描画があります", f"operator {op!r} inside the QR section")
        elif op == b"BMC" and operands and operands[0] == f"/{qr.QR_TAG}":
            depth, sections = 1, sections + 1
        elif op not in (b"cm", b"BT", b"Tf", b"TL", b"ET"):
            raise _Altered("QRコードの部分に別の描画があります", f"operator {op!r} in the QR form")
    if sections != 1 or depth:
        raise _Altered("QRコードの描画が正しくありません", f"{sections} QR sections in the form")


def _font_sha(font) -> str:
    """SHA-256 of a TrueType font's embedded program (what the digest's F records hold)."""
    program = font["/FontDescriptor"].get_object()["/FontFile2"].get_object()
    return hashlib.sha256(program.get_data()).hexdigest()


_PATH_OPS = {b"m", b"l", b"re", b"h"}
_PAINT_OPS = {b"S", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"s", b"n"}


def read_page(page, reader) -> _PageContent:
    """The page's records as the renderer wrote them. Raises _Altered — and nothing else — for
    anything the renderer never draws or a parser cannot read."""
    try:
        return _read_page(page, reader)
    except _Altered:
        raise
    except Exception as exc:  # malformed operands, streams, numbers: not what the renderer writes
        raise _Altered("ページの内容を読み取れません", f"{type(exc).__name__}: {str(exc)[:200]}") from None


def _read_page(page, reader) -> _PageContent:
    from pypdf.generic import ContentStream

    if page.get("/Annots"):
        raise _Altered("注釈や書き込みが加えられています", "page has annotations")
    contents = page.get_contents()
    if contents is None:
        raise _Altered("ページに内容がありません", "empty page")
    resources = page.get("/Resources") or {}
    resources = resources.get_object() if hasattr(resources, "get_object") else resources
    fonts_res = resources.get("/Font") or {}
    fonts_res = fonts_res.get_object() if hasattr(fonts_res, "get_object") else fonts_res
    xobjects = resources.get("/XObject") or {}
    xobjects = xobjects.get_object() if hasattr(xobjects, "get_object") else xobjects
    maps: dict[str, tuple[dict[int, str], str]] = {}

    out: list[str] = []
    ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple] = []
    width = 1.0
    in_text = False
    tm = ctm
    font_key: str | None = None
    font_size = 0.0
    run: list | None = None  # [x, y, size, ps_name, text]
    path: list[tuple] = []
    start = (0.0, 0.0)
    qr_sections = 0
    used_fonts: dict[str, str] = {}  # font resource → PostScript name

    def end_run() -> None:
        nonlocal run
        if run is not None and run[4]:
            out.append(records.text_record(*run))
        run = None

    for operands, op in ContentStream(contents, reader).operations:
        if op == b"q":
            stack.append((ctm, width))
        elif op == b"Q":
            if not stack:
                raise _Altered("描画の構造が壊れています", "Q without q")
            ctm, width = stack.pop()
        elif op == b"cm":
            ctm = _mul(tuple(float(v) for v in operands), ctm)
        elif op == b"w":
            width = float(operands[0])
        elif op == b"BT":
            in_text, tm, run = True, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), None
        elif op == b"ET":
            end_run()
            in_text = False
        elif op == b"Tf":
            font_key, font_size = str(operands[0]), float(operands[1])
        elif op == b"TL":
            pass  # leading: used only by T*, which moves to a new line (ending a run)
        elif op == b"Tm":
            end_run()
            tm = tuple(float(v) for v in operands)
        elif op == b"T*":
            end_run()
            tm = None  # a new line: text drawn there would have a position the renderer never uses
        elif op == b"Tj":
            if not in_text or font_key is None:
                raise _Altered("文字の描画が壊れています", "Tj outside BT or without font")
            if tm is None:
                raise _Altered("文字の位置が変えられています", "text after T*")
            if font_key not in maps:
                font = fonts_res.get(font_key)
                if font is None:
                    raise _Altered("文字の書体が見つかりません", f"font {font_key} missing")
                font = font.get_object()
                if font.get("/Subtype") != "/TrueType":
                    raise _Altered("証明書の書体ではない文字があります", f"font {font_key} is {font.get('/Subtype')}")
                maps[font_key] = (_to_unicode(font), str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1])
            umap, ps_name = maps[font_key]
            used_fonts[font_key] = ps_name
            m = _mul(tm, ctm)
            size = round(font_size * _scale(m), 2)
            text = "".join(umap.get(b, "\ufffd") for b in _raw(operands[0]))
            if run is not None and (run[2] != size or run[3] != ps_name):
                end_run()
            if run is None:
                x, y = _point(m, 0, 0)
                run = [x, y, size, ps_name, ""]
            run[4] += text
        elif op in _PATH_OPS:
            if op == b"m":
                start = _point(ctm, float(operands[0]), float(operands[1]))
                path.append(("m", start))
            elif op == b"l":
                p = _point(ctm, float(operands[0]), float(operands[1]))
                path.append(("l", p))
            elif op == b"re":
                x, y, w, h = (float(v) for v in operands)
                x0, y0 = _point(ctm, x, y)
                s = _scale(ctm)
                path.append(("re", (x0, y0, w * s, h * s)))
            else:
                path.append(("h", None))
        elif op in _PAINT_OPS:
            if op == b"n":
                path = []
                continue
            if op != b"S":
                raise _Altered("塗りつぶしが加えられています", f"paint operator {op!r}")
            s = _scale(ctm)
            last = None
            for kind, value in path:
                if kind == "m":
                    last = value
                elif kind == "l":
                    out.append(records.rule_record(*last, *value, width * s))
                    last = value
                elif kind == "re":
                    out.append(records.frame_record(*value, width * s))
                else:
                    raise _Altered("罫線が加えられています", "closepath")
            path = []
        elif op == b"Do":
            xobj = xobjects.get(str(operands[0]))
            if xobj is None:
                raise _Altered("画像が見つかりません", f"XObject {operands[0]} missing")
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Form" and str(operands[0]).startswith(f"/FormXob.{qr.FORM_PREFIX}"):
                _check_qr_form(xobj, reader)
                qr_sections += 1
                continue
            if xobj.get("/Subtype") != "/Image":
                raise _Altered("証明書にない描画が埋め込まれています", f"XObject {operands[0]} is {xobj.get('/Subtype')}")
            s = _scale(ctm)
            out.append(records.image_record(ctm[4], ctm[5], s, s, _image_sha(xobj)))
        else:
            raise _Altered("証明書にない描画が加えられています", f"operator {op!r}")
    if in_text or stack:
        raise _Altered("描画の構造が壊れています", "unbalanced content stream")
    out += sorted({records.font_record(name, _font_sha(fonts_res[key].get_object())) for key, name in used_fonts.items()})
    return _PageContent(out, qr_sections)


def rasterize(pdf: bytes, page_numbers: Sequence[int], dpi: int = RASTER_DPI) -> dict[int, Image.Image]:
    """Gray page images by poppler's pdftoppm (1-based page numbers)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise RuntimeError("pdftoppm (Debian package poppler-utils) is needed to read the QR codes")
    out: dict[int, Image.Image] = {}
    with tempfile.TemporaryDirectory(prefix="madoguchi-verify-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        for n in page_numbers:
            result = subprocess.run([exe, "-gray", "-r", str(dpi), "-f", str(n), "-l", str(n), str(src)],
                                    capture_output=True, timeout=120)
            if result.returncode != 0 or not result.stdout:
                raise ValueError(f"pdftoppm failed on page {n}: {result.stderr[:200]!r}")
            out[n] = Image.open(io.BytesIO(result.stdout))
            out[n].load()
    return out


def verify_pdf(pdf: bytes, anchors: Sequence[Ed25519PublicKey], at: float | None = None) -> Verdict:
    """Whether a certificate PDF is genuine (see the module's doc). Never raises for a bad file."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf), strict=False)
        pages = list(reader.pages)
    except Exception as exc:  # whatever a damaged or hostile file makes the parser raise, it is not readable
        return verdict(UNREADABLE, "PDFとして読めません", f"not a readable PDF: {type(exc).__name__}: {exc}")
    if not pages:
        return verdict(UNREADABLE, "ページがありません", "PDF without pages")
    try:
        images = rasterize(pdf, range(1, len(pages) + 1))
    except (ValueError, subprocess.SubprocessError, OSError) as exc:
        return verdict(UNREADABLE, "ページを画像にできません", f"rasterizing failed: {exc}")

    payloads: list[str | None] = []
    for n in range(1, len(pages) + 1):
        found = qr.decode_image(images[n])
        if len(found) > 1:
            return verdict(ALTERED, f"{n}ページ目にQRコードが{len(found)}個あります", f"page {n}: {len(found)} QR codes")
        payloads.append(found[0] if found else None)
    if not any(payloads):
        return verdict(UNREADABLE, "QRコードがありません（見本、または窓口システムの証明書ではありません）", "no QR code on any page")

    page_verdicts: list[Verdict] = []
    for n, (page, payload) in enumerate(zip(pages, payloads), start=1):
        if payload is None:
            return verdict(ALTERED, f"{n}ページ目のQRコードがありません（読み取れません）", f"page {n}: no QR code")
        v = verify_payload(payload, anchors, at)
        if not v.genuine:
            if v.status == UNREADABLE:
                return verdict(ALTERED, f"{n}ページ目のQRコードが窓口システムのものではありません", f"page {n}: {v.detail}")
            return _on_page(v, n)
        try:
            content = read_page(page, reader)
        except _Altered as exc:
            return verdict(ALTERED, f"{n}ページ目：{exc.reason_ja}", f"page {n}: {exc.detail}", **_known(v))
        if content.qr_sections != 1:
            return verdict(ALTERED, f"{n}ページ目のQRコードの描画が正しくありません", f"page {n}: {content.qr_sections} QR sections", **_known(v))
        if records.page_digest(content.records) != v.digests[0]:
            return verdict(ALTERED, f"{n}ページ目の印字内容が署名されたものと一致しません", f"page {n}: content digest differs", **_known(v))
        page_verdicts.append(v)

    numbers = [v.issue_numbers[0] for v in page_verdicts]
    parsed = [_PAGE_OF.match(s) for s in numbers]
    total = len(pages)
    if any(m is None for m in parsed):
        return verdict(ALTERED, "発行番号の形式が正しくありません", f"issue numbers {numbers}")
    bases = {m.group(1) for m in parsed}
    for n, m in enumerate(parsed, start=1):
        if int(m.group(2)) != n or int(m.group(3)) != total:
            return verdict(ALTERED, f"ページが欠けているか、入れ替えられています（{n}ページ目の発行番号は{m.group(2)}/{m.group(3)}）",
                           f"page {n} carries {m.group(2)}/{m.group(3)} of a {total}-page file")
    if len(bases) != 1:
        return verdict(ALTERED, "別の証明書のページが混ざっています", f"issue numbers {numbers}")
    first = page_verdicts[0]
    return verdict(GENUINE, "", f"{total} page(s) genuine: {numbers}", issue_numbers=tuple(numbers),
                   summaries=tuple(s for v in page_verdicts for s in v.summaries), terminal_id=first.terminal_id,
                   signed_at=first.signed_at, digests=tuple(d for v in page_verdicts for d in v.digests))


def _known(v: Verdict) -> dict:
    return dict(issue_numbers=v.issue_numbers, terminal_id=v.terminal_id, signed_at=v.signed_at)


def _on_page(v: Verdict, n: int) -> Verdict:
    reason = v.message.split("：", 1)[1] if "：" in v.message else ""
    status = v.status if v.status in (ALTERED, UNKNOWN_KEY, EXPIRED) else ALTERED
    return verdict(status, f"{n}ページ目" + (f"：{reason}" if reason else ""), f"page {n}: {v.detail}", **_known(v))
