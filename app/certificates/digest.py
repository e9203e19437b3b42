"""A page's printed content as lines of text, and their SHA-256: what a page's signature covers.

The renderer writes these records from what it draws; the verifier rebuilds them from the PDF's
content stream (text through the fonts' ToUnicode maps, positions through the transformation
matrices). One record per drawn thing, in drawing order, coordinates in points to 1/100:

    T x y size font text        a run of text (its baseline start), `font` the PostScript name
    L x1 y1 x2 y2 width          a rule
    R x y w h width              a stroked box
    I x y w h sha256             an image (the seal), with the SHA-256 of its decoded samples
    F font sha256                each font subset the page's text uses: its embedded TrueType program
                                 (sorted, after the rest), so that glyph shapes cannot be edited either

The QR code itself is not part of it (it carries the signature over the rest); the verifier checks
that its section holds nothing but the symbol's modules, and decodes them. So any change to a word, a number, a rule, the seal or where any of them stands changes the digest.
"""
from __future__ import annotations

import hashlib


def _n(v: float) -> str:
    return f"{round(v + 0.0, 2):.2f}"


def text_record(x: float, y: float, size: float, font: str, text: str) -> str:
    return f"T {_n(x)} {_n(y)} {_n(size)} {font} {text}"


def rule_record(x1: float, y1: float, x2: float, y2: float, width: float) -> str:
    return f"L {_n(x1)} {_n(y1)} {_n(x2)} {_n(y2)} {_n(width)}"


def frame_record(x: float, y: float, w: float, h: float, width: float) -> str:
    return f"R {_n(x)} {_n(y)} {_n(w)} {_n(h)} {_n(width)}"


def image_record(x: float, y: float, w: float, h: float, sha256_hex: str) -> str:
    return f"I {_n(x)} {_n(y)} {_n(w)} {_n(h)} {sha256_hex}"


def font_record(font: str, sha256_hex: str) -> str:
    return f"F {font} {sha256_hex}"


def page_digest(records: list[str]) -> bytes:
    return hashlib.sha256("\n".join(records).encode("utf-8")).digest()
