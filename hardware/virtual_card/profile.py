"""What a virtual card holds, as a JSON profile file, and the card made from it.

    {
      "kind": "mynumber",                       # or "other": a card with no My Number application
      "resident": {"name": "千葉　花子", "address": "千葉県千葉市中央区千葉港１番１号",
                   "birth_date": "1980-12-26", "sex": 2, "my_number": "123456789018"},
      "pins": {"card_info": {"pin": "1234", "tries": 3},      # 券面事項入力補助用暗証番号
               "jpki_auth": {"pin": "1234", "tries": 3},      # 利用者証明用暗証番号
               "jpki_sign": {"pin": "ABC123", "tries": 5}},   # 署名用パスワード
      "jpki": {"key": "card-auth.key.pem", "certificate": "card-auth.pem", "ca_certificate": "ca.pem"},
      "atr": "3BE000FF8131FE4514",
      "files": {"card_info/0002": "FF20…"}      # raw file contents (a damaged card, for tests)
    }

Paths are relative to the profile file. "tries" is how many tries are left when the card starts
(1 shows the last-try warning, 0 a blocked PIN). A profile without "jpki" gets a fresh key and a
self-signed certificate that no terminal trusts.
"""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from domain.checkdigits import is_valid_my_number
from domain.residents import Address
from hardware import apdu, tlv
from hardware.virtual_card.card import (
    MY_NUMBER_ATR,
    BinaryFile,
    DedicatedFile,
    KeyFile,
    PinFile,
    VirtualCard,
)

TOKEN_LABEL = "JPKIAPICCTOKEN2"
OTHER_CARD_AID = bytes.fromhex("A000000003000000")  # some other card's application (not a My Number card)


class ProfileError(ValueError):
    """A profile that cannot make a card; `message` in Japanese."""

    def __init__(self, log_line: str, message: str):
        super().__init__(log_line)
        self.message = message


@dataclass
class Pin:
    pin: str
    tries: int


@dataclass
class CardProfile:
    name: str = ""
    address: str = ""
    birth_date: str = ""  # YYYY-MM-DD
    sex: int = 0
    my_number: str = ""
    kind: str = "mynumber"
    card_info: Pin = field(default_factory=lambda: Pin("1234", 3))
    jpki_auth: Pin = field(default_factory=lambda: Pin("1234", 3))
    jpki_sign: Pin = field(default_factory=lambda: Pin("ABC123", 5))
    jpki_key: str = ""
    jpki_certificate: str = ""
    jpki_ca_certificate: str = ""
    atr: str = ""
    files: dict[str, str] = field(default_factory=dict)
    base_dir: Path = field(default=Path("."), repr=False)

    # -- JSON ------------------------------------------------------------------------------------
    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "resident": {"name": self.name, "address": self.address, "birth_date": self.birth_date,
                         "sex": self.sex, "my_number": self.my_number},
            "pins": {k: asdict(getattr(self, k)) for k in ("card_info", "jpki_auth", "jpki_sign")},
        }
        if self.jpki_key or self.jpki_certificate:
            out["jpki"] = {"key": self.jpki_key, "certificate": self.jpki_certificate, "ca_certificate": self.jpki_ca_certificate}
        if self.atr:
            out["atr"] = self.atr
        if self.files:
            out["files"] = dict(self.files)
        return out

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict, base_dir: Path = Path(".")) -> "CardProfile":
        if not isinstance(data, dict):
            raise ProfileError("profile is not a JSON object", "カードのプロファイルがJSONのオブジェクトではありません。")
        r = data.get("resident") or {}
        pins = data.get("pins") or {}
        jpki = data.get("jpki") or {}

        def pin(key: str, default: Pin) -> Pin:
            p = pins.get(key) or {}
            return Pin(str(p.get("pin", default.pin)), int(p.get("tries", default.tries)))

        try:
            profile = cls(
                name=str(r.get("name", "")), address=str(r.get("address", "")), birth_date=str(r.get("birth_date", "")),
                sex=int(r.get("sex", 0)), my_number=str(r.get("my_number", "")), kind=str(data.get("kind", "mynumber")),
                card_info=pin("card_info", Pin("1234", 3)), jpki_auth=pin("jpki_auth", Pin("1234", 3)),
                jpki_sign=pin("jpki_sign", Pin("ABC123", 5)),
                jpki_key=str(jpki.get("key", "")), jpki_certificate=str(jpki.get("certificate", "")),
                jpki_ca_certificate=str(jpki.get("ca_certificate", "")),
                atr=str(data.get("atr", "")), files={str(k): str(v) for k, v in (data.get("files") or {}).items()},
                base_dir=Path(base_dir),
            )
        except (TypeError, ValueError) as e:
            raise ProfileError(f"profile has a value of the wrong type: {e}", "カードのプロファイルに形式の誤った値があります。") from None
        profile.check()
        return profile

    @classmethod
    def load(cls, path: Path) -> "CardProfile":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ProfileError(f"profile {path}: {e}", f"カードのプロファイル（{path}）を読み込めません。") from None
        except ValueError as e:
            raise ProfileError(f"profile {path}: not JSON ({e})", f"カードのプロファイル（{path}）がJSONとして読めません。") from None
        return cls.from_json(data, path.parent)

    def check(self) -> None:
        if self.kind not in ("mynumber", "other"):
            raise ProfileError(f"unknown card kind {self.kind!r}", "カードの種類（kind）は mynumber か other です。")
        if self.kind == "other":
            return
        problems = []
        if not self.name.strip():
            problems.append("氏名（name）がありません")
        if not self.address.strip():
            problems.append("住所（address）がありません")
        try:
            dt.date.fromisoformat(self.birth_date)
        except ValueError:
            problems.append("生年月日（birth_date）は YYYY-MM-DD で書いてください")
        if self.sex not in (0, 1, 2, 9):
            problems.append("性別（sex）は 1（男）・2（女）・9・0 のいずれかです")
        if "card_info/0001" not in self.files and not is_valid_my_number(self.my_number):
            problems.append("個人番号（my_number）が12桁の正しい番号ではありません（検査数字）")
        for key, p in (("card_info", self.card_info), ("jpki_auth", self.jpki_auth)):
            if not (len(p.pin) == 4 and p.pin.isdigit()):
                problems.append(f"暗証番号（pins.{key}）は数字4桁です")
        for p in (self.card_info, self.jpki_auth, self.jpki_sign):
            if not 0 <= p.tries <= 15:
                problems.append("残り回数（tries）は 0〜15 です")
        if problems:
            raise ProfileError("profile: " + "; ".join(problems), "カードのプロファイルに誤りがあります：" + "、".join(problems))

    def path(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.base_dir / p


# -- the card's files ----------------------------------------------------------------------------


def card_address(address: Address) -> str:
    """An address as the card prints it: digits and hyphens full width, 方書 after a space."""
    def wide(text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else ("－" if c == "-" else c) for c in text)

    text = wide(f"{address.prefecture}{address.municipality}{address.town}{address.block}")
    return f"{text}\u3000{wide(address.building)}" if address.building else text


def my_number_file(number: str) -> bytes:
    """EF 0001: FF 10 0C + the 12 digits, then filler."""
    return tlv.encode(0xFF10, number.encode("ascii")) + b"\xff\xff"


def basic_info_file(name: str, address: str, birth_date: dt.date, sex: int) -> bytes:
    """EF 0002: FF 20 { DF 21 offsets, DF 22 name, DF 23 address, DF 24 YYYYMMDD, DF 25 sex }."""
    items = [
        tlv.encode(0xDF22, name.encode("utf-8")),
        tlv.encode(0xDF23, address.encode("utf-8")),
        tlv.encode(0xDF24, birth_date.strftime("%Y%m%d").encode("ascii")),
        tlv.encode(0xDF25, str(sex).encode("ascii")),
    ]
    header_size = len(tlv.encode(0xDF21, bytes(8)))
    offsets, at = [], header_size
    for item in items:
        offsets.append(at)
        at += len(item)
    header = tlv.encode(0xDF21, b"".join(o.to_bytes(2, "big") for o in offsets))
    body = tlv.encode(0xFF20, header + b"".join(items))
    return body + b"\xff" * (16 - len(body) % 16 if len(body) % 16 else 16)


def token_info() -> bytes:
    return TOKEN_LABEL.encode("ascii").ljust(32, b" ") + b"\x00" * 16


def _jpki_files(profile: CardProfile) -> dict:
    from cryptography.hazmat.primitives.serialization import Encoding

    from hardware import testca

    if profile.jpki_key and profile.jpki_certificate:
        try:
            key = testca.load_key(profile.path(profile.jpki_key))
            cert = testca.load_cert(profile.path(profile.jpki_certificate))
            ca = testca.load_cert(profile.path(profile.jpki_ca_certificate)) if profile.jpki_ca_certificate else None
        except (OSError, ValueError) as e:
            raise ProfileError(f"profile jpki files: {e}", f"カードの鍵・証明書のファイルを読み込めません（{e}）。") from None
    else:  # a card with a key nobody certified
        now = dt.datetime.now(dt.timezone.utc)
        self_signed = testca.make_ca(now=now, name="Madoguchi uncertified virtual card")
        key, cert, ca = self_signed.key, self_signed.cert, None
    files = {
        0x0006: BinaryFile(token_info()),
        0x000A: BinaryFile(cert.public_bytes(Encoding.DER)),
        0x0017: KeyFile(key, pin=0x0018),
        0x0018: PinFile(profile.jpki_auth.pin.encode("ascii"), 3, profile.jpki_auth.tries),
        0x001B: PinFile(profile.jpki_sign.pin.encode("ascii"), 5, profile.jpki_sign.tries),
    }
    if ca is not None:
        files[0x000B] = BinaryFile(ca.public_bytes(Encoding.DER))
    return files


def build_card(profile: CardProfile) -> VirtualCard:
    """The virtual card a profile describes (fresh PIN counters from the profile)."""
    profile.check()
    atr = bytes.fromhex(profile.atr) if profile.atr else MY_NUMBER_ATR
    if profile.kind == "other":
        return VirtualCard([DedicatedFile(OTHER_CARD_AID, {0x0001: BinaryFile(b"\x00" * 16)})], atr=atr, label="other card")
    overrides = {k: bytes.fromhex(v) for k, v in profile.files.items()}
    number = overrides.get("card_info/0001") or my_number_file(profile.my_number)
    basic = overrides.get("card_info/0002") or basic_info_file(
        profile.name, profile.address, dt.date.fromisoformat(profile.birth_date), profile.sex
    )
    card_info = DedicatedFile(apdu.AID_CARD_INFO, {
        0x0001: BinaryFile(number, pin=0x0011),
        0x0002: BinaryFile(basic, pin=0x0011),
        0x0011: PinFile(profile.card_info.pin.encode("ascii"), 3, profile.card_info.tries),
    })
    jpki = DedicatedFile(apdu.AID_JPKI, _jpki_files(profile))
    return VirtualCard([card_info, jpki], atr=atr, label=profile.name)
