"""Typing as a clerk does: Japanese arrives from the input method as a commit string (QTest key
clicks are ASCII-only and abort the process on kana), Enter and shortcuts as key events."""
from __future__ import annotations

from app.ui.qt import QApplication, QInputMethodEvent


def ime_type(widget, text: str) -> None:
    """Commits `text` into `widget` the way an IME does after conversion (変換確定)."""
    widget.setFocus()
    pre = QInputMethodEvent("", [])  # the composing (preedit) step an IME sends first
    QApplication.sendEvent(widget, pre)
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def replace_text(widget, text: str) -> None:
    """Select everything in a line edit and commit `text` over it."""
    widget.selectAll()
    ime_type(widget, text)
