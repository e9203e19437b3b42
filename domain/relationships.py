"""続柄 (relationship to the householder): the one place that knows which relationships exist.

standard-spec j110 defines the only relationships a record holds: 世帯主; the kin terms 夫 妻
夫（未届） 妻（未届） 子 父 母 兄 姉 弟 妹; chains of those joined by 「の」 up to four terms
(「子の子の子の子」, 「妻の父」, 「子の妻の母」); 縁故者; 同居人. A chain that needs five or more
terms is written 縁故者. Everything else — 祖父, 祖母, 孫, 甥, 姪, おじ, おば, 家事使用人 … — is
among what j110 says a system must *not* manage.

Three readings, for three uses:

- `relationship_problem` / `is_valid_relationship` — what a clerk may type. The j110 forms, and the
  everyday words that stand for exactly one j110 form (孫 = 子の子, 曾孫 = 子の子の子, 養父 = 父,
  未届の妻 = 妻（未届）…). A word that stands for several (祖父 = 父の父 or 母の父, 叔父 = 父の弟 or
  母の弟, 甥 = 兄の子, 姉の子…) is refused with a message naming the j110 forms to choose from.
- `standard_form` — the j110 spelling a record carries: 孫 → 子の子, 未届の妻 → 妻（未届）; None
  when there is no single one (祖父). `standard_choices` lists the candidates (for a picker).
  Every record a notification produces carries this form — except an old record's 祖父/甥… that the
  notification carries over without the clerk giving it anew (there is no single form to write;
  a 職権修正 of 続柄 fixes it), and the records a cancellation restores exactly.
- `parse_relationship` — reading a record, including old spellings loaded from elsewhere (祖父,
  甥, 叔父…, read through their first candidate: only the chain's shape matters for the j1010
  household order and the four-term limit).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

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

# 未届 (common-law) spouses, a j110 term of their own: the spelling and the kin term it reads as.
UNMARRIED_TERMS: dict[str, str] = {"妻（未届）": "妻", "夫（未届）": "夫"}
# The everyday spellings of those (normalized before a chain is split at 「の」).
UNMARRIED_SPELLINGS: dict[str, str] = {
    "未届の妻": "妻（未届）",
    "未届の夫": "夫（未届）",
    "妻(未届)": "妻（未届）",
    "夫(未届)": "夫（未届）",
}

MAX_TERMS = 4  # j110 ③: up to four terms joined by 「の」

# Everyday words accepted at input that stand for exactly one j110 chain.
ALIASES: dict[str, tuple[str, ...]] = {
    "孫": ("子", "子"),
    "曾孫": ("子", "子", "子"),
    "曽孫": ("子", "子", "子"),
    "玄孫": ("子", "子", "子", "子"),
    "養子": ("子",),
    "養父": ("父",),
    "養母": ("母",),
}


def _either(*chains: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(c.split("の")) for c in chains)


_GREAT_GRANDFATHER = _either("父の父の父", "父の母の父", "母の父の父", "母の母の父")
_GREAT_GRANDMOTHER = _either("父の父の母", "父の母の母", "母の父の母", "母の母の母")
_NEPHEW_NIECE = _either("兄の子", "姉の子", "弟の子", "妹の子")

# Everyday words that stand for more than one j110 chain: refused at input (the clerk picks one),
# still read on records loaded from elsewhere (through the first chain; all share its shape).
AMBIGUOUS: dict[str, tuple[tuple[str, ...], ...]] = {
    "祖父": _either("父の父", "母の父"),
    "祖母": _either("父の母", "母の母"),
    "曾祖父": _GREAT_GRANDFATHER,
    "曽祖父": _GREAT_GRANDFATHER,
    "曾祖母": _GREAT_GRANDMOTHER,
    "曽祖母": _GREAT_GRANDMOTHER,
    "伯父": _either("父の兄", "母の兄"),
    "叔父": _either("父の弟", "母の弟"),
    "伯母": _either("父の姉", "母の姉"),
    "叔母": _either("父の妹", "母の妹"),
    "おじ": _either("父の兄", "父の弟", "母の兄", "母の弟"),
    "おば": _either("父の姉", "父の妹", "母の姉", "母の妹"),
    "甥": _NEPHEW_NIECE,
    "姪": _NEPHEW_NIECE,
    "おい": _NEPHEW_NIECE,
    "めい": _NEPHEW_NIECE,
}

# What a picker offers: j110 standard forms only, the usual ones first. Any valid chain (and the
# everyday words above) is accepted besides these.
KNOWN_RELATIONSHIPS: tuple[str, ...] = (
    HOUSEHOLDER,
    "妻",
    "夫",
    "妻（未届）",
    "夫（未届）",
    "子",
    "子の妻",
    "子の夫",
    "子の子",
    "父",
    "母",
    "兄",
    "姉",
    "弟",
    "妹",
    "父の父",
    "父の母",
    "母の父",
    "母の母",
    "妻の父",
    "妻の母",
    "夫の父",
    "夫の母",
    "兄の妻",
    "弟の妻",
    "姉の夫",
    "妹の夫",
    "妻の兄",
    "妻の姉",
    "妻の弟",
    "妻の妹",
    "夫の兄",
    "夫の姉",
    "夫の弟",
    "夫の妹",
    "子の子の妻",
    "子の子の夫",
    "子の子の子",
    "兄の子",
    "姉の子",
    "弟の子",
    "妹の子",
    "父の兄",
    "父の姉",
    "父の弟",
    "父の妹",
    "母の兄",
    "母の姉",
    "母の弟",
    "母の妹",
    "子の妻の父",
    "子の妻の母",
    "妻（未届）の子",
    "夫（未届）の子",
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
        """Generations above (+) or below (−) the householder: 父 +1, 子 −1, 子の子 −2, 兄 0."""
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
        """A member of a child's family: 子の妻, 子の子, 子の子の夫, 子の子の子… (not 子の妻の母)."""
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
        """父の父, 父の母, 母の父, 母の母."""
        return self.category == "kin" and len(self.path) == 2 and all(t in PARENT_TERMS for t in self.path)


@dataclass(frozen=True)
class _Reading:
    kinship: Kinship | None  # None: not a relationship the register can read
    choices: tuple[str, ...]  # the j110 spellings it stands for; more than one = ambiguous
    problem: str | None  # why it cannot be typed as it is (None: accepted at input)


def _normalize(text: str) -> str:
    text = "".join(text.split())
    for spelling, standard in UNMARRIED_SPELLINGS.items():
        text = text.replace(spelling, standard)
    return text


def _ask_for(choices: tuple[str, ...], limit: int = 4) -> str:
    """「父の父」又は「母の父」で入力してください; past `limit` choices: 「…」・「…」などのように…."""
    quoted = [f"「{c}」" for c in choices[:limit]]
    if len(choices) > limit:
        return "・".join(quoted) + "などのように、世帯主からみた続柄を「の」でつないで入力してください"
    return "・".join(quoted[:-1]) + "又は" + quoted[-1] + "で入力してください"


@lru_cache(maxsize=2048)
def _read(raw: str) -> _Reading:
    text = _normalize(raw)
    if text in (HOUSEHOLDER, CONNECTION, LODGER):
        category = {HOUSEHOLDER: "householder", CONNECTION: "connection", LODGER: "lodger"}[text]
        return _Reading(Kinship(text, (), category), (text,), None)
    parts = text.split("の")
    if not text or any(not p for p in parts):
        return _Reading(None, (), f"続柄「{raw}」は使用できません")
    # each piece as its alternatives, in j110 pieces (妻（未届） kept as one piece)
    options: list[tuple[tuple[str, ...], ...]] = []
    for part in parts:
        if part in KIN_TERMS or part in UNMARRIED_TERMS:
            options.append(((part,),))
        elif part in ALIASES:
            options.append((ALIASES[part],))
        elif part in AMBIGUOUS:
            options.append(AMBIGUOUS[part])
        elif part == HOUSEHOLDER:
            return _Reading(None, (), f"続柄「{raw}」は使用できません（世帯主からみた続柄を入力してください）")
        else:
            return _Reading(None, (), f"続柄「{raw}」は使用できません")
    pieces = tuple(p for option in options for p in option[0])
    path = tuple(UNMARRIED_TERMS.get(p, p) for p in pieces)
    for a, b in zip(path, path[1:]):
        if a in SPOUSE_TERMS and b in SPOUSE_TERMS:
            return _Reading(None, (), f"続柄「{raw}」は使用できません（配偶者の配偶者は続柄になりません）")
        if a in SIBLING_TERMS and b in SIBLING_TERMS:
            return _Reading(None, (), f"続柄「{raw}」は使用できません（兄弟姉妹の兄弟姉妹は兄弟姉妹としてください）")
    if len(path) > MAX_TERMS:
        return _Reading(
            None,
            (),
            f"続柄「{raw}」は「の」で5つ以上つなぐことになるため記載できません。続柄は「{CONNECTION}」としてください",
        )
    kinship = Kinship(raw, path, "kin", any(p in UNMARRIED_TERMS for p in pieces))
    choices = tuple("の".join(p for chain in combo for p in chain) for combo in product(*options))
    problem = None
    if len(choices) > 1:
        problem = f"続柄「{raw}」は記載できません（{_ask_for(choices)}）"
    return _Reading(kinship, choices, problem)


def parse_relationship(text: str) -> Kinship | None:
    """The chain a relationship stands for, or None when the register cannot read it.

    Reads the j110 forms, the everyday words, and also the ambiguous old spellings (祖父, 甥…) that
    records loaded from elsewhere may carry — not a test of what may be typed (`relationship_problem`).
    """
    return _read(text).kinship if isinstance(text, str) else None


def relationship_problem(text: str, label: str = "続柄") -> str | None:
    """A Japanese message naming the field when `text` may not be typed as a relationship, else None.

    Refused: anything that is not a j110 form or an everyday word for exactly one (家事使用人), an
    everyday word for several (祖父: 「父の父」・「母の父」), and a chain of five or more (縁故者).
    """
    if not isinstance(text, str) or not text.strip():
        return f"{label}を入力してください"
    message = _read(text).problem
    if message is None:
        return None
    return message.replace("続柄", label, 1) if label != "続柄" else message


def is_valid_relationship(text: str) -> bool:
    """Whether `text` is accepted at input (a j110 form or an everyday word for exactly one)."""
    return relationship_problem(text) is None


def standard_choices(text: str) -> tuple[str, ...]:
    """The j110 spellings `text` may stand for: 孫 → (子の子,), 祖父 → (父の父, 母の父); () when none."""
    return _read(text).choices if isinstance(text, str) else ()


def standard_form(text: str) -> str | None:
    """The j110 spelling of a relationship: 孫 → 子の子, 未届の妻 → 妻（未届）, 子の妻 → 子の妻.

    None when there is no single one: 祖父 (父の父 or 母の父?), and text that is no relationship.
    """
    choices = standard_choices(text)
    return choices[0] if len(choices) == 1 else None


def is_standard_relationship(text: str) -> bool:
    """Whether `text` is already spelled the j110 way (what a record should carry)."""
    return isinstance(text, str) and standard_form(text) == text
