"""The kiosk's world: the screens' test world (an embedded registry with a small city) plus a
terminal enrolled with kind `kiosk`, its device-only cache synced, the test card's 利用者証明用
certificate linked at the registry to a householder of three, and the registry trusting the test
CA. Built once per session and copied for each test."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from app.services.kiosk import KioskService
from app.services.kiosk_settings import hash_admin_pin
from app.store.register_store import RegisterStore
from app.sync import terminal as terminal_mod
from hardware import testca
from hardware.printer import FolderPrinter
from registry import kiosk as registry_kiosk
from registry import terminals
from registry.database import open_database
from registry.embedded import EmbeddedRegistry
from registry.register import RegistryRegister
from registry.schema import residents as registry_residents
from tests.hardware.fixtures import NOW
from tests.support.world import CHUO, _point_at

KIOSK_ID = "ui-kiosk-01"
ADMIN_PIN = "246810"


@dataclass
class KioskWorld:
    directory: Path
    registry: EmbeddedRegistry
    resident_id: str  # the card's holder: householder of three
    members: list[str]  # their household, j1010 order
    pki: object

    @property
    def kiosk_dir(self) -> Path:
        return self.directory / "kiosk"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.directory / 'registry.db'}"

    @property
    def prints(self) -> Path:
        return self.directory / "prints"

    def service(self, *, printer=None, **kw) -> KioskService:
        return KioskService.open(self.kiosk_dir, printer=printer or FolderPrinter(self.prints, name="kiosk-folder"), jpki_now=lambda: NOW, **kw)

    def registry_offline(self) -> None:
        self.registry.close()


def _trust(pki) -> registry_kiosk.JpkiTrust:
    return registry_kiosk.JpkiTrust(str(pki.ca.cert_path), str(pki.ca.crl_path), now=lambda: NOW)


def _household_of_three(engine) -> tuple[str, list[str]]:
    with engine.connect() as conn:
        households = conn.execute(
            select(registry_residents.c.household_id).where(registry_residents.c.status == "current")
            .group_by(registry_residents.c.household_id).having(func.count() == 3).order_by(registry_residents.c.household_id)
        ).scalars().all()
        register = RegistryRegister(conn)
        for h in households:
            members = register.household_members(h)
            if all(m.kind.value == "japanese" and not (m.support_measure or m.suppressed) and m.domicile for m in members):
                head = next((m for m in members if m.relationship == "世帯主"), None)
                if head is not None:
                    return head.resident_id, [m.resident_id for m in members]
    raise AssertionError("no household of three in the test city")


def write_settings(directory: Path, pki, **kiosk) -> None:
    settings = {
        "card": {"trust_anchor": str(pki.ca.cert_path), "crl": str(pki.ca.crl_path)},
        "kiosk": {"printer": "folder:../prints", "admin_pin_hash": hash_admin_pin(ADMIN_PIN, n=2**10), **kiosk},
    }
    (directory / "settings.json").write_text(json.dumps(settings, ensure_ascii=False))


@pytest.fixture(scope="session")
def kiosk_template(ui_template, pki, tmp_path_factory) -> tuple[Path, str, list[str]]:
    root = tmp_path_factory.mktemp("kiosk-template") / "world"
    shutil.copytree(ui_template, root)
    db_url = f"sqlite:///{root / 'registry.db'}"
    engine = open_database(db_url)
    resident_id, members = _household_of_three(engine)
    with engine.begin() as conn:
        _, code = terminals.register_terminal(conn, name="中央区役所 ロビー1", kind="kiosk", ward_code=CHUO, scope="city", terminal_id=KIOSK_ID)
        registry_kiosk.link_card(conn, resident_id, testca.load_cert(pki.card_cert))
    engine.dispose()
    registry = EmbeddedRegistry(db_url, jpki_trust=_trust(pki))
    try:
        kiosk_dir = root / "kiosk"
        terminal_mod.enrol(kiosk_dir, registry.url, code)
        write_settings(kiosk_dir, pki)
        service = KioskService.open(kiosk_dir, printer=FolderPrinter(root / "prints"), jpki_now=lambda: NOW)
        service.sync()
        service.close()
    finally:
        registry.close()
    return root, resident_id, members


@pytest.fixture
def kiosk_world(kiosk_template, pki, tmp_path) -> KioskWorld:
    template, resident_id, members = kiosk_template
    directory = tmp_path / "world"
    shutil.copytree(template, directory)
    registry = EmbeddedRegistry(f"sqlite:///{directory / 'registry.db'}", jpki_trust=_trust(pki))
    _point_at(directory / "kiosk", registry.url)
    _point_at(directory / "terminal", registry.url)
    w = KioskWorld(directory, registry, resident_id, members, pki)
    yield w
    registry.close()


@pytest.fixture
def kiosk(kiosk_world):
    """The kiosk service, synced (online)."""
    service = kiosk_world.service()
    service.sync()
    yield service
    service.close()


def protect(world: KioskWorld, service: KioskService, resident_id: str) -> None:
    """支援措置 for a person, at the registry and in the kiosk's cache (as the city's office sets it)."""
    engine = open_database(world.db_url)
    with engine.begin() as conn:
        record = orjson.loads(conn.execute(select(registry_residents.c.record).where(registry_residents.c.resident_id == resident_id)).scalar())
        record["dv"] = 1
        conn.execute(registry_residents.update().where(registry_residents.c.resident_id == resident_id).values(record=orjson.dumps(record).decode()))
    engine.dispose()
    with service.cache.writer.begin() as conn:
        store = RegisterStore(conn)
        store.put_record(replace(store.resident(resident_id), support_measure=True))
