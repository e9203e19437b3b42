"""What the review (審査) and outbox (送信状況) screens show, made from the registry's review queue and
the terminal's outbox — no Qt here, so it runs on a worker thread and is tested without widgets.

An operation held for 審査 (`HeldOperation`) is shown with both versions of each resident it
touches, item by item (`ComparedItem`): the registry's current record against the record the
operation would make. For a conflict (競合) the registry sent its current records with the result
(`theirs`); for an operation held by policy or waiting behind another, the registry has not
changed the resident since the operation's base, and this terminal's cache holds that record.
The My Number is never shown here: only whether one is recorded and whether it would change.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import orjson
from sqlalchemy import select

from app.store.register_store import RegisterStore
from app.store.schema import outbox as outbox_table
from app.sync import outbox
from domain.change_reasons import ChangeReason
from domain.codec import resident_from_dict
from domain.notifications.correction import CORRECTABLE
from domain.record_dates import RecordDate
from domain.residents import Address, Resident, ResidentKind
from domain.wareki import format_seireki, format_wareki

# 審査の理由: the registry's result codes for an operation in review.
REASON_LABELS = {
    "conflict": "競合",
    "needs_approval": "審査対象の届出",
    "waiting_for_review": "先行する届出の審査待ち",
}

# The registry's wire keys of a record (domain.codec), for 「重なった項目」 of a conflict.
WIRE_LABELS = {
    "id": "宛名番号",
    "hh": "世帯番号",
    "kind": "住民の種別",
    "name": "氏名",
    "birth": "生年月日",
    "sex": "性別",
    "rel": "続柄",
    "rel_to": "続柄の基準となる世帯員",
    "addr": "住所",
    "became": "住民となった年月日",
    "set": "住所を定めた年月日",
    "notified": "届出の年月日",
    "prev": "転入前住所",
    "old": "旧氏",
    "alias": "通称",
    "dom": "本籍・筆頭者",
    "code": "住民票コード",
    "mn": "個人番号",
    "status": "状態",
    "removal": "消除",
    "sup": "抑止",
    "dv": "支援措置",
    "foreign": "外国人住民の項目",
}

CURRENT_FROM_REGISTRY = "登録サーバーの現在の記録"
CURRENT_FROM_CACHE = "現在の記録（この端末の同期済みの記録）"
NEW_RECORD = "（新規記載）"
VERSION_DIFFERS = "　※届出を受け付けた時点の記録とは版が異なります（同期してから確認してください）"
MY_NUMBER_RECORDED = "記載あり（表示しません）"
MY_NUMBER_CHANGED = "記載あり・変更あり（表示しません）"


@dataclass(frozen=True)
class ComparedItem:
    """One item (項目) of a record in both versions, as text for the screen."""

    key: str
    label: str
    current: str
    intended: str

    @property
    def differs(self) -> bool:
        return self.current != self.intended


@dataclass(frozen=True)
class Comparison:
    """One resident touched by a held operation: the current record against the intended one."""

    resident_id: str
    name: str
    current_source: str  # where the current version comes from (Japanese)
    items: tuple[ComparedItem, ...]

    @property
    def differing(self) -> tuple[ComparedItem, ...]:
        return tuple(i for i in self.items if i.differs)


@dataclass(frozen=True)
class HeldOperation:
    """An operation the registry holds for 審査 (審査待ちの届出), ready for the screen."""

    operation_id: str
    kind: str
    kind_label: str  # 届出の種類
    code: str  # conflict | needs_approval | waiting_for_review
    reason_label: str  # 理由
    message: str  # the registry's explanation (Japanese)
    subject: str  # 対象者: the name(s) from the intended record(s)
    terminal_id: str  # 受付端末
    operator_id: str  # 職員
    received_at: float
    received_text: str  # 受付日時 (和暦)
    details: tuple[str, ...]  # 異動事由, 修正理由, 重なった項目…
    comparisons: tuple[Comparison, ...]

    @property
    def resident_ids(self) -> tuple[str, ...]:
        return tuple(c.resident_id for c in self.comparisons)


# -- formatting -------------------------------------------------------------------------------
def timestamp_text(ts: float | None) -> str:
    """「令和8年11月25日 14:05」 (local time)."""
    if not ts:
        return ""
    moment = dt.datetime.fromtimestamp(ts)
    return f"{format_wareki(moment.date())} {moment:%H:%M}"


def age_text(seconds: float) -> str:
    """How long ago, as the outbox shows it: 「たった今」「3分前」「2時間前」「4日前」."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "たった今"
    if seconds < 3600:
        return f"{int(seconds // 60)}分前"
    if seconds < 86400:
        return f"{int(seconds // 3600)}時間前"
    return f"{int(seconds // 86400)}日前"


def _record_date(d: RecordDate | None, foreign: bool = False) -> str:
    if d is None:
        return ""
    return d.format_seireki() if foreign else d.format_wareki()


def _date(d: dt.date | None) -> str:
    return "" if d is None else format_wareki(d)


def _address(a: Address | None) -> str:
    return "" if a is None else a.full_text


def _flag(on: bool) -> str:
    return "あり" if on else "なし"


def _reason_label(code: str) -> str:
    try:
        return ChangeReason.from_code(code).label
    except (KeyError, ValueError):
        return code


def _foreign(r: Resident, attr: str) -> Any:
    return None if r.foreign is None else getattr(r.foreign, attr)


def _removal(r: Resident) -> str:
    if r.removal is None:
        return ""
    text = f"{_reason_label(r.removal.reason)}（{r.removal.occurred_on.format_wareki()}）"
    if r.removal.destination is not None:
        text += f"　転出先 {r.removal.destination.full_text}"
    return text


def _label(key: str, fallback: str) -> str:
    return CORRECTABLE.get(key, fallback)


# Every item of a record shown side by side, in the order of the resident screen.
ITEMS: tuple[tuple[str, str, Callable[[Resident], str]], ...] = (
    ("kind", "住民の種別", lambda r: r.kind.label),
    ("status", "状態", lambda r: r.status.label),
    ("name.family", _label("name.family", "氏"), lambda r: r.name.family),
    ("name.given", _label("name.given", "名"), lambda r: r.name.given),
    ("name.family_kana", _label("name.family_kana", "氏のフリガナ"), lambda r: r.name.family_kana),
    ("name.given_kana", _label("name.given_kana", "名のフリガナ"), lambda r: r.name.given_kana),
    ("foreign.alphabet_name", _label("foreign.alphabet_name", "氏名（アルファベット）"), lambda r: _foreign(r, "alphabet_name") or ""),
    ("alias", _label("alias", "通称"), lambda r: r.alias),
    ("alias_kana", _label("alias_kana", "通称のフリガナ"), lambda r: r.alias_kana),
    ("old_surname", _label("old_surname", "旧氏"), lambda r: r.old_surname),
    ("old_surname_kana", _label("old_surname_kana", "旧氏のフリガナ"), lambda r: r.old_surname_kana),
    ("birth_date", _label("birth_date", "生年月日"), lambda r: _record_date(r.birth_date, r.kind is ResidentKind.FOREIGN)),
    ("sex", _label("sex", "性別"), lambda r: r.sex.label),
    ("household_id", "世帯番号", lambda r: r.household_id),
    ("relationship", _label("relationship", "続柄"), lambda r: r.relationship),
    ("related_to", _label("related_to", "続柄の基準となる世帯員"), lambda r: r.related_to),
    ("address.municipality", "住所（都道府県・市区町村）", lambda r: f"{r.address.prefecture}{r.address.municipality}"),
    ("address.town", _label("address.town", "住所（町丁目）"), lambda r: r.address.town),
    ("address.block", _label("address.block", "住所（番地）"), lambda r: r.address.block),
    ("address.building", _label("address.building", "方書"), lambda r: r.address.building),
    ("address.postal_code", _label("address.postal_code", "郵便番号"), lambda r: r.address.postal_code),
    ("domicile", _label("domicile", "本籍"), lambda r: r.domicile),
    ("domicile_head", _label("domicile_head", "筆頭者"), lambda r: r.domicile_head),
    ("became_resident_on", _label("became_resident_on", "住民となった年月日"), lambda r: _record_date(r.became_resident_on)),
    ("address_set_on", _label("address_set_on", "住所を定めた年月日"), lambda r: _date(r.address_set_on)),
    ("notified_on", "届出の年月日", lambda r: _date(r.notified_on)),
    ("previous_address", _label("previous_address", "転入前住所"), lambda r: _address(r.previous_address)),
    ("resident_code", _label("resident_code", "住民票コード"), lambda r: r.resident_code),
    ("foreign.nationality", _label("foreign.nationality", "国籍・地域"), lambda r: _foreign(r, "nationality") or ""),
    ("foreign.category", _label("foreign.category", "法第30条の45の区分"), lambda r: c.label if (c := _foreign(r, "category")) else ""),
    ("foreign.residence_status", _label("foreign.residence_status", "在留資格"), lambda r: _foreign(r, "residence_status") or ""),
    ("foreign.period_of_stay", _label("foreign.period_of_stay", "在留期間"), lambda r: _foreign(r, "period_of_stay") or ""),
    ("foreign.stay_expires_on", _label("foreign.stay_expires_on", "在留期間の満了の日"), lambda r: format_seireki(d) if (d := _foreign(r, "stay_expires_on")) else ""),
    ("foreign.card_number", _label("foreign.card_number", "在留カード番号"), lambda r: _foreign(r, "card_number") or ""),
    ("foreign.became_resident_on", _label("foreign.became_resident_on", "外国人住民となった年月日"), lambda r: _record_date(_foreign(r, "became_resident_on"))),
    ("removal", "消除", _removal),
    ("suppressed", "抑止", lambda r: _flag(r.suppressed)),
    ("support_measure", "支援措置", lambda r: _flag(r.support_measure)),
)


def compare_records(current: Resident | None, intended: Resident | None) -> tuple[ComparedItem, ...]:
    """Both versions item by item; items empty in both are left out. The My Number appears only
    as whether it is recorded, and as a difference when the operation would change it."""
    out = []
    for key, label, value in ITEMS:
        a = value(current) if current is not None else ""
        b = value(intended) if intended is not None else ""
        if a or b:
            out.append(ComparedItem(key, label, a, b))
    mn_a = current.my_number if current is not None else ""
    mn_b = intended.my_number if intended is not None else ""
    if mn_a or mn_b:
        # Masked on both sides; a change shows as 「変更あり」 without either number.
        shown_a = MY_NUMBER_RECORDED if mn_a else ""
        shown_b = MY_NUMBER_RECORDED if mn_b else ""
        if mn_a and mn_b and mn_a != mn_b:
            shown_b = MY_NUMBER_CHANGED
        out.append(ComparedItem("my_number", _label("my_number", "個人番号"), shown_a, shown_b))
    return tuple(out)


def _resident(d: Any) -> Resident | None:
    if not isinstance(d, dict):
        return None
    try:
        return resident_from_dict(d)
    except (KeyError, TypeError, ValueError):
        return None


def _details(item: dict, result: dict) -> tuple[str, ...]:
    payload = item.get("payload") or {}
    notification = payload.get("notification") or {}
    lines = []
    reason = notification.get("reason")
    if isinstance(reason, str) and reason:
        lines.append(f"異動事由：{_reason_label(reason)}")
    explanation = notification.get("explanation")
    if isinstance(explanation, str) and explanation.strip():
        lines.append(f"修正理由：{explanation.strip()}")
    overlapping = result.get("overlapping") or {}
    if isinstance(overlapping, dict) and overlapping:
        keys = dict.fromkeys(WIRE_LABELS.get(k, k) for keys in overlapping.values() for k in (keys or []))
        lines.append("他の端末と重なった項目：" + "、".join(keys))
    if result.get("code") == "waiting_for_review" and result.get("waiting_for"):
        lines.append(f"先行する届出：{result['waiting_for']}")
    errors = result.get("errors") or []
    for e in errors[:10]:
        if isinstance(e, dict) and e.get("message"):
            lines.append(str(e["message"]))
    return tuple(lines)


def held_operation(item: dict, local_record: Callable[[str], Resident | None]) -> HeldOperation:
    """One entry of the registry's review queue (`/v1/review`) made displayable. `local_record`
    gives this terminal's record of a resident for an operation whose result carries none."""
    result = item.get("result") or {}
    payload = item.get("payload") or {}
    code = str(result.get("code", ""))
    theirs = {r.get("id"): r for r in ((result.get("theirs") or {}).get("residents") or []) if isinstance(r, dict)}
    intended = payload.get("intended") or {}
    resident_ids = list(dict.fromkeys([*intended, *(payload.get("base") or {}), *(payload.get("fields") or {})]))
    comparisons = []
    for rid in resident_ids:
        after = _resident(intended.get(rid))
        if rid in theirs:
            before, source = _resident(theirs[rid]), CURRENT_FROM_REGISTRY
        else:
            before, source = local_record(rid), CURRENT_FROM_CACHE
            based_on = (payload.get("base") or {}).get(rid)
            if before is not None and based_on is not None and before.version != based_on:
                source += VERSION_DIFFERS
        if before is None:
            source = NEW_RECORD
        shown = after or before
        name = shown.name.full if shown is not None else rid
        comparisons.append(Comparison(rid, name, source, compare_records(before, after)))
    kind = str(item.get("kind") or payload.get("kind") or "")
    names = [c.name for c in comparisons]
    subject = names[0] + (f" ほか{len(names) - 1}名" if len(names) > 1 else "") if names else ""
    received = item.get("received_at") or 0.0
    return HeldOperation(
        operation_id=str(item.get("operation_id", "")),
        kind=kind,
        kind_label=outbox.KIND_LABELS.get(kind, kind),
        code=code,
        reason_label=REASON_LABELS.get(code, code or "審査"),
        message=str(result.get("message", "")),
        subject=subject,
        terminal_id=str(item.get("terminal_id", "")),
        operator_id=str(item.get("operator_id", "")),
        received_at=float(received),
        received_text=timestamp_text(received),
        details=_details(item, result),
        comparisons=tuple(comparisons),
    )


def held_operations(service) -> list[HeldOperation]:
    """The review queue of a CounterService (supervisor, online): raises its SyncError (Japanese
    .message) for a clerk or an offline session. Runs on a worker thread."""
    queue = service.review_queue()
    if not queue:
        return []
    with service.cache.engine.connect() as conn:
        store = RegisterStore(conn)
        # The record with its My Number: compared (is it the same number?), never shown.
        return [held_operation(item, store.resident) for item in queue]


def note_review_view(service, held: HeldOperation) -> None:
    """Writes the access log for a supervisor looking at the records of a held operation (every
    read of a resident is logged)."""
    with service.cache.writer.begin() as conn:
        for rid in held.resident_ids:
            service.log_access(conn, "view", rid, {"review": held.operation_id})


# -- the outbox screen --------------------------------------------------------------------------
UNFINISHED = (outbox.PENDING, outbox.SENDING, outbox.REVIEW, outbox.REJECTED)  # 未完了


@dataclass(frozen=True)
class OutboxRow:
    """One operation on the 送信状況 screen: the outbox entry, who it is about, and the registry's
    message with a supervisor's reason for a 差戻し."""

    entry: outbox.OutboxEntry
    resident_ids: tuple[str, ...]
    subject: str  # 対象者
    message: str

    @property
    def rejected(self) -> bool:
        return self.entry.state == outbox.REJECTED


def outbox_rows(service, states: tuple[str, ...] | None = None) -> list[OutboxRow]:
    """The outbox of this terminal, newest first (one read of the cache). Runs on a worker thread."""
    entries = service.outbox_entries(states)
    ids = [e.operation_id for e in entries]
    extra: dict[str, dict] = {}
    if ids:
        with service.cache.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                rows = conn.execute(
                    select(outbox_table.c.operation_id, outbox_table.c.payload).where(
                        outbox_table.c.operation_id.in_(ids[start : start + 500])
                    )
                )
                for r in rows:
                    extra[r.operation_id] = _loads(r.payload)
    out = []
    for e in entries:
        payload = extra.get(e.operation_id, {})
        rids, names = _residents_of(payload)
        subject = names[0] + (f" ほか{len(names) - 1}名" if len(names) > 1 else "") if names else ""
        out.append(OutboxRow(e, rids, subject, e.message))
    return out


def _loads(text: str | bytes | None) -> dict:
    try:
        value = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _residents_of(payload: dict) -> tuple[tuple[str, ...], list[str]]:
    intended = payload.get("intended") or {}
    ids: Iterable[str] = dict.fromkeys([*intended, *(payload.get("base") or {})])
    rids, names = [], []
    for rid in ids:
        if not isinstance(rid, str) or not rid:
            continue
        rids.append(rid)
        record = intended.get(rid)
        name = record.get("name") if isinstance(record, dict) else None
        if isinstance(name, list) and name and name[0]:
            names.append(f"{name[0]}\u3000{name[1]}" if len(name) > 1 and name[1] else str(name[0]))
    if not rids:
        rid = (payload.get("notification") or {}).get("resident_id")
        if isinstance(rid, str) and rid:
            rids.append(rid)
    return tuple(rids), names
