"""異体字 (kanji variant) groups used by the name and address search.

The table lives in ``resources/kanji_variants.tsv``: one group per line, the
representative first and its variants after it, tab-separated, ``#`` for
comment lines. It is read once per process.

Public API:

* :func:`representative_map` -- ``dict`` of every listed character (variants
  and representatives alike) to its group's representative.
* :func:`representative` -- the representative of one character (the
  character itself when it is in no group).
* :func:`variants_of` -- every character that a search for ``char`` also
  finds: the group members plus the CJK compatibility ideographs that NFKC
  folds onto one of them (塚 U+FA10 for 塚). Meant for showing the clerk
  「検索対象文字」.
* :func:`groups` -- the groups themselves, as read.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from pathlib import Path

TABLE_PATH = Path(__file__).resolve().parent.parent / "resources" / "kanji_variants.tsv"

# CJK Compatibility Ideographs and their supplement: the blocks whose
# characters NFKC may fold onto a unified ideograph.
_COMPAT_RANGES = ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_variation_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def parse_table(text: str, source: str = "<table>") -> tuple[tuple[str, ...], ...]:
    """Parse the TSV text into groups, validating it.

    Raises ``ValueError`` on a field that is not exactly one code point, a
    variation selector, a character that NFKC would change (it could never be
    matched, since keys are NFKC-normalized first), or a character listed twice.
    """
    result: list[tuple[str, ...]] = []
    where: dict[str, int] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t") if f.strip()]
        if len(fields) < 2:
            raise ValueError(f"{source}:{lineno}: a group needs a representative and at least one variant")
        for ch in fields:
            if len(ch) != 1:
                raise ValueError(f"{source}:{lineno}: field {ch!r} is not exactly one character")
            if _is_variation_selector(ch):
                raise ValueError(f"{source}:{lineno}: variation selector U+{ord(ch):04X} in table")
            if unicodedata.normalize("NFKC", ch) != ch:
                raise ValueError(
                    f"{source}:{lineno}: U+{ord(ch):04X} is changed by NFKC; list its NFKC form instead"
                )
            if ch in where:
                raise ValueError(
                    f"{source}:{lineno}: {ch} (U+{ord(ch):04X}) already appears on line {where[ch]}"
                )
            where[ch] = lineno
        result.append(tuple(fields))
    return tuple(result)


@functools.cache
def groups() -> tuple[tuple[str, ...], ...]:
    """The variant groups of the bundled table, representative first."""
    return parse_table(TABLE_PATH.read_text(encoding="utf-8"), source=str(TABLE_PATH))


@functools.cache
def representative_map() -> Mapping[str, str]:
    """Every listed character (representatives included) -> its representative."""
    mapping: dict[str, str] = {}
    for group in groups():
        rep = group[0]
        for ch in group:
            mapping[ch] = rep
    return mapping


def representative(char: str) -> str:
    """The representative of ``char``'s group (NFKC applied first); ``char`` if unlisted."""
    folded = unicodedata.normalize("NFKC", char)
    return representative_map().get(folded, folded)


@functools.cache
def _members_by_representative() -> Mapping[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for group in groups():
        members[group[0]] = set(group)
    # Compatibility ideographs that NFKC folds onto a listed or unlisted character.
    for lo, hi in _COMPAT_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            folded = unicodedata.normalize("NFKC", ch)
            if folded == ch or len(folded) != 1:
                continue
            rep = representative_map().get(folded, folded)
            members.setdefault(rep, {rep}).add(ch)
    return {rep: frozenset(chars) for rep, chars in members.items()}


def variants_of(char: str) -> frozenset[str]:
    """All characters a search for ``char`` also matches (including ``char``).

    ``variants_of("辺")`` -> {辺, 邊, 邉, 边, 𨘢}; ``variants_of("塚")`` -> {塚, 塚 (U+FA10)}.
    A character in no group gives just itself (and its NFKC form if different).
    """
    if len(char) != 1:
        raise ValueError(f"variants_of() takes one character, got {char!r}")
    rep = representative(char)
    found = _members_by_representative().get(rep, frozenset({rep}))
    return found | {char}
