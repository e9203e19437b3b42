"""Certificate fonts: IPAex Mincho, and IPAmj Mincho for names outside it, embedded as TrueType subsets.

Each string is drawn in one font: IPAex Mincho when it has a glyph for every character, else IPAmj
Mincho (58,000 kanji including the MJ characters of family registers, e.g. 𠮷) when it is installed and
covers the string. Coverage is read from each font's cmap, character by character; a character that
no font has is reported (`missing`) so that the certificate raises an alert instead of drawing a box
(tofu). Ideographic variation selectors (U+E0100…, U+FE00…) count as missing: ReportLab cannot draw
the variant they select, and printing the base character instead would silently change a name.

Fonts are registered once per process and font file (`load_fonts` is cached). Missing IPAmj is fine
(`FontSet.fallback` is None); missing IPAex is an error with a message for the clerk.

ReportLab writes a subset's ToUnicode map with plain code points (`<20BB7>`), which is not a valid
UTF-16 value, so characters outside the BMP (𠮷) could not be extracted back from the PDF; this module
replaces that one function with one writing UTF-16 surrogate pairs (`<D842DFB7>`).
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

IPAEX_MINCHO = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")
IPAMJ_MINCHO = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")
GETA = "\u3013"  # 〓: where a character has no glyph (the register's conventional mark for 外字)


class FontsUnavailable(RuntimeError):
    """The certificate font cannot be loaded. `message` is for the clerk."""

    def __init__(self, path: Path, detail: str):
        super().__init__(f"certificate font {path} unavailable: {detail}")
        self.message = f"証明書用のフォント（IPAex明朝: {path}）が見つかりません。システム管理者に連絡してください"


def _utf16_hex(code: int) -> str:
    return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname: str, subset) -> str:
    """ReportLab's makeToUnicodeCMap, with UTF-16 (surrogate pairs) destinations as the PDF spec asks."""
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
        "%d beginbfchar" % len(subset),
    ]
    cmap += ["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)]
    cmap += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(cmap)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


class _GlyphTable:
    """The font's glyf table read glyph by glyph: ReportLab's subsetter asks for the whole table and
    slices it, which copies it first — 40 MB for IPAmj Mincho, 15 ms a certificate. This returns the
    same bytes for every slice, copying only the slice."""

    __slots__ = ("_view",)

    def __init__(self, data: bytes, pos: int, length: int):
        self._view = memoryview(data)[pos : pos + length]

    def __getitem__(self, key):
        value = self._view[key]
        return value.tobytes() if isinstance(value, memoryview) else value

    def __len__(self) -> int:
        return len(self._view)


def _read_glyf_lazily(face) -> None:
    whole_table = type(face).get_table

    def get_table(tag: str):
        if tag == "glyf":
            pos, length = face.get_table_pos(tag)
            return _GlyphTable(face._ttf_data, pos, length)
        return whole_table(face, tag)

    face.get_table = get_table


_local = threading.local()


@contextmanager
def subset_memo() -> Iterator[None]:
    """Within it (one document, one thread), each font subset's program is made once: the renderer
    hashes it for the page digests, and ReportLab embeds the same bytes when it saves."""
    _local.memo = {}
    try:
        yield
    finally:
        _local.memo = None


def _memoize_subsets(face) -> None:
    make = face.makeSubset

    def makeSubset(subset):  # noqa: N802 (ReportLab's name)
        memo = getattr(_local, "memo", None)
        if memo is None:
            return make(subset)
        key = (id(face), tuple(subset))
        found = memo.get(key)
        if found is None:
            found = memo[key] = make(subset)
        return found

    face.makeSubset = makeSubset


def subset_program(font_name: str, doc, index: int) -> bytes:
    """The TrueType program of subset `index` of a registered font in a ReportLab document, as it
    will be embedded (call once the document's text is all drawn: later text could extend it)."""
    font = pdfmetrics.getFont(font_name)
    return font.face.makeSubset(font.state[doc].subsets[index])


def _is_variation_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@dataclass
class _Font:
    name: str  # registered ReportLab name
    ps_name: str  # the font's PostScript name (what the PDF's BaseFont says after the subset tag)
    font: TTFont
    widths: dict[int, float]  # per 1000 units, filled lazily
    glyphs: dict[int, int]


class FontSet:
    """The fonts a certificate draws with, and which one each string needs."""

    def __init__(self, primary: Path, fallback: Path | None):
        self.primary = self._register(primary, required=True)
        self.fallback = self._register(fallback, required=False) if fallback is not None else None
        self._resolved: dict[str, tuple[str, str, str]] = {}  # text → (font, text to draw, missing)

    @staticmethod
    def _register(path: Path, *, required: bool) -> _Font | None:
        path = Path(path)
        name = "Madoguchi-" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
        try:
            font = pdfmetrics.getFont(name)
        except KeyError:
            if not path.is_file():
                if required:
                    raise FontsUnavailable(path, "no such file")
                return None
            try:
                font = TTFont(name, str(path))
            except Exception as exc:  # ReportLab raises TTFError and others for a bad file
                if required:
                    raise FontsUnavailable(path, f"{type(exc).__name__}: {exc}") from None
                return None
            _read_glyf_lazily(font.face)
            _memoize_subsets(font.face)
            pdfmetrics.registerFont(font)
        ps_name = font.face.name.decode("latin-1") if isinstance(font.face.name, bytes) else str(font.face.name)
        return _Font(name, ps_name, font, {}, font.face.charToGlyph)

    @property
    def fonts(self) -> tuple[_Font, ...]:
        return (self.primary,) if self.fallback is None else (self.primary, self.fallback)

    def ps_name(self, name: str) -> str:
        return next(f.ps_name for f in self.fonts if f.name == name)

    def _covers(self, f: _Font, text: str) -> bool:
        glyphs = f.glyphs
        return all(ord(c) in glyphs and not _is_variation_selector(ord(c)) for c in text)

    def font_for(self, text: str) -> str | None:
        """The registered font name that draws every character of `text`, or None."""
        for f in self.fonts:
            if self._covers(f, text):
                return f.name
        return None

    def missing(self, text: str) -> str:
        """The characters of `text` no font draws (each once, in order)."""
        out = []
        for c in text:
            code = ord(c)
            if (_is_variation_selector(code) or not any(code in f.glyphs for f in self.fonts)) and c not in out:
                out.append(c)
        return "".join(out)

    def resolve(self, text: str) -> tuple[str, str, str]:
        """(font name, text to draw, missing characters): the text itself in the font that covers it,
        or — when no font covers all of it — the fallback (else primary) font with each missing
        character replaced by 〓. Remembered per string (labels and dates repeat)."""
        found = self._resolved.get(text)
        if found is None:
            font = self.font_for(text)
            if font is not None:
                found = (font, text, "")
            else:
                missing = self.missing(text)
                f = self.primary if self.fallback is None else self.fallback
                drawn = "".join(GETA if (c in missing or ord(c) not in f.glyphs) else c
                                for c in text if not _is_variation_selector(ord(c)))
                found = (f.name, drawn, missing)
            if len(self._resolved) > 20_000:
                self._resolved.clear()
            self._resolved[text] = found
        return found

    def printable(self, text: str) -> tuple[str, str]:
        """(font name, text to draw): see `resolve`."""
        font, drawn, _ = self.resolve(text)
        return font, drawn

    def char_widths(self, name: str, text: str) -> list[float]:
        """Advance widths (per 1000 units of the font size) of each character."""
        f = self.primary if name == self.primary.name else self.fallback
        widths = f.widths
        out = []
        for c in text:
            code = ord(c)
            w = widths.get(code)
            if w is None:
                w = widths[code] = f.font.face.getCharWidth(code)
            out.append(w)
        return out

    def width(self, name: str, text: str, size: float) -> float:
        return sum(self.char_widths(name, text)) * size / 1000.0


@lru_cache(maxsize=8)
def load_fonts(primary: Path = IPAEX_MINCHO, fallback: Path | None = IPAMJ_MINCHO) -> FontSet:
    """The fonts, registered once per process and pair of files."""
    return FontSet(Path(primary), None if fallback is None else Path(fallback))


def default_fonts() -> FontSet:
    return load_fonts(IPAEX_MINCHO, IPAMJ_MINCHO)
