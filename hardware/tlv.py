"""A strict BER-TLV parser for what a card returns (ISO/IEC 7816-4 §5.2, X.690 tag and length).

The card is outside our control: every length is checked against the bytes that are really
there, and anything that does not add up raises `TlvError` (an English reason for the log; the
reader turns it into a Japanese message). Nothing here indexes past the end of its input.

    items = parse(data, padding=True)       # a sequence of TLVs; trailing FF/00 filler allowed
    outer = one(items, 0xFF20)              # the one TLV with that tag (TlvError if 0 or 2+)

Tags are kept as integers of their encoded bytes (FF 20 → 0xFF20, DF 22 → 0xDF22). Constructed
TLVs are parsed on demand with `children()`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

MAX_TAG_BYTES = 3
MAX_LENGTH_BYTES = 3  # 82 xx xx / 83 xx xx xx: no card file is larger than 16 MiB
FILLER = (0x00, 0xFF)  # ISO 7816-4: 00 or FF before, between or after TLVs carry nothing


class TlvError(ValueError):
    """The bytes are not the TLV they claim to be (truncated, wrong length, bad tag)."""


class TlvTruncated(TlvError):
    """The bytes end inside a TLV (more would be needed)."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes
    offset: int  # where the TLV started in the parsed bytes (for messages)
    value_offset: int = 0

    @property
    def constructed(self) -> bool:
        first = self.tag.to_bytes(tag_length(self.tag), "big")[0]
        return bool(first & 0x20)

    def children(self) -> list["Tlv"]:
        if not self.constructed:
            raise TlvError(f"tag {self.tag:X} at offset {self.offset} is primitive, not constructed")
        return parse(self.value, base=self.value_offset)

    def __repr__(self) -> str:
        return f"Tlv({self.tag:X}, {len(self.value)} bytes @ {self.offset})"


def tag_length(tag: int) -> int:
    return max(1, (tag.bit_length() + 7) // 8)


def _read_tag(data: bytes, i: int, base: int) -> tuple[int, int]:
    start = i
    first = data[i]
    i += 1
    tag = first
    if first & 0x1F == 0x1F:  # the tag number continues in the following bytes
        while True:
            if i >= len(data):
                raise TlvTruncated(f"tag at offset {base + start} is cut off")
            b = data[i]
            i += 1
            tag = (tag << 8) | b
            if i - start > MAX_TAG_BYTES:
                raise TlvError(f"tag at offset {base + start} is longer than {MAX_TAG_BYTES} bytes")
            if not b & 0x80:
                break
    return tag, i


def _read_length(data: bytes, i: int, base: int) -> tuple[int, int]:
    if i >= len(data):
        raise TlvTruncated(f"length at offset {base + i} is missing")
    first = data[i]
    i += 1
    if first < 0x80:
        return first, i
    count = first & 0x7F
    if count == 0:
        raise TlvError(f"indefinite length at offset {base + i - 1} is not allowed")
    if count > MAX_LENGTH_BYTES:
        raise TlvError(f"length at offset {base + i - 1} has {count} bytes")
    if i + count > len(data):
        raise TlvTruncated(f"length at offset {base + i - 1} is cut off")
    return int.from_bytes(data[i:i + count], "big"), i + count


def parse(data: bytes, *, padding: bool = False, base: int = 0) -> list[Tlv]:
    """Every TLV in `data`, in order. With `padding`, 00 bytes between TLVs and filler (00/FF)
    after the last one are skipped (a card file is often longer than its content; FF cannot be
    skipped in front of a TLV, it starts the card's private tags FF10 and FF20)."""
    data = bytes(data)
    out: list[Tlv] = []
    i = 0
    while i < len(data):
        if padding and (data[i] == 0x00 or all(b in FILLER for b in data[i:])):
            if data[i] != 0x00:
                break
            i += 1
            continue
        start = i
        tag, i = _read_tag(data, i, base)
        length, i = _read_length(data, i, base)
        if i + length > len(data):
            raise TlvTruncated(f"tag {tag:X} at offset {base + start} says {length} bytes, only {len(data) - i} follow")
        out.append(Tlv(tag, data[i:i + length], base + start, base + i))
        i += length
    return out


def one(items: Iterable[Tlv], tag: int, *, required: bool = True) -> Tlv | None:
    """The single TLV with `tag`; TlvError when it is missing (if required) or repeated."""
    found = [t for t in items if t.tag == tag]
    if len(found) > 1:
        raise TlvError(f"tag {tag:X} appears {len(found)} times")
    if not found:
        if required:
            raise TlvError(f"tag {tag:X} is missing")
        return None
    return found[0]


def header_length(data: bytes) -> int | None:
    """The full size (tag + length + value) of the TLV that starts `data`, once enough of its
    header is there; None while more bytes are needed to tell. TlvError when it cannot be a TLV.
    For reading a file of unknown size: read a few bytes, then exactly the rest."""
    data = bytes(data)
    if not data:
        return None
    try:
        _tag, i = _read_tag(data, 0, 0)
        length, j = _read_length(data, i, 0)
    except TlvTruncated:
        return None
    return j + length


def encode(tag: int, value: bytes) -> bytes:
    """One TLV (minimal length encoding) — for the virtual card and tests."""
    n = len(value)
    if n < 0x80:
        length = bytes((n,))
    elif n < 0x100:
        length = bytes((0x81, n))
    elif n < 0x10000:
        length = bytes((0x82,)) + n.to_bytes(2, "big")
    else:
        length = bytes((0x83,)) + n.to_bytes(3, "big")
    return tag.to_bytes(tag_length(tag), "big") + length + bytes(value)
