"""世帯員の並び順 (the order of a household's members on a 世帯連記式 certificate), standard-spec j1010.

第1順位  1-1 世帯主, 1-2 配偶者 (妻・夫・未届), 1-3 世帯主の子 (birth date, then 宛名番号) — except
         a child whose own family lives in the household: that child goes to
第2順位  one family after another, ordered by the child's birth date: the child, the child's
         spouse, the child's children by birth date (a grandchild with a family of their own is
         followed at once by that family, in the same pattern);
第3順位  3-1 父母 (the 筆頭者 first, else birth date), 3-2 兄弟姉妹 (birth date), 3-3 祖父母 (筆頭者
         first, else birth date);
第4順位  4-1 親族: the spouse's 父母, 兄弟姉妹, 祖父母 ordered like rank 3, then any other relative
         by birth date; then the families of relatives (a 兄 with his wife, an 妻の兄 with his
         children…) in the rank-2 pattern, ordered by the head's generation, birth date, 宛名番号;
         4-2 縁故者 (and then their families); 4-3 同居人 — each by birth date.
Every tie is broken by 宛名番号 (resident_id), so the order never depends on the input order.

Relationships are read as chains (domain.relationships): the j110 forms records carry (子の子,
父の父, 妻の父 …) and the old spellings records loaded from elsewhere may still carry (孫, 祖父,
叔父 …) rank alike — 子の子 and 孫 are both 第2順位, 父の父 and 祖父 both 3-3 祖父母.

Who belongs to whose family comes from `Resident.related_to` (the member through whom a 子の妻 or a
子の子 belongs). When it is empty, a member is attached to the one member their relationship points
at (「子の子」 → the 子) if exactly one such member already has an explicit family, or else if
exactly one such member exists; otherwise they stand alone at the end of their rank.

A clerk may set the order by hand (`Household.member_order`); j1010: 「転入等により既設の世帯に入る
者については、末尾に順次記載」 — members not in the explicit order follow it, in computed order.
"""
from __future__ import annotations

from typing import Iterable

from domain.relationships import (
    CONNECTION,
    LODGER,
    PARENT_TERMS,
    SIBLING_TERMS,
    SPOUSE_TERMS,
    Kinship,
    parse_relationship,
)
from domain.residents import Resident

# (rank, sub-rank) of each relationship on its own, before families are formed.
_UNKNOWN_RANK = (5, 0)


def relationship_rank(relationship: str) -> tuple[int, int]:
    """Where a relationship stands in j1010 on its own: (1, 1) 世帯主 … (4, 6) 同居人.

    A 子 is (1, 3) here; `order_members` moves a child with a family to rank 2. Relationships the
    register does not accept sort last, as (5, 0).
    """
    kinship = parse_relationship(relationship)
    if kinship is None:
        return _UNKNOWN_RANK
    return _kinship_rank(kinship)


def _kinship_rank(k: Kinship) -> tuple[int, int]:
    if k.is_householder:
        return (1, 1)
    if k.category == "connection":
        return (4, 5)
    if k.category == "lodger":
        return (4, 6)
    if k.is_spouse:
        return (1, 2)
    if k.is_child:
        return (1, 3)
    if k.is_descendant_family:
        return (2, len(k.path))
    if k.is_parent:
        return (3, 1)
    if k.is_sibling:
        return (3, 2)
    if k.is_grandparent:
        return (3, 3)
    return (4, _relative_subrank(k))


def _relative_subrank(k: Kinship) -> int:
    """4-1 親族: the spouse's parents (1), siblings (2), grandparents (3) in the rank-3 pattern; others (4)."""
    if len(k.path) >= 2 and k.path[0] in SPOUSE_TERMS:
        rest = k.path[1:]
        if len(rest) == 1 and rest[0] in PARENT_TERMS:
            return 1
        if len(rest) == 1 and rest[0] in SIBLING_TERMS:
            return 2
        if len(rest) == 2 and all(t in PARENT_TERMS for t in rest):
            return 3
    return 4


def _birth_key(r: Resident) -> tuple:
    """Birth date order; unknown parts sort after known ones, deterministically."""
    try:
        return (0, r.birth_date.sort_key())
    except (AttributeError, TypeError):
        return (1,)


def _person_key(r: Resident) -> tuple:
    return (_birth_key(r), r.resident_id)


def _plain(name: str) -> str:
    return "".join(name.split())


class _Household:
    """The members of one household read for ordering: kinships, families, 筆頭者."""

    def __init__(self, members: list[Resident]):
        self.members = sorted(members, key=lambda r: r.resident_id)
        self.by_id = {r.resident_id: r for r in self.members}
        self.kin: dict[str, Kinship | None] = {
            r.resident_id: parse_relationship(r.relationship) for r in self.members
        }
        self.householders = sorted(
            (r for r in self.members if self._is(r, "householder")), key=_person_key
        )
        self.spouses = sorted((r for r in self.members if self._k(r) and self._k(r).is_spouse), key=_person_key)
        self.parent_of: dict[str, str] = {}  # member → the family head they belong to
        self._form_families()
        self.family: dict[str, list[str]] = {}
        for member, head in self.parent_of.items():
            self.family.setdefault(head, []).append(member)

    # reading relationships
    def _k(self, r: Resident) -> Kinship | None:
        return self.kin[r.resident_id]

    def _is(self, r: Resident, category: str) -> bool:
        k = self._k(r)
        return k is not None and k.category == category

    def _may_head(self, r: Resident) -> bool:
        """Whose family can stand as a block: a child, a descendant, a sibling, a relative, a 縁故者."""
        k = self._k(r)
        if k is None:
            return False
        if k.category == "connection":
            return True
        if k.category != "kin" or k.is_spouse or k.is_parent or k.is_grandparent:
            return False
        return True

    def _may_join(self, r: Resident) -> bool:
        """Who can belong to someone else's family: a 子の妻/子の子…, a relative, a 縁故者."""
        k = self._k(r)
        if k is None:
            return False
        if k.category == "connection":
            return True
        if k.category != "kin":
            return False
        if k.is_descendant_family:
            return True
        rank = _kinship_rank(k)
        return rank[0] == 4 and k.last in SPOUSE_TERMS + ("子",)

    def _compatible(self, member: Resident, head: Resident) -> bool:
        mk, hk = self._k(member), self._k(head)
        assert mk is not None and hk is not None
        if mk.is_descendant_family:
            return hk.is_child or hk.is_descendant_family
        return not (hk.is_child or hk.is_descendant_family)

    def _is_spouse_role(self, r: Resident) -> bool:
        k = self._k(r)
        return k is not None and k.category == "kin" and not k.is_spouse and k.last in SPOUSE_TERMS

    # families
    def _form_families(self) -> None:
        joiners = [r for r in self.members if self._may_join(r)]
        explicit: dict[str, str] = {}
        for r in joiners:
            head = self.by_id.get(r.related_to)
            if head is not None and head is not r and self._may_head(head) and self._compatible(r, head):
                explicit[r.resident_id] = head.resident_id
        with_family = set(explicit.values())
        target = dict(explicit)
        for r in joiners:
            if r.resident_id in target:
                continue
            k = self._k(r)
            assert k is not None
            if k.category != "kin" or len(k.path) < 2:
                continue
            candidates = [
                c
                for c in self.members
                if c is not r
                and self._may_head(c)
                and self._k(c).category == "kin"  # type: ignore[union-attr]
                and self._k(c).path == k.path[:-1]  # type: ignore[union-attr]
            ]
            having = [c for c in candidates if c.resident_id in with_family]
            if len(having) == 1:
                target[r.resident_id] = having[0].resident_id
            elif not having and len(candidates) == 1:
                target[r.resident_id] = candidates[0].resident_id
        # a child of a family belongs to its head, not to the head's spouse (子の子 → 子, not 子の妻)
        for member_id, head_id in list(target.items()):
            head = self.by_id[head_id]
            if not self._is_spouse_role(self.by_id[member_id]) and self._is_spouse_role(head):
                grand = target.get(head_id)
                if grand is not None and grand != member_id:
                    target[member_id] = grand
        # attach in 宛名番号 order, refusing any link that would make a loop
        for member_id in sorted(target):
            head_id = target[member_id]
            seen = {member_id}
            walk = head_id
            loop = False
            while walk is not None:
                if walk in seen:
                    loop = True
                    break
                seen.add(walk)
                walk = self.parent_of.get(walk)
            if not loop:
                self.parent_of[member_id] = head_id

    def has_family(self, r: Resident) -> bool:
        return r.resident_id in self.family

    def block(self, head: Resident) -> list[Resident]:
        """A family in the rank-2 pattern: the head, their spouse(s), then their children by birth
        date, each child followed by their own family."""
        members = [self.by_id[m] for m in self.family.get(head.resident_id, [])]
        spouses = sorted((m for m in members if self._is_spouse_role(m)), key=_person_key)
        others = sorted((m for m in members if not self._is_spouse_role(m)), key=_person_key)
        out = [head]
        for s in spouses:
            out.extend(self.block(s) if self.has_family(s) else [s])
        for o in others:
            out.extend(self.block(o))
        return out

    def is_domicile_head(self, r: Resident, reference: Iterable[Resident]) -> bool:
        """筆頭者: named as 筆頭者 by the reference persons, or the 筆頭者 of their own 戸籍."""
        name = _plain(r.name.full)
        if not name:
            return False
        if _plain(r.domicile_head) == name:
            return True
        return any(_plain(p.domicile_head) == name for p in reference)

    def ordered(self) -> list[Resident]:
        top = [r for r in self.members if r.resident_id not in self.parent_of]
        rank = {r.resident_id: self._rank(r) for r in self.members}

        def pick(pred) -> list[Resident]:
            return sorted((r for r in top if pred(r)), key=_person_key)

        def head_first(people: list[Resident], reference: list[Resident]) -> list[Resident]:
            return sorted(
                people, key=lambda r: (not self.is_domicile_head(r, reference), _person_key(r))
            )

        out: list[Resident] = []
        # 第1順位
        out += pick(lambda r: rank[r.resident_id] == (1, 1))
        out += pick(lambda r: rank[r.resident_id] == (1, 2))
        out += pick(lambda r: rank[r.resident_id] == (1, 3) and not self.has_family(r))
        # 第2順位
        for child in pick(lambda r: rank[r.resident_id] == (1, 3) and self.has_family(r)):
            out += self.block(child)
        loose = [r for r in top if rank[r.resident_id][0] == 2]
        for r in sorted(loose, key=lambda r: (rank[r.resident_id][1], _person_key(r))):
            out += self.block(r)
        # 第3順位 (a sibling with a family of their own moves to rank 4 with that family)
        out += head_first(pick(lambda r: rank[r.resident_id] == (3, 1)), self.householders)
        out += pick(lambda r: rank[r.resident_id] == (3, 2) and not self.has_family(r))
        out += head_first(pick(lambda r: rank[r.resident_id] == (3, 3)), self.householders)
        # 第4順位 4-1 親族
        for sub in (1, 2, 3, 4):
            people = pick(lambda r: rank[r.resident_id] == (4, sub) and not self.has_family(r))
            out += head_first(people, self.spouses) if sub in (1, 3) else people
        kin_heads = [
            r
            for r in top
            if self.has_family(r) and (rank[r.resident_id] == (3, 2) or rank[r.resident_id][0] == 4)
            and self._is(r, "kin")
        ]
        for head in sorted(kin_heads, key=lambda r: (-self._k(r).generation, _person_key(r))):  # type: ignore[union-attr]
            out += self.block(head)
        # 4-2 縁故者, 4-3 同居人
        out += pick(lambda r: self._is(r, "connection") and not self.has_family(r))
        for head in pick(lambda r: self._is(r, "connection") and self.has_family(r)):
            out += self.block(head)
        out += pick(lambda r: self._is(r, "lodger"))
        # relationships the register does not accept: last, still deterministic
        out += pick(lambda r: self._k(r) is None)
        placed = {id(r) for r in out}
        out += sorted((r for r in self.members if id(r) not in placed), key=_person_key)  # never lose anyone
        return out

    def _rank(self, r: Resident) -> tuple[int, int]:
        k = self._k(r)
        return _UNKNOWN_RANK if k is None else _kinship_rank(k)


def order_members(members: list[Resident], explicit: tuple[str, ...] = ()) -> list[Resident]:
    """The members of one household in j1010 order (世帯連記式).

    `explicit` is a clerk-set order (`Household.member_order`): the members it lists keep that
    order; everyone else follows at the end, in computed order.
    """
    computed = _Household(list(members)).ordered()
    if not explicit:
        return computed
    position: dict[str, int] = {}
    for i, rid in enumerate(explicit):
        position.setdefault(rid, i)
    listed = sorted((r for r in computed if r.resident_id in position), key=lambda r: position[r.resident_id])
    rest = [r for r in computed if r.resident_id not in position]
    return listed + rest


__all__ = ["order_members", "relationship_rank", "CONNECTION", "LODGER"]
