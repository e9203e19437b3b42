"""A test certification authority for JPKI authentication: a CA standing in for J-LIS's
利用者証明用 CA, the 利用者証明用電子証明書 it issues for a (virtual) card's key, and its CRL.
Used by the test suite, the demo and `madoguchi card make-test-ca` / `make-profile`. Never use any
of it for real residents: the keys are written unencrypted.

    ca = make_ca(now=now)                                   # Issued(key, cert)
    cert = issue_auth_certificate(ca, card_key.public_key(), now=now, serial=0x1001)
    crl = make_crl(ca, revoked=[0x2002], now=now)

Time comes in as `now` (an aware datetime); serial numbers are given or drawn by the caller.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CA_NAME = "Madoguchi Test JPKI User Authentication CA"
CA_FILE, CA_KEY_FILE, CRL_FILE, REVOKED_FILE = "ca.pem", "ca.key.pem", "crl.pem", "revoked.json"
CRL_DAYS = 30


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate


def new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(cn: str, ou: str = "Madoguchi Test") -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI (test)"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def make_ca(*, now: dt.datetime, name: str = CA_NAME, years: int = 10, key: rsa.RSAPrivateKey | None = None, serial: int = 1) -> Issued:
    """A self-signed CA (the trust anchor a terminal is configured with)."""
    key = key or new_key()
    subject = _name(name, ou="Certification Authority")
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue_auth_certificate(ca: Issued, public_key, *, now: dt.datetime, serial: int, days: int = 365 * 5,
                           not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
                           cn: str = "") -> x509.Certificate:
    """A 利用者証明用電子証明書 for a card's key. Like the real one it carries no name or address:
    its subject is an opaque identifier, the serial is what the registry maps."""
    start = not_before or (now - dt.timedelta(days=1))
    end = not_after or (start + dt.timedelta(days=days))
    return (
        x509.CertificateBuilder()
        .subject_name(_name(cn or f"auth-{serial:016X}", ou="User Authentication"))
        .issuer_name(ca.cert.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )


def make_crl(ca: Issued, revoked: list[int], *, now: dt.datetime, days: int = CRL_DAYS) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=days))
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - dt.timedelta(hours=1)).build()
        )
    return builder.sign(ca.key, hashes.SHA256())


# -- files ---------------------------------------------------------------------------------------


def write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    os.chmod(path, 0o600)


def write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def write_crl(path: Path, crl: x509.CertificateRevocationList) -> None:
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))


def load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an RSA private key")
    return key


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


@dataclass(frozen=True)
class CaFolder:
    """A test CA kept in a folder: ca.pem (the trust anchor), ca.key.pem, crl.pem, revoked.json."""

    directory: Path

    @property
    def cert_path(self) -> Path:
        return self.directory / CA_FILE

    @property
    def crl_path(self) -> Path:
        return self.directory / CRL_FILE

    def load(self) -> Issued:
        return Issued(load_key(self.directory / CA_KEY_FILE), load_cert(self.cert_path))

    def revoked(self) -> list[int]:
        path = self.directory / REVOKED_FILE
        return [int(s, 16) for s in json.loads(path.read_text())] if path.exists() else []

    def revoke(self, serial: int, *, now: dt.datetime) -> None:
        serials = sorted(set(self.revoked()) | {serial})
        (self.directory / REVOKED_FILE).write_text(json.dumps([format(s, "X") for s in serials]))
        self.refresh_crl(now=now)

    def refresh_crl(self, *, now: dt.datetime) -> None:
        write_crl(self.crl_path, make_crl(self.load(), self.revoked(), now=now))

    def issue_card_key(self, out_dir: Path, *, now: dt.datetime, serial: int, stem: str = "card-auth",
                       days: int = 365 * 5, not_before: dt.datetime | None = None) -> tuple[Path, Path]:
        """A new key pair and its 利用者証明用 certificate: (key path, certificate path)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        key = new_key()
        cert = issue_auth_certificate(self.load(), key.public_key(), now=now, serial=serial, days=days, not_before=not_before)
        key_path, cert_path = out_dir / f"{stem}.key.pem", out_dir / f"{stem}.pem"
        write_key(key_path, key)
        write_cert(cert_path, cert)
        return key_path, cert_path


def make_test_ca(directory: Path, *, now: dt.datetime, name: str = CA_NAME) -> CaFolder:
    """A new test CA in `directory` (its certificate is the trust anchor; its CRL starts empty)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_ca(now=now, name=name)
    write_key(directory / CA_KEY_FILE, ca.key)
    write_cert(directory / CA_FILE, ca.cert)
    (directory / REVOKED_FILE).write_text("[]")
    write_crl(directory / CRL_FILE, make_crl(ca, [], now=now))
    return CaFolder(directory)
