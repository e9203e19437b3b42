"""異動事由 (change reasons), standard-spec j210: what each change is, recorded in history."""
from __future__ import annotations

from enum import Enum


class ReasonGroup(Enum):
    RECORD = "record"  # 記載の事由: a record comes into being
    REMOVE = "remove"  # 消除の事由: a record is removed
    AMEND = "amend"  # 修正の事由: a record changes

    @property
    def label(self) -> str:
        return {"record": "記載", "remove": "消除", "amend": "修正"}[self.value]


class ChangeReason(Enum):
    """Each value: (code, Japanese label, group, who it applies to: "both" | "japanese" | "foreign")."""

    # 記載の事由
    MOVE_IN_DOMESTIC = ("A01", "国内転入", ReasonGroup.RECORD, "both")
    MOVE_IN_ABROAD = ("A02", "国外転入等", ReasonGroup.RECORD, "both")
    BIRTH = ("A03", "出生", ReasonGroup.RECORD, "both")
    RECORD_NATURALISATION = ("A04", "職権記載（帰化等）", ReasonGroup.RECORD, "japanese")
    RECORD_LOSS_OF_NATIONALITY = ("A05", "職権記載（国籍喪失）", ReasonGroup.RECORD, "foreign")
    RECORD_EX_OFFICIO = ("A06", "職権記載", ReasonGroup.RECORD, "both")
    RECORD_REMAKE = ("A07", "改製", ReasonGroup.RECORD, "both")
    RECORD_REISSUE = ("A08", "再製", ReasonGroup.RECORD, "both")
    CANCEL_RECORD = ("A09", "異動の取消し（増）", ReasonGroup.RECORD, "both")
    # 消除の事由
    MOVE_OUT_DOMESTIC = ("B01", "国内転出", ReasonGroup.REMOVE, "both")
    MOVE_OUT_ABROAD = ("B02", "国外転出", ReasonGroup.REMOVE, "both")
    DEATH = ("B03", "死亡", ReasonGroup.REMOVE, "both")
    REMOVE_NATURALISATION = ("B04", "職権消除（帰化等）", ReasonGroup.REMOVE, "foreign")
    REMOVE_LOSS_OF_NATIONALITY = ("B05", "職権消除（国籍喪失）", ReasonGroup.REMOVE, "japanese")
    REMOVE_EX_OFFICIO = ("B06", "職権消除", ReasonGroup.REMOVE, "both")
    REMOVE_REMAKE = ("B07", "改製", ReasonGroup.REMOVE, "both")
    REMOVE_REISSUE = ("B08", "再製", ReasonGroup.REMOVE, "both")
    CANCEL_REMOVE = ("B09", "異動の取消し（減）", ReasonGroup.REMOVE, "both")
    # 修正の事由
    MOVE_WITHIN = ("C01", "転居", ReasonGroup.AMEND, "both")
    MINOR_CORRECTION = ("C02", "軽微な修正", ReasonGroup.AMEND, "both")
    EX_OFFICIO_CORRECTION = ("C03", "職権修正", ReasonGroup.AMEND, "both")
    CLERICAL_ERROR = ("C04", "誤記修正", ReasonGroup.AMEND, "both")
    MY_NUMBER_CHANGE_REQUEST = ("C05", "個人番号の変更請求", ReasonGroup.AMEND, "both")
    MY_NUMBER_EX_OFFICIO_CORRECTION = ("C06", "個人番号の職権修正", ReasonGroup.AMEND, "both")
    MY_NUMBER_EX_OFFICIO_RECORD = ("C07", "個人番号の職権記載", ReasonGroup.AMEND, "both")
    RESIDENT_CODE_CHANGE_REQUEST = ("C08", "住民票コードの変更請求", ReasonGroup.AMEND, "both")
    RESIDENT_CODE_EX_OFFICIO_RECORD = ("C09", "住民票コードの職権記載", ReasonGroup.AMEND, "both")
    HOUSEHOLD_SEPARATION = ("C10", "世帯分離", ReasonGroup.AMEND, "both")
    HOUSEHOLD_MERGER = ("C11", "世帯合併", ReasonGroup.AMEND, "both")
    HOUSEHOLD_CHANGE = ("C12", "世帯変更", ReasonGroup.AMEND, "both")
    HOUSEHOLDER_CHANGE = ("C13", "世帯主変更", ReasonGroup.AMEND, "both")
    OLD_SURNAME_RECORD = ("C14", "旧氏の記載", ReasonGroup.AMEND, "japanese")
    OLD_SURNAME_CHANGE = ("C15", "旧氏の変更", ReasonGroup.AMEND, "japanese")
    OLD_SURNAME_DELETE = ("C16", "旧氏の削除", ReasonGroup.AMEND, "japanese")
    ALIAS_RECORD = ("C17", "通称の記載", ReasonGroup.AMEND, "foreign")
    ALIAS_DELETE = ("C18", "通称の削除", ReasonGroup.AMEND, "foreign")
    CANCEL_AMEND = ("C19", "異動の取消し（修正）", ReasonGroup.AMEND, "both")

    def __init__(self, code: str, label: str, group: ReasonGroup, applies_to: str):
        self.code = code
        self.label = label
        self.group = group
        self.applies_to = applies_to

    @classmethod
    def from_code(cls, code: str) -> "ChangeReason":
        for reason in cls:
            if reason.code == code:
                return reason
        raise KeyError(code)

    def applies_to_kind(self, kind_value: str) -> bool:
        """Whether this reason may be used for a resident of kind "japanese" / "foreign"."""
        return self.applies_to in ("both", kind_value)

    @property
    def is_cancellation(self) -> bool:
        return self in (ChangeReason.CANCEL_RECORD, ChangeReason.CANCEL_REMOVE, ChangeReason.CANCEL_AMEND)
