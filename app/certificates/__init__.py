"""Certificates (証明書): 住民票の写し and its family as signed, verifiable A4 PDFs (standard-spec j1000–j1070).

No Qt, no SQL, no network here: the issuance side decides what may be issued and to whom, passes
confirmed records in, and gets a PDF back:

    from app.certificates import (CertificateKind, ItemChoice, Certifier, CertificateRequest, IssueStamp,
                                  RenderedCertificate, Alert, render, preflight, format_issue_number)

The names load on first use (ReportLab, fonts and zxing are heavy), so that importing this package —
as `madoguchi`'s command line does for `verify-certificate` — costs nothing until a certificate is made.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "Alert": "app.certificates.layout",
    "CertificateKind": "app.certificates.kinds",
    "CertificateRequest": "app.certificates.content",
    "Certifier": "app.certificates.certifier",
    "CertifierSettings": "app.certificates.certifier",
    "certifier_on": "app.certificates.certifier",
    "ITEM_LABELS": "app.certificates.content",
    "item_labels": "app.certificates.content",
    "REMOVAL_ITEM_LABELS": "app.certificates.content",
    "ItemChoice": "app.certificates.content",
    "IssueStamp": "app.certificates.document",
    "RenderedCertificate": "app.certificates.document",
    "format_issue_number": "app.certificates.document",
    "preflight": "app.certificates.document",
    "render": "app.certificates.document",
    "verify_pdf": "app.certificates.verify",
    "IssuingSigner": "registry.protocol.issuing",
    "Verdict": "registry.protocol.issuing",
    "make_delegation": "registry.protocol.issuing",
    "verify_payload": "registry.protocol.issuing",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
