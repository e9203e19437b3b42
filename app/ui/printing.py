"""Printing a certificate PDF through Qt (QPrinter): the counter's printers as the operating system
knows them (CUPS on Linux, the spooler on Windows). Follows hardware.printer's Printer protocol, so
the issuing service records a failed print as a spoiled copy.

The PDF is drawn page by page with QtPdf at the printer's resolution (at least 300 dpi). QPainter
on a QPrinter may be used from a worker thread, so printing never blocks the clerk's screen.
"""
from __future__ import annotations

import logging

from app.ui.qt import QSize
from app.ui.qt_pdf import QBuffer, QByteArray, QIODevice, QPageLayout, QPageSize, QPainter, QPdfDocument, QPrinter, QPrinterInfo, QRectF
from hardware.printer import PrintFailed

log = logging.getLogger(__name__)

MIN_DPI = 300


def system_printers() -> list[str]:
    """The printers the operating system offers (empty without CUPS)."""
    return [p.printerName() for p in QPrinterInfo.availablePrinters()]


def load_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument over the bytes (the buffer must live as long as the document)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise PrintFailed(f"QtPdf cannot read the certificate ({document.error()})", "証明書のPDFを読み込めませんでした。もう一度発行してください。")
    return document, buffer


class QtPrinter:
    """A printer by its system name; `output_file` makes Qt write a PDF instead (tests, PDF printers)."""

    def __init__(self, name: str, *, output_file: str = ""):
        self.name = name
        self.output_file = output_file

    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.output_file:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(self.output_file)
        else:
            printer.setPrinterName(self.name)
            if not printer.isValid():
                raise PrintFailed(f"printer {self.name!r} not valid", f"プリンタ「{self.name}」が見つかりません。プリンタの設定を確認してください。")
        printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, printer.pageLayout().margins()))
        printer.setFullPage(True)
        if printer.resolution() < MIN_DPI:
            printer.setResolution(MIN_DPI)
        return printer

    def print_pdf(self, pdf: bytes, *, title: str) -> None:
        document, _buffer = load_pdf(pdf)
        printer = self._printer()
        printer.setDocName(title)
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintFailed(f"cannot start printing on {self.name!r}", f"プリンタ「{self.name}」で印刷を始められませんでした。プリンタの状態を確認してください。")
        try:
            dpi = printer.resolution()
            for page in range(document.pageCount()):
                if page and not printer.newPage():
                    raise PrintFailed(f"newPage failed on {self.name!r}", f"プリンタ「{self.name}」への送信が途中で止まりました。")
                size_pt = document.pagePointSize(page)
                pixels = QSize(round(size_pt.width() / 72 * dpi), round(size_pt.height() / 72 * dpi))
                image = document.render(page, pixels)
                if image.isNull():
                    raise PrintFailed(f"page {page + 1} did not render", "証明書のページを描画できませんでした。")
                target = printer.pageLayout().fullRectPixels(dpi)
                painter.drawImage(QRectF(target), image)
        finally:
            if not painter.end():
                raise PrintFailed(f"printing on {self.name!r} did not finish", f"プリンタ「{self.name}」への送信が完了しませんでした。")
        log.info("printed %s on %s (%d pages)", title, self.name, document.pageCount())
