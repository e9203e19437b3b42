"""The kiosk on the embedded default (`madoguchi demo --kiosk`, `make run KIOSK=1`): the demo
registry with a test JPKI CA as its trust anchor, a terminal enrolled with kind `kiosk` and synced,
a demo resident's virtual My Number card linked at the registry, and a private pcscd with the card
on its first virtual reader — the same path a city's kiosk takes, with no hardware.

    var/demo/registry.db         the demo registry (shared with `make run`)
    var/demo/kiosk/              the kiosk terminal: identity, key, device-only cache, settings.json
    var/demo/kiosk-card/         the test CA (ca.pem, crl.pem) and the demo card's profile (PINs 1234)
    var/demo/kiosk-prints/       what the kiosk "prints" (PDF files)
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import func, select

from app.demo.local import ensure_demo_registry, ensure_enrolled
from app.services.card_settings import SECTION as CARD_SECTION
from app.services.kiosk_settings import hash_admin_pin, write_section
from app.services.settings import FILE as SETTINGS_FILE
from hardware import testca
from hardware.virtual_card.profile import CardProfile, Pin, build_card, card_address
from registry import kiosk as registry_kiosk
from registry.embedded import EmbeddedRegistry
from registry.register import RegistryRegister
from registry.schema import residents

log = logging.getLogger(__name__)

DEMO_KIOSK_ID = "demo-kiosk-01"
DEMO_ADMIN_PIN = "123456"
DEMO_CARD_PIN = "1234"
CONTROL_PORT = 35990


@dataclass
class DemoKiosk:
    registry: EmbeddedRegistry
    directory: Path  # the kiosk terminal folder
    resident_id: str
    name: str
    reader: str
    stack: object = None
    lease: object = None
    link: object = None
    control: object = None

    def close(self) -> None:
        if self.control is not None:
            self.control.close()
        if self.link is not None:
            self.link.stop()
        if self.lease is not None:
            self.lease.__exit__(None, None, None)
        if self.stack is not None:
            self.stack.stop()
        self.registry.close()


def _demo_resident(db_path: Path) -> tuple[str, dict]:
    """A householder of three with a My Number and an exact birth date (the demo's card holder)."""
    from registry.database import open_database

    engine = open_database(str(db_path))
    try:
        with engine.connect() as conn:
            households = conn.execute(
                select(residents.c.household_id).where(residents.c.status == "current", residents.c.ward_code == "121011")
                .group_by(residents.c.household_id).having(func.count() == 3).order_by(residents.c.household_id).limit(200)
            ).scalars().all()
            register = RegistryRegister(conn)
            for h in households:
                members = register.household_members(h)
                head = next((m for m in members if m.relationship == "世帯主"), None)
                if head is None or any(m.support_measure or m.suppressed or m.kind.value != "japanese" for m in members):
                    continue
                birth = head.birth_date.to_date()
                if head.my_number and birth is not None:
                    return head.resident_id, {"name": head.name.full, "address": card_address(head.address), "birth_date": birth.isoformat(),
                                              "sex": int(head.sex), "my_number": head.my_number}
    finally:
        engine.dispose()
    raise RuntimeError("no demo resident for the kiosk card")


def _card(card_dir: Path, db_path: Path, now: dt.datetime) -> tuple[testca.CaFolder, CardProfile, str]:
    """The test CA (its CRL renewed, so it is never out of date) and the demo card's profile."""
    ca = testca.CaFolder(card_dir / "ca")
    if not ca.cert_path.exists():
        shutil.rmtree(card_dir, ignore_errors=True)
        ca = testca.make_test_ca(card_dir / "ca", now=now)
    ca.refresh_crl(now=now)
    profile_path = card_dir / "card.json"
    meta_path = card_dir / "resident.json"
    resident_id = json.loads(meta_path.read_text())["resident_id"] if meta_path.exists() else ""
    if not profile_path.exists() or not resident_id:
        resident_id, fields = _demo_resident(db_path)
        key_path, cert_path = ca.issue_card_key(card_dir, now=now, serial=0x5A5A0001, stem="card-auth")
        profile = CardProfile(**fields, card_info=Pin(DEMO_CARD_PIN, 3), jpki_auth=Pin(DEMO_CARD_PIN, 3), base_dir=card_dir,
                              jpki_key=key_path.name, jpki_certificate=cert_path.name, jpki_ca_certificate=str(ca.cert_path.resolve()))
        profile.save(profile_path)
        meta_path.write_text(json.dumps({"resident_id": resident_id}))
    return ca, CardProfile.load(profile_path), resident_id


def start_demo_kiosk(directory: Path, *, residents_count: int, operator_id: str, password: str, ward_code: str, with_card: bool = True) -> DemoKiosk:
    directory = Path(directory)
    db_path = directory / "registry.db"
    now = dt.datetime.now(dt.timezone.utc)
    loaded = ensure_demo_registry(db_path, residents_count=residents_count, operator_id=operator_id, password=password, ward_code=ward_code)
    ca, profile, resident_id = _card(directory / "kiosk-card", db_path, now)
    trust = registry_kiosk.JpkiTrust(str(ca.cert_path), str(ca.crl_path))
    registry = EmbeddedRegistry(str(db_path), jpki_trust=trust)
    kiosk_dir = directory / "kiosk"
    demo = DemoKiosk(registry, kiosk_dir, resident_id, profile.name, "")
    try:
        with registry.engine.begin() as conn:
            registry_kiosk.link_card(conn, resident_id, testca.load_cert(profile.path(profile.jpki_certificate)))
        ensure_enrolled(registry, kiosk_dir, fresh=loaded is not None, terminal_id=DEMO_KIOSK_ID, name="デモ 区役所ロビー", kind="kiosk", ward_code=ward_code)
        if with_card:
            from hardware.pcsc_stack import PcscStack
            from hardware.virtual_card.vpcd import VpcdLink

            demo.stack = PcscStack().start()
            demo.lease = demo.stack.lease(timeout=60)
            slot = demo.lease.__enter__()
            demo.reader = slot.reader
            demo.link = VpcdLink(build_card(profile), slot.port)
            demo.link.remove()  # the card waits for the resident to "place" it (insert)
            demo.link.start()
            demo.control = _control(demo.link, profile)
        _write_settings(kiosk_dir, ca, demo.reader, directory / "kiosk-prints")
    except BaseException:
        demo.close()
        raise
    return demo


def _write_settings(kiosk_dir: Path, ca: testca.CaFolder, reader: str, prints: Path) -> None:
    path = kiosk_dir / SETTINGS_FILE
    raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    raw[CARD_SECTION] = {"reader": reader, "trust_anchor": str(ca.cert_path.resolve()), "crl": str(ca.crl_path.resolve())}
    path.write_bytes(orjson.dumps(raw, option=orjson.OPT_INDENT_2))
    write_section(kiosk_dir, printer=f"folder:{prints.resolve()}", payment="cashier", admin_pin_hash=hash_admin_pin(DEMO_ADMIN_PIN))


def _control(link, profile):
    """remove / insert / status on stdin's sibling: 127.0.0.1:CONTROL_PORT (one command a line)."""
    from hardware.cli import _Commands, _control_server

    try:
        return _control_server(CONTROL_PORT, _Commands(link, profile))
    except OSError as e:
        log.warning("card control port %d not available: %s", CONTROL_PORT, e)
        return None
