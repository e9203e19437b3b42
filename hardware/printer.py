"""Printer output for certificates. A printer takes a finished PDF and either prints it or raises
PrintFailed with a Japanese message; the issuing service records a failed copy as spoiled so its
issue number is never lost silently.

- `CupsPrinter`: a CUPS queue through `lp` (vector output, the driver picks the tray); the city's
  Linux counters print this way. `queues()` lists what `lpstat` knows.
- `FolderPrinter`: writes the PDF into a folder (「PDFに保存」, and a spool folder watched by a
  print server).
The Qt print dialog's QPrinter lives with the screens (app/ui/printing.py) and follows the same
protocol.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class PrintFailed(Exception):
    def __init__(self, log_message: str, message: str):
        super().__init__(log_message)
        self.message = message


class Printer(Protocol):
    name: str  # recorded in the issuance history (交付履歴)

    def print_pdf(self, pdf: bytes, *, title: str) -> None: ...


class CupsPrinter:
    def __init__(self, queue: str, *, timeout: float = 30.0):
        self.queue = queue
        self.name = queue
        self.timeout = timeout

    def print_pdf(self, pdf: bytes, *, title: str) -> None:
        lp = shutil.which("lp")
        if lp is None:
            raise PrintFailed("lp not installed", "印刷の仕組み（CUPS）がこの端末にありません。システム担当者に連絡してください。")
        try:
            done = subprocess.run([lp, "-d", self.queue, "-t", title, "-"], input=pdf, capture_output=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise PrintFailed(f"lp to {self.queue} timed out", f"プリンタ「{self.queue}」が応答しません。電源と接続を確認してください。") from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            log.warning("lp -d %s failed (%s): %s", self.queue, done.returncode, detail)
            raise PrintFailed(f"lp -d {self.queue}: {detail}", f"プリンタ「{self.queue}」に送れませんでした。プリンタの状態を確認してください。")
        log.info("sent %s to %s: %s", title, self.queue, done.stdout.decode("utf-8", "replace").strip())


def queues() -> list[str]:
    """CUPS queues this terminal can print to (empty without CUPS)."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return []
    try:
        out = subprocess.run([lpstat, "-e"], capture_output=True, timeout=10, text=True)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


_UNSAFE = re.compile(r"[^\w\-.]+")


class FolderPrinter:
    """Saves each PDF as a file: `<folder>/<title>.pdf` (the title is the issue number)."""

    def __init__(self, folder: Path, name: str = "PDF保存"):
        self.folder = Path(folder)
        self.name = name
        self.saved: list[Path] = []

    def print_pdf(self, pdf: bytes, *, title: str) -> None:
        path = self.folder / (_UNSAFE.sub("_", title).strip("_") + ".pdf")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # a certificate: its owner only
            with os.fdopen(fd, "wb") as f:
                f.write(pdf)
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            raise PrintFailed(f"cannot write {path}: {e}", f"PDFを保存できませんでした（{self.folder}）。保存先を確認してください。") from None
        self.saved.append(path)
