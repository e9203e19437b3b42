"""Qt's PDF and printing modules, imported from here only (the rest of Qt comes from app/ui/qt.py).

Kept apart from qt.py so that the login screen never pays for loading QtPdf and QtPrintSupport:
only the certificate screen and printing import this module.
"""
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF  # noqa: F401
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter  # noqa: F401
from PySide6.QtPdf import QPdfDocument  # noqa: F401
from PySide6.QtPdfWidgets import QPdfView  # noqa: F401
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo  # noqa: F401
