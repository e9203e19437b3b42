"""Command and response APDUs (ISO/IEC 7816-4) as the My Number card speaks them, and the status
words it answers with. Bytes in, bytes out: no pyscard here, so the virtual card and the reader
side share one definition.

A VERIFY carries the PIN: `Command.__repr__` never shows the data of a VERIFY, and `describe`
(what the logs get) never shows any command data at all.
"""
from __future__ import annotations

from dataclasses import dataclass

# Applications (DF names). 券面入力補助AP = card-info input support (My Number + 4 basic info).
AID_CARD_INFO = bytes.fromhex("D3921000310001010408")  # 券面入力補助AP
AID_CARD_FACE = bytes.fromhex("D3921000310001010402")  # 券面事項確認AP (images; not read here)
AID_JPKI = bytes.fromhex("D392F000260100000001")  # 公的個人認証 (JPKI) AP
AID_JUKI = bytes.fromhex("D3921000310001010401")  # 住基AP
AID_COMMON = bytes.fromhex("D3921000310001010100")  # 共通カードAP

# Instructions
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_VERIFY = 0x20
INS_CHANGE_REFERENCE_DATA = 0x24
INS_COMPUTE_SIGNATURE = 0x2A  # with CLA 0x80 (proprietary): JPKI's signature command
INS_GET_RESPONSE = 0xC0

INS_NAMES = {
    INS_SELECT: "SELECT",
    INS_READ_BINARY: "READ BINARY",
    INS_VERIFY: "VERIFY",
    INS_CHANGE_REFERENCE_DATA: "CHANGE REFERENCE DATA",
    INS_COMPUTE_SIGNATURE: "COMPUTE SIGNATURE",
    INS_GET_RESPONSE: "GET RESPONSE",
}

# Status words
SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer bytes than asked for: the data up to the end of the file
SW_WRONG_LENGTH = 0x6700
SW_INCOMPATIBLE_FILE = 0x6981  # command incompatible with the file (READ of a key or PIN EF)
SW_SECURITY_NOT_SATISFIED = 0x6982  # read before VERIFY
SW_AUTH_METHOD_BLOCKED = 0x6983
SW_REFERENCE_DATA_UNUSABLE = 0x6984  # the PIN is blocked (JPKI cards say this)
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_NO_CURRENT_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_REFERENCE_NOT_FOUND = 0x6A88
SW_OFFSET_BEYOND_END = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

PIN_BLOCKED_SWS = (SW_AUTH_METHOD_BLOCKED, SW_REFERENCE_DATA_UNUSABLE)
MAX_SHORT_LE = 256


def is_wrong_pin(sw: int) -> bool:
    """63Cx: verification failed, x tries left."""
    return sw & 0xFFF0 == 0x63C0


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # None: no Le field; 256 is sent as 00 (short APDUs only)

    def to_bytes(self) -> bytes:
        if len(self.data) > 255:
            raise ValueError("short APDUs carry at most 255 data bytes")
        if self.le is not None and not 0 < self.le <= MAX_SHORT_LE:
            raise ValueError("Le must be 1..256")
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le % 256,))
        return out

    @property
    def name(self) -> str:
        return INS_NAMES.get(self.ins, f"INS {self.ins:02X}")

    def __repr__(self) -> str:
        shown = f"<{len(self.data)} bytes>" if self.ins == INS_VERIFY else self.data.hex().upper()
        return f"Command({self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X} data={shown} le={self.le})"


def parse_command(raw: bytes) -> Command:
    """A short command APDU (cases 1–4) from its bytes; ValueError when it is not one."""
    if len(raw) < 4:
        raise ValueError("an APDU has at least 4 bytes")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return Command(cla, ins, p1, p2)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, le=body[0] or 256)
    lc = body[0]
    if lc == 0:
        raise ValueError("extended APDUs are not supported")
    if len(body) == 1 + lc:
        return Command(cla, ins, p1, p2, data=bytes(body[1:]))
    if len(body) == 2 + lc:
        return Command(cla, ins, p1, p2, data=bytes(body[1:-1]), le=body[-1] or 256)
    raise ValueError("Lc does not match the command's length")


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Response":
        if len(raw) < 2:
            raise ValueError("a response APDU ends with two status bytes")
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])

    def to_bytes(self) -> bytes:
        return self.data + bytes((self.sw >> 8, self.sw & 0xFF))

    def __repr__(self) -> str:
        return f"Response({len(self.data)} bytes, SW={self.sw:04X})"


def select_df(aid: bytes) -> Command:
    """SELECT by DF name (AID), no FCI back."""
    return Command(0x00, INS_SELECT, 0x04, 0x0C, aid)


def select_ef(fid: int) -> Command:
    """SELECT an EF of the current DF by its file id, no FCI back."""
    return Command(0x00, INS_SELECT, 0x02, 0x0C, fid.to_bytes(2, "big"))


def read_binary(offset: int, length: int) -> Command:
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("offset must be 0..32767")
    return Command(0x00, INS_READ_BINARY, offset >> 8, offset & 0xFF, le=length)


def verify(pin: bytes | bytearray) -> Command:
    """VERIFY the PIN of the currently selected PIN EF."""
    return Command(0x00, INS_VERIFY, 0x00, 0x80, bytes(pin))


def verify_status() -> Command:
    """An empty VERIFY: 63Cx tells the tries left without using one (9000: already verified)."""
    return Command(0x00, INS_VERIFY, 0x00, 0x80)


def compute_signature(digest_info: bytes) -> Command:
    """JPKI: sign with the currently selected key EF (PKCS#1 v1.5 padding added by the card)."""
    return Command(0x80, INS_COMPUTE_SIGNATURE, 0x00, 0x80, digest_info, le=MAX_SHORT_LE)


def describe(raw: bytes) -> str:
    """What a log line may say about a command: its name and P1 P2, never its data."""
    if len(raw) < 4:
        return f"<{len(raw)} bytes>"
    return f"{INS_NAMES.get(raw[1], f'INS {raw[1]:02X}')} {raw[2]:02X}{raw[3]:02X}"
