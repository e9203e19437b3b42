"""The kiosk's own widgets: the on-screen PIN pad (digits never shown, no keyboard needed), the
picture of where the card goes, a copies stepper, and a corner that opens the administrator's
screen only when held down."""
from __future__ import annotations

from typing import Callable

from app.ui.qt import (
    QBrush,
    QColor,
    QFont,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPainter,
    QPainterPath,
    QPen,
    QPointF,
    QPushButton,
    QRectF,
    QSizePolicy,
    Qt,
    QTimer,
    QWidget,
    Signal,
)

INK = QColor("#1f2933")
BLUE = QColor("#1d4e89")
PALE = QColor("#e8eef6")


class PinPad(QWidget):
    """Ten digit keys, 訂正 and 確定. The digits typed are kept here only until `take()`; the
    display shows one ● per digit, never the digit. `submitted` when 確定 is pressed with
    `length` digits (between `min_length` and `length` for the administrator's PIN)."""

    submitted = Signal()
    changed = Signal()

    def __init__(self, *, length: int = 4, min_length: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pinPad")
        self.length = length
        self.min_length = min_length or length
        self._digits: list[str] = []
        self.display = QLabel(objectName="pinDisplay", alignment=Qt.AlignmentFlag.AlignCenter)
        grid = QGridLayout(self)
        grid.setSpacing(10)
        grid.addWidget(self.display, 0, 0, 1, 3)
        self.keys: dict[str, QPushButton] = {}
        for i, d in enumerate("123456789"):
            self.keys[d] = self._key(d, lambda _=False, d=d: self.press(d))
            grid.addWidget(self.keys[d], 1 + i // 3, i % 3)
        self.clear_key = self._key("", self.clear, name="pinClear")
        self.keys["0"] = self._key("0", lambda _=False: self.press("0"))
        self.ok_key = self._key("", self._ok, name="pinOk")
        grid.addWidget(self.clear_key, 4, 0)
        grid.addWidget(self.keys["0"], 4, 1)
        grid.addWidget(self.ok_key, 4, 2)
        self._refresh()

    def _key(self, text: str, slot: Callable, *, name: str = "pinKey") -> QPushButton:
        b = QPushButton(text, objectName=name)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        b.setMinimumSize(140, 88)
        b.clicked.connect(slot)
        return b

    def set_labels(self, clear: str, ok: str) -> None:
        self.clear_key.setText(clear)
        self.ok_key.setText(ok)

    def press(self, digit: str) -> None:
        if len(self._digits) < self.length and digit.isdigit() and len(digit) == 1:
            self._digits.append(digit)
            self._refresh()

    def clear(self) -> None:
        for i in range(len(self._digits)):
            self._digits[i] = ""
        self._digits.clear()
        self._refresh()

    @property
    def count(self) -> int:
        return len(self._digits)

    def take(self) -> str:
        """The digits typed; the pad is cleared at once."""
        pin = "".join(self._digits)
        self.clear()
        return pin

    def _ok(self) -> None:
        if self.min_length <= len(self._digits) <= self.length:
            self.submitted.emit()

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802 - Qt's name
        super().setEnabled(enabled)
        self._refresh()

    def _refresh(self) -> None:
        if self.length == self.min_length:
            self.display.setText("  ".join("●" if i < len(self._digits) else "○" for i in range(self.length)))
        else:
            self.display.setText("  ".join("●" for _ in self._digits) or "　")
        self.ok_key.setEnabled(self.isEnabled() and self.min_length <= len(self._digits) <= self.length)
        self.changed.emit()


class CardPicture(QWidget):
    """Where the card goes: the reader drawn flat, the card above it with an arrow down."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cardPicture")
        self.setMinimumSize(360, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        unit = min(self.width() / 6.0, self.height() / 5.0)
        w, h = self.width(), self.height() / 2 + 2.5 * unit  # the drawing (5 units high) centred
        cx = w / 2
        # the reader: a dark slab with its label area
        reader = QRectF(cx - 2.2 * unit, h - 1.9 * unit, 4.4 * unit, 1.5 * unit)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(QColor("#323f4b")))
        p.drawRoundedRect(reader, 0.25 * unit, 0.25 * unit)
        target = QRectF(cx - 1.55 * unit, reader.top() + 0.2 * unit, 3.1 * unit, 0.95 * unit)
        p.setPen(QPen(QColor("#f0b429"), max(2.0, unit * 0.05), Qt.PenStyle.DashLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(target, 0.12 * unit, 0.12 * unit)
        # the card, tilted a little above it
        card = QRectF(cx - 1.5 * unit, h - 4.6 * unit, 3.0 * unit, 1.9 * unit)
        p.save()
        p.translate(card.center())
        p.rotate(-6)
        p.translate(-card.center())
        p.setPen(QPen(BLUE, max(2.0, unit * 0.04)))
        p.setBrush(QBrush(PALE))
        p.drawRoundedRect(card, 0.15 * unit, 0.15 * unit)
        photo = QRectF(card.right() - 0.95 * unit, card.top() + 0.3 * unit, 0.7 * unit, 0.9 * unit)
        p.setBrush(QBrush(QColor("#bcccdc")))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(photo, 0.06 * unit, 0.06 * unit)
        chip = QRectF(card.left() + 0.3 * unit, card.top() + 0.75 * unit, 0.5 * unit, 0.4 * unit)
        p.setBrush(QBrush(QColor("#d9a400")))
        p.drawRoundedRect(chip, 0.05 * unit, 0.05 * unit)
        p.setPen(QPen(BLUE))
        font = QFont(self.font())
        font.setPixelSize(max(10, int(unit * 0.22)))
        font.setBold(True)
        p.setFont(font)
        p.drawText(QRectF(card.left() + 0.3 * unit, card.top() + 0.15 * unit, 2.2 * unit, 0.5 * unit), "個人番号カード")
        p.restore()
        # the arrow down onto the reader
        path = QPainterPath()
        top, bottom = h - 2.55 * unit, reader.top() - 0.08 * unit
        path.moveTo(QPointF(cx - 0.18 * unit, top))
        path.lineTo(QPointF(cx + 0.18 * unit, top))
        path.lineTo(QPointF(cx + 0.18 * unit, bottom - 0.35 * unit))
        path.lineTo(QPointF(cx + 0.42 * unit, bottom - 0.35 * unit))
        path.lineTo(QPointF(cx, bottom))
        path.lineTo(QPointF(cx - 0.42 * unit, bottom - 0.35 * unit))
        path.lineTo(QPointF(cx - 0.18 * unit, bottom - 0.35 * unit))
        path.closeSubpath()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(QColor("#b7791f")))
        p.drawPath(path)
        p.end()


class Stepper(QWidget):
    """− n ＋ for the copies, within [minimum, maximum]."""

    valueChanged = Signal(int)

    def __init__(self, minimum: int = 1, maximum: int = 10, parent: QWidget | None = None):
        super().__init__(parent)
        self.minimum, self.maximum, self._value = minimum, maximum, minimum
        self.minus = QPushButton("−", objectName="stepButton")
        self.plus = QPushButton("＋", objectName="stepButton")
        self.label = QLabel(objectName="stepValue", alignment=Qt.AlignmentFlag.AlignCenter)
        for b in (self.minus, self.plus):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumSize(96, 80)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.minus)
        box.addWidget(self.label, 1)
        box.addWidget(self.plus)
        self.minus.clicked.connect(lambda: self.setValue(self._value - 1))
        self.plus.clicked.connect(lambda: self.setValue(self._value + 1))
        self.setValue(minimum)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:  # noqa: N802
        value = max(self.minimum, min(self.maximum, value))
        changed = value != self._value
        self._value = value
        self.label.setText(str(value))
        self.minus.setEnabled(value > self.minimum)
        self.plus.setEnabled(value < self.maximum)
        if changed:
            self.valueChanged.emit(value)


class HoldCorner(QPushButton):
    """An unmarked corner: held down for `hold_ms`, it emits `held` (the administrator's way out).
    A tap does nothing, so a resident cannot stumble into it."""

    held = Signal()

    def __init__(self, hold_ms: int = 3000, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("holdCorner")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFixedSize(96, 96)
        self._timer = QTimer(self, singleShot=True, interval=hold_ms)
        self._timer.timeout.connect(self.held)
        self.pressed.connect(self._timer.start)
        self.released.connect(self._timer.stop)
