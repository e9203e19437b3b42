"""The certificates a counter issues (standard-spec j1000): their titles and certification statements (認証文)."""
from __future__ import annotations

from enum import Enum


class CertificateKind(Enum):
    """証明書の種別."""

    COPY = "copy"  # 住民票の写し (個人票 or 世帯連記式)
    REMOVED_COPY = "removed_copy"  # 住民票の除票の写し
    ITEMS = "items"  # 住民票記載事項証明書 (only the items the applicant asks for)
    MOVE_OUT = "move_out"  # 転出証明書

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def code(self) -> str:
        """One letter, used in file names and logs."""
        return {"copy": "C", "removed_copy": "R", "items": "I", "move_out": "M"}[self.value]

    @property
    def statement(self) -> str:
        """The 認証文, printed once, on the last page."""
        return _STATEMENTS[self]

    @property
    def for_removed_records(self) -> bool:
        """Whether the certificate is made from removed records (除票): the 除票の写し and the 転出証明書."""
        return self in (CertificateKind.REMOVED_COPY, CertificateKind.MOVE_OUT)


_TITLES = {
    CertificateKind.COPY: "住民票の写し",
    CertificateKind.REMOVED_COPY: "住民票の除票の写し",
    CertificateKind.ITEMS: "住民票記載事項証明書",
    CertificateKind.MOVE_OUT: "転出証明書",
}

_STATEMENTS = {
    CertificateKind.COPY: "この写しは、住民票の原本と相違ないことを証明する。",
    CertificateKind.REMOVED_COPY: "この写しは、住民票の除票の原本と相違ないことを証明する。",
    CertificateKind.ITEMS: "上記の事項は、住民票に記載されている事項と相違ないことを証明する。",
    CertificateKind.MOVE_OUT: "上記の者は、転出の届出をしたことを証明する。",
}
