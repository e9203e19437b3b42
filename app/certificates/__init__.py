"""Certificates (証明書): 住民票の写し and its family as signed, verifiable A4 PDFs (standard-spec j1000–j1070).

No Qt, no SQL, no network here: the issuance side decides what may be issued and to whom, passes
confirmed records in, and gets a PDF back.
"""
from app.certificates.certifier import Certifier, CertifierSettings, certifier_on
from app.certificates.content import ITEM_LABELS, CertificateRequest, ItemChoice
from app.certificates.kinds import CertificateKind
from app.certificates.layout import Alert
from app.certificates.document import IssueStamp, RenderedCertificate, format_issue_number, preflight, render
from registry.protocol.issuing import IssuingSigner, Verdict

__all__ = [
    "Alert",
    "CertificateKind",
    "CertificateRequest",
    "Certifier",
    "CertifierSettings",
    "ITEM_LABELS",
    "IssueStamp",
    "IssuingSigner",
    "ItemChoice",
    "RenderedCertificate",
    "Verdict",
    "certifier_on",
    "format_issue_number",
    "preflight",
    "render",
]
