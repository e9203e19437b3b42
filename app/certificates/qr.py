"""The QR code on each page: encoding a payload to modules, drawing them as PDF vector operators,
and decoding QR codes from a page image (zxing-cpp, both ways).

The code is drawn as filled rectangles, one per horizontal run of dark modules, in module units under
one `cm` (so every coordinate is an integer and the PDF holds the symbol exactly), inside a marked-
content section tagged `/MdgQR`, in a form XObject of its own that the page draws last.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import zxingcpp

QR_TAG = "MdgQR"
FORM_PREFIX = "MdgQR"


def form_name(page: int) -> str:
    """The name of the form XObject that draws page `page`'s QR code (ReportLab adds 「FormXob.」)."""
    return f"{FORM_PREFIX}{page}"

QUIET_ZONE = 4  # modules of white around the symbol
EC_LEVEL = "M"  # 15 % of the symbol may be lost (a fold, a stain) and it still reads


@dataclass(frozen=True)
class QRMatrix:
    size: int  # modules a side
    rows: tuple[bytes, ...]  # 1 = dark, top row first

    def dark(self, row: int, col: int) -> bool:
        return self.rows[row][col] == 1


_DARK = bytes(1 if v < 128 else 0 for v in range(256))
_RUN = re.compile(b"\x01+")


def encode(text: str) -> QRMatrix:
    """The QR symbol of `text` (alphanumeric mode when the text allows it), error correction M."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=EC_LEVEL)
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
    n = image.shape[0]
    data = image.tobytes()
    data = data.translate(_DARK)
    rows = tuple(data[r * n : (r + 1) * n] for r in range(n))
    return QRMatrix(n, rows)


def module_size(matrix: QRMatrix, square: float) -> float:
    """The module size (pt, 4 decimals as written) for a square of `square` pt, quiet zone included."""
    return float(f"{square / (matrix.size + 2 * QUIET_ZONE):.4f}")


def symbol_origin(matrix: QRMatrix, x: float, y: float, square: float) -> tuple[float, float, float]:
    """(ox, oy, module) of the symbol's lower-left corner inside the square at (x, y)."""
    m = module_size(matrix, square)
    return float(f"{x + QUIET_ZONE * m:.2f}"), float(f"{y + QUIET_ZONE * m:.2f}"), m


def pdf_operators(matrix: QRMatrix, x: float, y: float, square: float) -> str:
    """PDF content operators drawing the symbol in the square at (x, y) (quiet zone inside the square)."""
    ox, oy, m = symbol_origin(matrix, x, y, square)
    n = matrix.size
    out = [f"/{QR_TAG} BMC q 0 g {m:.4f} 0 0 {m:.4f} {ox:.2f} {oy:.2f} cm"]
    for r, row in enumerate(matrix.rows):
        yy = n - 1 - r
        out += [f"{m.start()} {yy} {m.end() - m.start()} 1 re" for m in _RUN.finditer(row)]
    out.append("f Q EMC")
    return "\n".join(out)


def decode_image(image) -> list[str]:
    """The texts of every QR code found in a page image (a PIL image or a grayscale buffer)."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [b.text for b in found if b.valid]
