"""Household rules every notification shares: who is 世帯主 where, and what happens to a household
whose 世帯主 leaves (j490 世帯主不在となる場合の処理).
"""
from __future__ import annotations

from typing import Iterable, Mapping

from domain.errors import Problems
from domain.register import RegisterView
from domain.relationships import relationship_problem, standard_form
from domain.residents import HOUSEHOLDER, Household, Resident


def relationship_field(field: str, rid: str) -> str:
    return f"{field}[{rid}]"


def as_recorded(relationship: object) -> object:
    """The j110 spelling a record carries (孫 → 子の子, 未届の妻 → 妻（未届）); unchanged when there is
    no single one (an old record's 祖父 — input refuses those) or it is no relationship at all."""
    if not isinstance(relationship, str):
        return relationship
    return standard_form(relationship) or relationship


def check_relationship(problems: Problems, value: object, field: str, rid: str = "") -> bool:
    label = f"続柄（宛名番号{rid}）" if rid else "続柄"
    message = relationship_problem(value if isinstance(value, str) else "", label)
    if message:
        problems.add(field, message)
        return False
    return True


def destination_householders(
    problems: Problems,
    *,
    joining: bool,
    relationships: Mapping[str, str],
    fields: Mapping[str, str],
    existing: Iterable[Resident] = (),
    field: str,
) -> None:
    """Every resulting household has exactly one 世帯主 (j470).

    New household (`joining` False): exactly one of the people is 世帯主. Joining an existing
    household: none of them is, unless that household has no 世帯主 (j100 allows it), when one may be.
    `relationships` are the people's relationships in the destination, `fields` their field names.
    """
    heads = [rid for rid, rel in relationships.items() if as_recorded(rel) == HOUSEHOLDER]
    if not joining:
        if not heads:
            problems.add(field, "新しい世帯の世帯主を1人指定してください（続柄「世帯主」）")
        for rid in heads[1:]:
            problems.add(fields[rid], "世帯主は1人だけです（続柄「世帯主」が複数あります）")
        return
    has_head = any(m.is_householder for m in existing)
    allowed = 0 if has_head else 1
    for rid in heads[allowed:]:
        problems.add(fields[rid], "入る世帯には既に世帯主がいるため、続柄を「世帯主」にできません（世帯主変更届で変更してください）")


def new_relationships(
    problems: Problems,
    members: list[Resident],
    new_householder_id: str,
    relationships: Mapping[str, str],
    *,
    require_all: bool,
    field_new: str,
    field_rel: str,
) -> dict[str, str] | None:
    """Each member's relationship once `new_householder_id` is 世帯主 (j730).

    `require_all`: every other member's relationship must be given (世帯主変更); otherwise a member
    not given keeps theirs, except a former 世帯主, whose new relationship is always required.
    """
    ids = {m.resident_id for m in members}
    if new_householder_id not in ids:
        problems.add(field_new, f"新しい世帯主（宛名番号{new_householder_id}）はこの世帯の世帯員から選んでください")
        return None
    result: dict[str, str] = {}
    ok = True
    for m in members:
        rid = m.resident_id
        given = relationships.get(rid)
        field = relationship_field(field_rel, rid)
        if rid == new_householder_id:
            if given is not None and as_recorded(given) != HOUSEHOLDER:
                problems.add(field, "新しい世帯主の続柄は「世帯主」です")
                ok = False
            result[rid] = HOUSEHOLDER
            continue
        if given is None:
            if require_all or m.is_householder:
                problems.add(field, f"続柄（宛名番号{rid}）を入力してください（新しい世帯主からみた続柄）")
                ok = False
            else:
                result[rid] = as_recorded(m.relationship)
            continue
        if not check_relationship(problems, given, field, rid):
            ok = False
        elif as_recorded(given) == HOUSEHOLDER:
            problems.add(field, f"続柄（宛名番号{rid}）を「世帯主」にできません（世帯主は新しい世帯主1人です）")
            ok = False
        result[rid] = as_recorded(given)
    return result if ok else None


def after_householder_leaves(
    problems: Problems,
    register: RegisterView,
    household_id: str,
    leaving: set[str],
    new_householder_id: str,
    relationships: Mapping[str, str],
    *,
    field_new: str = "new_householder_id",
    field_rel: str = "relationships",
) -> tuple[list[tuple[Resident, Resident]], Household | None, str]:
    """What the members who stay get when others leave a household (転出・死亡・転居・世帯変更).

    j490: when the 世帯主 leaves and one member stays, that member becomes 世帯主 (職権); when two
    or more stay, `new_householder_id` (one of them) is required. Everyone who stays gets a new
    version then, since the 世帯主 on each record changes. Returns the (before, after) pairs, the
    household record when its clerk-set order changes (those who leave drop out of it, a new 世帯主
    moves to its front), and a note for the Change.
    """
    members = register.household_members(household_id)
    staying = sorted((m for m in members if m.resident_id not in leaving), key=lambda m: m.resident_id)
    staying_ids = {m.resident_id for m in staying}
    head_leaves = any(m.is_householder for m in members if m.resident_id in leaving)
    for rid in relationships:
        if rid not in staying_ids:
            problems.add(relationship_field(field_rel, rid), f"宛名番号{rid}はこの世帯に残る世帯員ではありません")
    stray = [rid for rid in relationships if rid in staying_ids]
    if not head_leaves or not staying:
        if new_householder_id:
            problems.add(field_new, "世帯主はこの世帯に残るため、新しい世帯主は指定できません")
        for rid in stray:
            problems.add(relationship_field(field_rel, rid), f"世帯主が変わらないため、続柄（宛名番号{rid}）は変更できません")
        return [], kept_order(register, household_id, staying_ids), ""
    if not new_householder_id:
        if len(staying) == 1:
            new_householder_id = staying[0].resident_id
        else:
            problems.add(field_new, "世帯主が世帯からいなくなり2人以上が残るため、新しい世帯主を指定してください")
            return [], None, ""
    rels = new_relationships(
        problems, staying, new_householder_id, relationships, require_all=False, field_new=field_new, field_rel=field_rel
    )
    if rels is None:
        return [], None, ""
    updates = [(m, m.evolve(relationship=rels[m.resident_id])) for m in staying]
    new_head = next(m for m in staying if m.resident_id == new_householder_id)
    note = f"世帯主不在により{new_head.name.full}（宛名番号{new_householder_id}）を世帯主とした"
    return updates, kept_order(register, household_id, staying_ids, new_householder_id), note


def kept_order(register: RegisterView, household_id: str, staying: set[str], head_id: str = "") -> Household | None:
    """The household record once only `staying` remain and `head_id` (when given) is 世帯主: a
    clerk-set order (j1010) without those who left, the 世帯主 moved to its front. None when the
    household has no clerk-set order, nobody stays, or the order does not change."""
    household = register.household(household_id)
    if household is None or not household.member_order or not staying:
        return None
    order = tuple(rid for rid in household.member_order if rid in staying)
    if head_id:
        order = (head_id,) + tuple(rid for rid in order if rid != head_id)
    if order == household.member_order:
        return None
    return Household(household_id, order)


def related_to_member(problems: Problems, related_to: str, own_id: str, allowed: set[str], field: str) -> None:
    """`related_to` (the member through whom someone belongs to a family, j1010) must be another
    member of the same household."""
    if related_to == own_id or related_to not in allowed:
        problems.add(field, f"続柄の基準となる世帯員（宛名番号{related_to}）が同じ世帯にいません")


def mover_relationships(
    problems: Problems,
    movers: list[Resident],
    relationships: Mapping[str, str],
    *,
    joining: bool,
    joined: list[Resident],
    field: str = "relationships",
) -> dict[str, str]:
    """Each mover's relationship in the household they form or join (j470), checked so that the
    household ends up with one 世帯主. A single person forming a new household heads it unasked;
    when the 世帯主 is among those forming it, the others keep their relationships unless given."""
    destination: dict[str, str] = {}
    whose = "入る世帯の世帯主" if joining else "新しい世帯の世帯主"
    with_head = any(r.is_householder for r in movers)
    for r in movers:
        rid = r.resident_id
        f = relationship_field(field, rid)
        if rid not in relationships:
            if not joining and len(movers) == 1:
                destination[rid] = HOUSEHOLDER
            elif not joining and with_head:
                destination[rid] = r.relationship  # the 世帯主 goes with them: relationships still hold
            else:
                problems.add(f, f"続柄（宛名番号{rid}）を入力してください（{whose}からみた続柄）")
        elif check_relationship(problems, relationships[rid], f, rid):
            destination[rid] = as_recorded(relationships[rid])
    if movers and len(destination) == len(movers):
        destination_householders(
            problems,
            joining=joining,
            relationships=destination,
            fields={rid: relationship_field(field, rid) for rid in destination},
            existing=joined,
            field=field,
        )
    return destination
