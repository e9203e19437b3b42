"""異動の取消し (cancellation of a change, j980/j990): a new change that restores the state before an
earlier one. History is never deleted: the cancelled change and the cancellation both stay, and
every record gets a new version (old version numbers are never reused)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from domain.change_reasons import ChangeReason, ReasonGroup
from domain.errors import Problems
from domain.history import Change
from domain.notifications.common import Notification, make_change, notified_on, same_place, to_record_date
from domain.register import RegisterView
from domain.residents import Household, Removal, Resident, Status

# What a cancellation is, by what the cancelled change did (j980): undoing a record (転入・出生)
# removes → 異動の取消し（減）; undoing a removal (転出・死亡) records → 異動の取消し（増）; undoing an
# amendment → 異動の取消し（修正）. A cancellation of a cancellation follows the same rule.
CANCEL_REASON = {
    ReasonGroup.RECORD: ChangeReason.CANCEL_REMOVE,
    ReasonGroup.REMOVE: ChangeReason.CANCEL_RECORD,
    ReasonGroup.AMEND: ChangeReason.CANCEL_AMEND,
}


@dataclass(frozen=True)
class Cancellation(Notification):
    """異動の取消し of the change `cancels`.

    The change must exist and still be in force (not cancelled already), and no later change of a
    resident it touched may still be in force: cancel newer changes first (a later change that was
    cancelled nets out with its cancellation). Each resident gets back their `before` record exactly
    (an old spelling of 続柄 included); a record the change created becomes a removed record (reason
    異動の取消し（減）). Each household record the change wrote gets back the one it replaced
    (`Change.households_before`: a clerk-set member order comes back exactly); the same rule holds
    there: a household record written again by a later change blocks the cancellation.
    Cancelling a cancellation is allowed under the same rules: it puts the cancelled change back in
    force (which may then be cancelled again). `explanation` (取消しの理由) is required.
    """

    cancels: str
    notified_on: dt.date
    explanation: str = ""

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        notified = notified_on(p, self.notified_on, today)
        if not isinstance(self.explanation, str) or not self.explanation.strip():
            p.add("explanation", "取消しの理由を入力してください")
        target = register.change(self.cancels) if self.cancels else None
        if target is None:
            p.add("cancels", f"取り消す異動（{self.cancels}）が見つかりません")
        else:
            _latest_everywhere(p, register, target)
        p.raise_if_any()

        assert target is not None and notified is not None
        on = to_record_date(notified)
        updates: list[tuple[Resident | None, Resident]] = []
        for delta in target.residents:
            now = register.resident(delta.resident_id)
            assert now is not None
            if delta.before is None:
                after = now.evolve(status=Status.REMOVED, removal=Removal(ChangeReason.CANCEL_REMOVE.code, on))
            else:
                after = replace(delta.before, version=now.version + 1)
            updates.append((now, after))
        _households_consistent(p, register, [a for _, a in updates])
        households = _households_before(p, register, target)
        p.raise_if_any()
        return make_change(
            change_id=change_id,
            reason=CANCEL_REASON[target.reason.group],
            occurred_on=notified,
            notified_on=notified,
            updates=updates,
            households=households,
            cancels=target.change_id,
            note=self.explanation.strip(),
            register=register,
            restoring=True,
        )


def _latest_everywhere(p: Problems, register: RegisterView, target: Change) -> None:
    """The change must still be in force and, for each resident it touched, no change after it may
    still be in force: a later change that was itself cancelled (and its cancellation) nets out,
    so changes are cancelled newest first."""
    later: dict[str, Change] = {}
    after_target: list[tuple[str, Change]] = []
    for rid in target.resident_ids:
        history = register.changes_of(rid)
        ids = [c.change_id for c in history]
        if target.change_id not in ids:
            p.add("cancels", f"宛名番号{rid}の異動履歴にこの異動がありません")
            continue
        for c in history[ids.index(target.change_id) + 1:]:
            later[c.change_id] = c
            after_target.append((rid, c))

    def in_force(change_id: str) -> bool:
        return not any(c.cancels == change_id and in_force(c.change_id) for c in later.values())

    if not in_force(target.change_id):
        by = next(c for c in later.values() if c.cancels == target.change_id and in_force(c.change_id))
        p.add("cancels", f"この異動は既に取り消されています（取消しの異動 {by.change_id}）")
        return
    for rid, c in after_target:
        if in_force(c.change_id) and c.cancels not in later:
            p.add(
                "cancels",
                f"宛名番号{rid}の住民には、この異動の後の異動（{c.reason.label}、{c.change_id}）があるため取り消せません"
                "（新しい異動から順に取り消してください）",
            )


def _households_consistent(p: Problems, register: RegisterView, restored: list[Resident]) -> None:
    """A record coming back to its household must find it where it was, with at most one 世帯主
    (j980: 従前の世帯に復帰). A household everyone has left is simply taken up again."""
    touched = {r.resident_id for r in restored}
    by_household: dict[str, list[Resident]] = {}
    for r in restored:
        if r.is_current:
            by_household.setdefault(r.household_id, []).append(r)
    for hid, back in sorted(by_household.items()):
        others = [m for m in register.household_members(hid) if m.resident_id not in touched]
        if others and any(not same_place(o.address, r.address) for o in others for r in back):
            p.add("cancels", f"世帯（世帯番号{hid}）の住所がこの異動の後に変わっているため取り消せません")
        heads = [m for m in others + back if m.is_householder]
        if len(heads) > 1:
            p.add("cancels", f"取消し後の世帯（世帯番号{hid}）に世帯主が2人になるため取り消せません（先に世帯主変更を行ってください）")


def _households_before(p: Problems, register: RegisterView, target: Change) -> list[Household]:
    """The household records `target` wrote, as they were before it (`target.households_before`); a
    household it created goes back to a record with no clerk-set order. A record some later change
    has written since (the clerk's order changed again, members left…) is not overwritten: that
    change is to be cancelled first, as for residents."""
    before = {h.household_id: h for h in target.households_before}
    restored = []
    for written in target.households:
        hid = written.household_id
        current = register.household(hid)
        if current is not None and current != written:
            p.add(
                "cancels",
                f"世帯（世帯番号{hid}）の記録（世帯員の並び順）がこの異動の後に変わっているため取り消せません"
                "（新しい異動から順に取り消してください）",
            )
        restored.append(before.get(hid, Household(hid)))
    return restored
