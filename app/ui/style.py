"""The application's look in one place: the IPAex Gothic font set explicitly (otherwise Qt may
fall back to a Chinese-shaped CJK font), and the one style sheet in resources/ui/style.qss."""
from __future__ import annotations

import logging
from pathlib import Path

from app.ui.qt import QApplication, QFont, QFontDatabase

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent.parent.parent / "resources" / "ui"
FONT_FILES = (
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)
FAMILY = "IPAexGothic"
POINT_SIZE = 11


def load_font() -> str:
    """Registers IPAex Gothic with Qt and returns the family used (a warning in the log if absent)."""
    if FAMILY in QFontDatabase.families():
        return FAMILY
    for path in FONT_FILES:
        if path.exists():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                return families[0]
    log.warning("IPAex Gothic not found (install fonts-ipaexfont): kanji may draw with another font")
    return QApplication.font().family()


def apply(app: QApplication) -> None:
    family = load_font()
    font = QFont(family, POINT_SIZE)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    app.setStyleSheet((RESOURCES / "style.qss").read_text(encoding="utf-8"))


def restyle(widget) -> None:
    """After a dynamic property (error, state) changed: let the style sheet see it."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()
