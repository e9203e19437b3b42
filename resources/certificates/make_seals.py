"""Makes the electronic official seals (電子公印) used on certificates: square, black, ≤ 25 mm (j1050).

    .venv/bin/python resources/certificates/make_seals.py

Writes seal-city.png (「千葉市長之印」) and one seal per ward (「千葉市中央区長之印」…) beside this file:
600 × 600 px, black on transparent, a thick outer frame and a thin inner one, the characters read in
columns from the right, each stretched to fill its cell as seal script does. The city's real seals
are registered images; these are stand-ins made from IPAex Mincho for the demo and the tests.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")
SIZE = 600
WARDS = {"121011": "中央区", "121029": "花見川区", "121037": "稲毛区", "121045": "若葉区", "121053": "緑区", "121061": "美浜区"}


def _columns(text: str) -> list[str]:
    """The characters in columns, right column first (a 6-character seal is 2 × 3, 9 is 3 × 3…)."""
    n = len(text)
    cols = 2 if n <= 6 else 3 if n <= 9 else 4
    per = -(-n // cols)
    return [text[i : i + per] for i in range(0, n, per)]


def make_seal(text: str, path: Path) -> None:
    image = Image.new("L", (SIZE, SIZE), 0)  # alpha: 0 transparent
    draw = ImageDraw.Draw(image)
    outer = SIZE // 14
    draw.rectangle([0, 0, SIZE - 1, SIZE - 1], fill=255)
    draw.rectangle([outer, outer, SIZE - 1 - outer, SIZE - 1 - outer], fill=0)
    inner = outer + SIZE // 40
    draw.rectangle([inner, inner, SIZE - 1 - inner, SIZE - 1 - inner], outline=255, width=max(2, SIZE // 150))
    area = inner + SIZE // 30
    columns = _columns(text)
    col_w = (SIZE - 2 * area) / len(columns)
    for ci, column in enumerate(columns):
        x0 = SIZE - area - (ci + 1) * col_w
        cell_h = (SIZE - 2 * area) / len(column)
        for ri, ch in enumerate(column):
            glyph = _glyph(ch, int(col_w * 0.94), int(cell_h * 0.94))
            image.paste(255, (int(x0 + col_w * 0.03), int(area + ri * cell_h + cell_h * 0.03)), glyph)
    rgba = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    rgba.putalpha(image)
    rgba.save(path, optimize=True)


def _glyph(ch: str, w: int, h: int) -> Image.Image:
    """The character as a mask, bold (stroked) and stretched to w × h."""
    font = ImageFont.truetype(str(FONT), 200)
    probe = Image.new("L", (260, 260), 0)
    d = ImageDraw.Draw(probe)
    d.text((30, 10), ch, font=font, fill=255, stroke_width=5, stroke_fill=255)
    box = probe.getbbox()
    return probe.crop(box).resize((w, h), Image.LANCZOS)


def main() -> int:
    make_seal("千葉市長之印", HERE / "seal-city.png")
    for code, ward in WARDS.items():
        make_seal(f"千葉市{ward}長之印", HERE / f"seal-{code}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
