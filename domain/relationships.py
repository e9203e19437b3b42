"""続柄 (relationship to the householder): the one place that knows which relationships exist.

standard-spec j110 defines the relationships a record holds: 世帯主; the kin terms 夫 妻 子 父 母
兄 姉 弟 妹 (and 夫（未届）/妻（未届）); chains of those joined by 「の」 up to four terms
(「子の子の子の子」, 「妻の父」, 「子の妻の母」); 縁故者; 同居人. Longer chains are written 縁故者.

The project also accepts the everyday words clerks still type and older records carry (孫, 曾孫,
祖父, 祖母, 養父, 養母, 叔父, 伯母, 甥, 姪, 未届の妻 …): each is read as the chain it stands for
(孫 = 子の子, 祖父 = 父の父, 甥 = 兄の子, …), so the j1010 household order and the
four-term limit treat 「孫の妻」 exactly like 「子の子の妻」. j110 itself lists these words
among what a system should *not* manage; `standard_form()` gives the j110 spelling where one
exists, for a migration or a screen that wants to show only standard forms.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from domain.residents import HOUSEHOLDER

CONNECTION = "縁故者"  # 縁故者: kin in fact, relationship not documented, or chain too long
LODGER = "同居人"  # 同居人: lives in the household, not kin

SPOUSE_TERMS = ("妻", "夫")
CHILD_TERM = "子"
PARENT_TERMS = ("父", "母")
SIBLING_TERMS = ("兄", "姉", "弟", "妹")

# j110 ②: each kin term and the generation it moves (+1 = one generation older).
KIN_TERMS: dict[str, int] = {
    "夫": 0,
    "妻": 0,
    "子": -1,
    "父": 1,
    "母": 1,
    "兄": 0,
    "姉": 0,
    "弟": 0,
    "妹": 0,
}

# Everyday words and the j110 chain each stands for. 祖父/祖母 and 叔父/甥… are read through the
# father/elder brother; only the shape of the chain (grandparent, sibling's child…) matters here.
ALIASES: dict[str, tuple[str, ...]] = {
    "孫": ("子", "子"),
    "曾孫": ("子", "子", "子"),
    "曽孫": ("子", "子", "子"),
    "養父": ("父",),
    "養母": ("母",),
    "祖父": ("父", "父"),
    "祖母": ("父", "母"),
    "曾祖父": ("父", "父", "父"),
    "曾祖母": ("父", "父", "母"),
    "伯父": ("父", "兄"),
    "叔父": ("父", "弟"),
    "伯母": ("父", "姉"),
    "叔母": ("父", "妹"),
    "甥": ("兄", "子"),
    "姪": ("兄", "子"),
}

# 未届 (common-law) spouses: the j110 spelling and the everyday one.
UNMARRIED_FORMS: dict[str, str] = {
    "妻（未届）": "妻",
    "夫（未届）": "夫",
    "未届の妻": "妻",
    "未届の夫": "夫",
}

MAX_TERMS = 4  # j110 ③: up to four terms joined by 「の」

# What a picker offers (the usual ones first); any valid chain is accepted besides these.
KNOWN_RELATIONSHIPS: tuple[str, ...] = (
    HOUSEHOLDER,
    "妻",
    "夫",
    "妻（未届）",
    "夫（未届）",
    "未届の妻",
    "未届の夫",
    "子",
    "子の妻",
    "子の夫",
    "孫",
    "孫の妻",
    "孫の夫",
    "曾孫",
    "父",
    "母",
    "養父",
    "養母",
    "兄",
    "姉",
    "弟",
    "妹",
    "祖父",
    "祖母",
    "妻の父",
    "妻の母",
    "夫の父",
    "夫の母",
    "妻の兄",
    "妻の姉",
    "妻の弟",
    "妻の妹",
    "叔父",
    "叔母",
    "伯父",
    "伯母",
    "甥",
    "姪",
    "兄の妻",
    "弟の妻",
    "子の妻の父",
    "子の妻の母",
    CONNECTION,
    LODGER,
)


@dataclass(frozen=True)
class Kinship:
    """A relationship read as a chain of kin terms: 「子の妻」 → ("子", "妻"); 世帯主 → ()."""

    text: str
    path: tuple[str, ...]
    category: str  # "householder" | "kin" | "connection" (縁故者) | "lodger" (同居人)
    unmarried: bool = False  # 未届 somewhere in the chain

    @property
    def generation(self) -> int:
        """Generations above (+) or below (−) the householder: 父 +1, 子 −1, 孫 −2, 兄 0."""
        return sum(KIN_TERMS[t] for t in self.path)

    @property
    def last(self) -> str:
        return self.path[-1] if self.path else ""

    @property
    def is_householder(self) -> bool:
        return self.category == "householder"

    @property
    def is_spouse(self) -> bool:
        """配偶者 of the householder (妻・夫, 未届 included)."""
        return self.category == "kin" and len(self.path) == 1 and self.path[0] in SPOUSE_TERMS

    @property
    def is_child(self) -> bool:
        """世帯主の子."""
        return self.category == "kin" and self.path == (CHILD_TERM,)

    @property
    def is_descendant_family(self) -> bool:
        """A member of a child's family: 子の妻, 孫, 孫の夫, 曾孫… (not 子の妻の母)."""
        if self.category != "kin" or len(self.path) < 2 or self.path[0] != CHILD_TERM:
            return False
        body = self.path[:-1] if self.path[-1] in SPOUSE_TERMS else self.path
        return all(t == CHILD_TERM for t in body)

    @property
    def is_parent(self) -> bool:
        return self.category == "kin" and len(self.path) == 1 and self.path[0] in PARENT_TERMS

    @property
    def is_sibling(self) -> bool:
        return self.category == "kin" and len(self.path) == 1 and self.path[0] in SIBLING_TERMS

    @property
    def is_grandparent(self) -> bool:
        return self.category == "kin" and len(self.path) == 2 and all(t in PARENT_TERMS for t in self.path)


def _segments(text: str) -> list[str] | None:
    """「未届の妻の子」 → ["妻（未届）", "子"]; None when a piece is not a known term."""
    normalized = text.replace("未届の妻", "妻（未届）").replace("未届の夫", "夫（未届）")
    parts = normalized.split("の")
    if any(not p for p in parts):
        return None
    return parts


@lru_cache(maxsize=1024)
def _parse(text: str) -> tuple[Kinship | None, str | None]:
    if text == HOUSEHOLDER:
        return Kinship(text, (), "householder"), None
    if text == CONNECTION:
        return Kinship(text, (), "connection"), None
    if text == LODGER:
        return Kinship(text, (), "lodger"), None
    parts = _segments(text)
    if parts is None:
        return None, f"続柄「{text}」は使用できません"
    path: list[str] = []
    unmarried = False
    for part in parts:
        if part in KIN_TERMS:
            path.append(part)
        elif part in UNMARRIED_FORMS:
            path.append(UNMARRIED_FORMS[part])
            unmarried = True
        elif part in ALIASES:
            path.extend(ALIASES[part])
        elif part == HOUSEHOLDER:
            return None, f"続柄「{text}」は使用できません（世帯主からみた続柄を入力してください）"
        else:
            return None, f"続柄「{text}」は使用できません"
    for a, b in zip(path, path[1:]):
        if a in SPOUSE_TERMS and b in SPOUSE_TERMS:
            return None, f"続柄「{text}」は使用できません（配偶者の配偶者は続柄になりません）"
        if a in SIBLING_TERMS and b in SIBLING_TERMS:
            return None, f"続柄「{text}」は使用できません（兄弟姉妹の兄弟姉妹は兄弟姉妹としてください）"
    if len(path) > MAX_TERMS:
        return None, f"続柄「{text}」は5世代以上になるため、「{CONNECTION}」としてください"
    return Kinship(text, tuple(path), "kin", unmarried), None


def parse_relationship(text: str) -> Kinship | None:
    """The chain a relationship stands for, or None when it is not one the register accepts."""
    return _parse(text.strip())[0] if isinstance(text, str) else None


def relationship_problem(text: str, label: str = "続柄") -> str | None:
    """A Japanese message naming the field when `text` is not an accepted relationship, else None."""
    if not isinstance(text, str) or not text.strip():
        return f"{label}を入力してください"
    message = _parse(text.strip())[1]
    if message is None:
        return None
    return message.replace("続柄", label, 1) if label != "続柄" else message


def is_valid_relationship(text: str) -> bool:
    return parse_relationship(text) is not None


def standard_form(text: str) -> str:
    """The j110 spelling of a relationship: 孫 → 子の子, 未届の妻 → 妻（未届）; unchanged when it has none.

    祖父/叔父/甥… have no single j110 spelling (父の父 or 母の父?) and are returned unchanged.
    """
    kinship = parse_relationship(text)
    if kinship is None or kinship.category != "kin":
        return text
    parts = _segments(text.strip()) or []
    out: list[str] = []
    for part in parts:
        if part in ("祖父", "祖母", "曾祖父", "曾祖母", "伯父", "叔父", "伯母", "叔母", "甥", "姪"):
            return text
        if part in ALIASES:
            out.extend(ALIASES[part])
        else:
            out.append(part)
    return "の".join(out)
