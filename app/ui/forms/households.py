"""世帯変更届 (世帯分離・世帯合併・世帯変更, j720) and 世帯主変更届 (j720, j730)."""
from __future__ import annotations

from app.ui.forms.common import HouseholdSection, ResidentForm, TargetHousehold, date_row
from app.ui.forms.people import HeadPicker, MemberPicker, RelationshipsTable
from app.ui.forms.widgets import Cell, caption, date_text
from app.ui.qt import QFormLayout, QGroupBox, QLabel, QVBoxLayout
from domain.notifications import HouseholdChange, HouseholderChange


class HouseholdChangeForm(ResidentForm):
    """世帯変更届: members leave their household at the same address to form a new one (世帯分離)
    or to join another (世帯合併 when all go, 世帯変更 otherwise)."""

    kind = "HouseholdChange"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self._allocating = False
        self.section("世帯を移る人")
        self.picker = MemberPicker()
        layout.addWidget(self.picker)
        self.section("届出")
        f = self.form_layout()
        self.notified, self.notified_cell = date_row(self, f, "届出日", today=True, name="notifiedOn")
        self.changed_on, self.changed_cell = date_row(self, f, "異動日", name="changedOn")
        self.section("移る先の世帯")
        self.target = TargetHousehold(new_label="新しい世帯をつくる（世帯分離）", join_label="同じ住所の他の世帯に入る（世帯合併・世帯変更）")
        self.target.set_mode("new")
        layout.addWidget(self.target)
        self.household = HouseholdSection()
        layout.addWidget(self.household)
        self.picker.changed.connect(self._refresh)
        for b in self.target.buttons.values():
            b.toggled.connect(self._refresh)

    def resident_loaded(self) -> None:
        self.picker.set_members(self.members, checked=[self.resident_id] if self.member(self.resident_id) else [])
        self.household.set_members(self.members)
        self._refresh()

    def _refresh(self, *_args) -> None:
        movers = set(self.picker.value())
        note = "新しい世帯での続柄" if self.target.mode() == "new" else "入る世帯の世帯主からみた続柄"
        self.household.update_for(movers, movers_note=note if movers else "")
        if self.ready and self.target.mode() == "new" and not self.target.household_id and not self._allocating:
            self._allocating = True
            self.run(self.service.new_ids, 0, 1, on_done=self._allocated)
        self.fix_tab_order()

    def on_ready(self) -> None:
        self._refresh()

    def _allocated(self, ids) -> None:
        self._allocating = False
        if not self.target.household_id:
            self.target.set_household_id(ids[1][0])
            self.changed()

    def cells(self) -> dict[str, Cell]:
        out = {"resident_ids": self.picker.cell, "notified_on": self.notified_cell, "changed_on": self.changed_cell}
        out.update(self.target.cells())
        out.update(self.household.cells())
        return out

    def notification(self) -> HouseholdChange:
        return HouseholdChange(
            resident_ids=self.picker.value(),
            changed_on=self.changed_on.value(),  # type: ignore[arg-type]
            notified_on=self.notified.value(),  # type: ignore[arg-type]
            new_household_id=self.target.new_household_id(),
            join_household_id=self.target.join_household_id(),
            relationships=self.household.relationships(),
            new_householder_id=self.household.new_householder_id(),
        )

    def fields_state(self) -> dict:
        return {
            "resident_ids": list(self.picker.value()),
            "notified_on": self.notified.state(),
            "changed_on": self.changed_on.state(),
            "household_target": self.target.state(),
            "household": self.household.state(),
        }

    def restore(self, fields: dict) -> None:
        self.picker.set_value(fields.get("resident_ids") or [])
        self.notified.set_state(fields.get("notified_on", ""))
        self.changed_on.set_state(fields.get("changed_on", ""))
        self.target.set_state(fields.get("household_target") or {})
        self._refresh()
        self.household.set_state(fields.get("household") or {})

    def summary(self, n: HouseholdChange) -> list[tuple[str, str]]:
        if n.new_household_id:
            reason = "世帯分離"
        elif set(n.resident_ids) == {m.resident_id for m in self.members}:
            reason = "世帯合併"
        else:
            reason = "世帯変更"
        return self.subject_rows() + [
            ("異動事由", reason),
            ("世帯を移る人", self.names(n.resident_ids)),
            ("届出日", date_text(n.notified_on)),
            ("異動日", date_text(n.changed_on)),
            ("移る先の世帯", self.target.summary(n.new_household_id, n.join_household_id)),
        ] + self.household.summary(n.new_householder_id, dict(n.relationships), self.names)


class HouseholderChangeForm(ResidentForm):
    """世帯主変更届: another member becomes 世帯主; every other member's 続柄 to the new 世帯主 is
    given anew."""

    kind = "HouseholderChange"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self.section("届出")
        f = self.form_layout()
        self.notified, self.notified_cell = date_row(self, f, "届出日", today=True, name="notifiedOn")
        self.changed_on, self.changed_cell = date_row(self, f, "異動日", name="changedOn")
        self.section("新しい世帯主と続柄")
        box = QGroupBox()
        form = QFormLayout(box)
        self.head = HeadPicker()
        form.addRow(caption("新しい世帯主", required=True), self.head)
        hint = QLabel("新しい世帯主を除く全員の、新しい世帯主からみた続柄を入力してください。")
        hint.setObjectName("itemLabel")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.table = RelationshipsTable(heading="新しい世帯主からみた続柄 ※")
        form.addRow(self.table)
        layout.addWidget(box)
        self.head.box.currentIndexChanged.connect(self._refresh)

    def resident_loaded(self) -> None:
        self.head.set_choices([m for m in self.members if not m.is_householder])
        self.table.set_members(self.members)
        self._refresh()

    def _refresh(self, *_args) -> None:
        head = self.head.value()
        self.table.show_rows({m.resident_id: "元の世帯主" if m.is_householder else "" for m in self.members if m.resident_id != head})
        self.fix_tab_order()

    def household_id(self) -> str:
        return self.person.household_id if self.person is not None else ""

    def cells(self) -> dict[str, Cell]:
        out = {"notified_on": self.notified_cell, "changed_on": self.changed_cell, "new_householder_id": self.head.cell}
        out.update({f"relationships.{rid}": c for rid, c in self.table.cells().items()})
        return out

    def notification(self) -> HouseholderChange:
        return HouseholderChange(
            household_id=self.household_id(),
            new_householder_id=self.head.value(),
            relationships=self.table.value(),
            changed_on=self.changed_on.value(),  # type: ignore[arg-type]
            notified_on=self.notified.value(),  # type: ignore[arg-type]
        )

    def fields_state(self) -> dict:
        return {
            "notified_on": self.notified.state(),
            "changed_on": self.changed_on.state(),
            "new_householder_id": self.head.value(),
            "relationships": self.table.state(),
        }

    def restore(self, fields: dict) -> None:
        self.notified.set_state(fields.get("notified_on", ""))
        self.changed_on.set_state(fields.get("changed_on", ""))
        self.head.set_value(str(fields.get("new_householder_id", "")))
        self.table.set_state(fields.get("relationships") or {})

    def summary(self, n: HouseholderChange) -> list[tuple[str, str]]:
        rows = self.subject_rows() + [
            ("異動事由", "世帯主変更"),
            ("世帯番号", n.household_id),
            ("届出日", date_text(n.notified_on)),
            ("異動日", date_text(n.changed_on)),
            ("新しい世帯主", self.names([n.new_householder_id])),
        ]
        return rows + [(f"続柄（{self.names([rid])}）", rel) for rid, rel in n.relationships.items()]
