"""転入届・転居届・転出届 (j590, j630, j640/j650)."""
from __future__ import annotations

from app.ui.forms.base import SECTION, NotificationForm
from app.ui.forms.common import (
    HouseholdSection,
    ResidentForm,
    TargetHousehold,
    date_row,
    load_resident,
    new_person_rows,
)
from app.ui.forms.people import MemberPicker, PersonBlock
from app.ui.forms.widgets import Cell, CityAddressField, OutsideAddressField, date_text, select_data
from app.ui.texts import address_text
from app.ui.qt import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout
from domain.notifications import MoveIn, MoveOut, MoveWithin
from domain.residents import Resident
from hardware.mynumber import CardInfo


def prefixed(prefix: str, cells: dict[str, Cell]) -> dict[str, Cell]:
    """Cells of a part of the form under its path: "" → prefix, "town" → "prefix.town"."""
    return {(f"{prefix}.{k}" if k else prefix): c for k, c in cells.items()}


class MoveInForm(NotificationForm):
    """転入届: 転入者 (one block each, 宛名番号 allocated here), the address in the city, 転入前住所
    (国外 allowed), a new household or an existing one. Opened with a resident, it joins their
    household at their address.

    「カードから入力」 (F4) reads the 転入者's My Number card and fills what the card may fill: 氏名
    (the card has no フリガナ: the clerk types it), 生年月日, 性別 into the first person without a
    name, and 転入前住所 from the card's address (the card still shows the address before the
    move) when it is empty. The My Number is never put into the form: for a 転入 it comes with
    the national-network data (特例転入), not from the card."""

    kind = "MoveIn"

    def build(self, layout: QVBoxLayout) -> None:
        self.blocks: list[PersonBlock] = []
        self._allocating = False
        self.section("届出")
        f = self.form_layout()
        self.notified, self.notified_cell = date_row(self, f, "届出日", today=True, name="notifiedOn")
        self.moved, self.moved_cell = date_row(self, f, "住所を定めた年月日（転入した日）", name="movedOn")
        self.section("住所（転入先）")
        self.address = CityAddressField(ward_code=self.service.ward_code)
        layout.addWidget(self.address)
        self.section("転入前住所")
        self.previous = OutsideAddressField()
        layout.addWidget(self.previous)
        self.section("世帯")
        self.target = TargetHousehold(new_label="新しい世帯（転入者の1人が世帯主）", join_label="既存の世帯に入る")
        self.target.set_mode("new")
        layout.addWidget(self.target)
        self.section("転入者")
        card_row = QHBoxLayout()
        self.card_button = QPushButton("カードから入力（F4）")
        self.card_button.setObjectName("cardFillButton")
        self.card_button.clicked.connect(self.read_card)
        self.card_note = QLabel("マイナンバーカードから氏名・生年月日・性別・転入前住所を入力します（フリガナと個人番号は入力しません）。")
        self.card_note.setObjectName("itemLabel")
        self.card_note.setWordWrap(True)
        card_row.addWidget(self.card_button)
        card_row.addWidget(self.card_note, 1)
        layout.addLayout(card_row)
        self.card_flow = None
        self._card_pending: CardInfo | None = None
        self.persons_layout = QVBoxLayout()
        layout.addLayout(self.persons_layout)
        self.add_button = QPushButton("転入者を追加")
        self.add_button.setObjectName("addPersonButton")
        self.add_button.clicked.connect(self.add_person)
        layout.addWidget(self.add_button)

    def start(self) -> None:
        if self._restore_fields is None:
            self.load(self.service.new_ids, 1, 1, on_done=self._first_ids)
            if self.resident_id:
                self.load(load_resident, self.service, self.resident_id, on_done=self._joining)

    def _first_ids(self, ids: tuple[list[str], list[str]]) -> None:
        rids, hids = ids
        self._add_block(rids[0])
        self.target.set_household_id(hids[0])

    def _joining(self, result: tuple[Resident | None, list[Resident]]) -> None:
        r, _members = result
        if r is not None and r.is_current:
            self.target.set_mode("join")
            self.target.join_id.setText(r.household_id)
            self.address.set_address(r.address)

    # -- persons ----------------------------------------------------------------------------
    def add_person(self) -> None:
        """「転入者を追加」: a new block with a freshly allocated 宛名番号."""
        if self._allocating:
            return
        self._allocating = True
        self.add_button.setEnabled(False)
        self.run(self.service.new_ids, 1, 0, on_done=self._added)

    def _added(self, ids: tuple[list[str], list[str]]) -> None:
        self._allocating = False
        self.add_button.setEnabled(True)
        block = self._add_block(ids[0][0])
        if self._card_pending is not None:
            info, self._card_pending = self._card_pending, None
            self._fill_person(block, info)
            return
        block.name.family.setFocus()
        self.scroll.ensureWidgetVisible(block)
        self.user_edited()
        self.changed()

    def _add_block(self, rid: str) -> PersonBlock:
        block = PersonBlock(resident_id=rid, heading="", today=self.service.today, removable=bool(self.blocks))
        block.remove_requested.connect(self._remove_block)
        self.persons_layout.addWidget(block)
        block.show()  # at once: a layout shows a widget added to a visible form only on a later event
        self.blocks.append(block)
        self._renumber()
        self.adopt_widgets()
        return block

    def _remove_block(self, block: PersonBlock) -> None:
        if block not in self.blocks or len(self.blocks) == 1:
            return
        self.blocks.remove(block)
        block.setParent(None)
        block.deleteLater()
        self._renumber()
        self.fix_tab_order()
        self.user_edited()
        self.changed()

    def _renumber(self) -> None:
        for i, b in enumerate(self.blocks, start=1):
            b.set_heading(f"転入者 {i}")
            b.remove_button.setVisible(i > 1)

    def _ensure_ids(self) -> None:
        """A draft saved before its numbers came: allocate what is missing."""
        missing = [b for b in self.blocks if not b.resident_id]
        need_household = not self.target.household_id
        if not missing and not need_household:
            return

        def fill(ids: tuple[list[str], list[str]]) -> None:
            rids, hids = ids
            for b, rid in zip(missing, rids):
                b.set_resident_id(rid)
            if hids:
                self.target.set_household_id(hids[0])
            self.changed()

        self.run(self.service.new_ids, len(missing), 1 if need_household else 0, on_done=fill)

    # -- the My Number card -----------------------------------------------------------------
    def read_card(self) -> None:
        """「カードから入力」: the PIN dialog, then the card's data into the form."""
        if not self.ready or self.stack.currentWidget() is not self.edit_page:
            return
        if self.card_flow is not None:
            if self.card_flow.dialog.isVisible():
                return
            self.card_flow.dispose()
        from app.services.card_reading import CardReading
        from app.ui.card_dialog import CardReadFlow

        reading = CardReading(self.service)
        self.card_flow = CardReadFlow(self.runner, reading.pin_status, reading.read, parent=self,
                                      title="マイナンバーカードから入力（転入）")
        self.card_flow.finished.connect(self.fill_from_card)
        self.card_flow.start()

    def fill_from_card(self, info: CardInfo) -> None:
        """The card's data into the first person without a name (a new person when all have one)
        and, when it is still empty, 転入前住所."""
        from app.services.card_reading import previous_address_from_card

        if not self.previous.state().get("prefecture") and not self.previous.town.text().strip():
            previous = previous_address_from_card(info.address)
            if previous is not None:
                self.previous.set_address(previous)
            else:
                self.previous.town.setText(info.address)
        target = next((b for b in self.blocks if not b.name.family.text().strip() and not b.name.given.text().strip()), None)
        if target is None:
            self._card_pending = info
            self.add_person()
            return
        self._fill_person(target, info)

    def _fill_person(self, block: PersonBlock, info: CardInfo) -> None:
        block.name.family.setText(info.family_name)
        block.name.given.setText(info.given_name)
        block.birth.set_date(info.birth_date)
        select_data(block.sex, int(info.sex))
        self.card_note.setText(f"カードから「{info.name}」さんの氏名・生年月日・性別・転入前住所を入力しました。"
                               "フリガナを入力し、転入前住所を確かめてください（個人番号は入力していません）。")
        self.user_edited()
        self.changed()
        self.scroll.ensureWidgetVisible(block)
        block.name.family_kana.setFocus()

    # -- the form's contract ----------------------------------------------------------------
    def cells(self) -> dict[str, Cell]:
        out = {"notified_on": self.notified_cell, "moved_on": self.moved_cell}
        out.update(prefixed("address", self.address.cells()))
        out.update(prefixed("previous_address", self.previous.cells()))
        out.update(self.target.cells())
        for i, b in enumerate(self.blocks):
            out.update(prefixed(f"persons.{i}", b.cells()))
        return out

    def notification(self) -> MoveIn:
        return MoveIn(
            persons=tuple(b.value() for b in self.blocks),
            address=self.address.value(),
            moved_on=self.moved.value(),  # type: ignore[arg-type]
            notified_on=self.notified.value(),  # type: ignore[arg-type]
            previous_address=self.previous.value(),
            new_household_id=self.target.new_household_id(),
            join_household_id=self.target.join_household_id(),
        )

    def fields_state(self) -> dict:
        return {
            "notified_on": self.notified.state(),
            "moved_on": self.moved.state(),
            "address": self.address.state(),
            "previous_address": self.previous.state(),
            "household": self.target.state(),
            "persons": [b.state() for b in self.blocks],
        }

    def restore(self, fields: dict) -> None:
        self.notified.set_state(fields.get("notified_on", ""))
        self.moved.set_state(fields.get("moved_on", ""))
        self.address.set_state(fields.get("address") or {})
        self.previous.set_state(fields.get("previous_address") or {})
        self.target.set_state(fields.get("household") or {})
        for s in fields.get("persons") or [{}]:
            self._add_block(str(s.get("resident_id", ""))).set_state(s)
        self._ensure_ids()

    def subject(self) -> str:
        return self.blocks[0].display_name() if self.blocks else ""

    def summary(self, n: MoveIn) -> list[tuple[str, str]]:
        rows = [
            ("異動事由", n.reason.label),
            ("届出日", date_text(n.notified_on)),
            ("住所を定めた年月日", date_text(n.moved_on)),
            ("住所", address_text(n.address)),
            ("転入前住所", address_text(n.previous_address)),
            ("世帯", self.target.summary(n.new_household_id, n.join_household_id)),
        ]
        for i, p in enumerate(n.persons, start=1):
            rows.append((SECTION, f"転入者 {i}"))
            rows += new_person_rows(p)
        return rows


class MoveWithinForm(ResidentForm):
    """転居届: who moves (the whole household, or some of them into a new or another household),
    the day, the new address in the city; 続柄 and the new 世帯主 when a household splits."""

    kind = "MoveWithin"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self._allocating = False
        self.section("転居する人")
        self.picker = MemberPicker()
        layout.addWidget(self.picker)
        self.section("届出")
        f = self.form_layout()
        self.notified, self.notified_cell = date_row(self, f, "届出日", today=True, name="notifiedOn")
        self.moved, self.moved_cell = date_row(self, f, "転居日（住所を定めた年月日）", name="movedOn")
        self.section("転居先住所")
        self.address = CityAddressField(ward_code=self.service.ward_code)
        layout.addWidget(self.address)
        self.target_box = QGroupBox("転居先の世帯（世帯の一部の人が転居するとき）")
        box_layout = QVBoxLayout(self.target_box)
        self.target = TargetHousehold()
        self.target.set_mode("new")
        box_layout.addWidget(self.target)
        layout.addWidget(self.target_box)
        self.household = HouseholdSection()
        layout.addWidget(self.household)
        self.picker.changed.connect(self._refresh)
        for b in self.target.buttons.values():
            b.toggled.connect(self._refresh)
        self.target_box.setVisible(False)
        self.household.setVisible(False)

    def resident_loaded(self) -> None:
        self.picker.set_members(self.members, checked=[m.resident_id for m in self.members])
        self.household.set_members(self.members)
        if self.person is not None:
            self.address.set_state({"ward": self.person.address.lg_code})
        self._refresh()

    def partial(self) -> bool:
        return bool(self.picker.value()) and not self.picker.whole()

    def _refresh(self, *_args) -> None:
        partial = self.partial()
        self.target_box.setVisible(partial)
        movers = set(self.picker.value()) if partial else set()
        self.household.update_for(movers, movers_note="転居先の世帯での続柄" if partial else "")
        if self.ready and partial and self.target.mode() == "new" and not self.target.household_id and not self._allocating:
            self._allocating = True
            self.run(self.service.new_ids, 0, 1, on_done=self._allocated)
        self.fix_tab_order()

    def on_ready(self) -> None:
        self._refresh()

    def _allocated(self, ids: tuple[list[str], list[str]]) -> None:
        self._allocating = False
        if not self.target.household_id:
            self.target.set_household_id(ids[1][0])
            self.changed()

    def cells(self) -> dict[str, Cell]:
        out = {"resident_ids": self.picker.cell, "notified_on": self.notified_cell, "moved_on": self.moved_cell}
        out.update(prefixed("address", self.address.cells()))
        out.update(self.target.cells())
        out.update(self.household.cells())
        return out

    def notification(self) -> MoveWithin:
        partial = self.partial()
        return MoveWithin(
            resident_ids=self.picker.value(),
            address=self.address.value(),
            moved_on=self.moved.value(),  # type: ignore[arg-type]
            notified_on=self.notified.value(),  # type: ignore[arg-type]
            new_household_id=self.target.new_household_id() if partial else "",
            join_household_id=self.target.join_household_id() if partial else "",
            relationships=self.household.relationships(),
            new_householder_id=self.household.new_householder_id(),
        )

    def fields_state(self) -> dict:
        return {
            "resident_ids": list(self.picker.value()),
            "notified_on": self.notified.state(),
            "moved_on": self.moved.state(),
            "address": self.address.state(),
            "household_target": self.target.state(),
            "household": self.household.state(),
        }

    def restore(self, fields: dict) -> None:
        self.picker.set_value(fields.get("resident_ids") or [])
        self.notified.set_state(fields.get("notified_on", ""))
        self.moved.set_state(fields.get("moved_on", ""))
        self.address.set_state(fields.get("address") or {})
        self.target.set_state(fields.get("household_target") or {})
        self._refresh()
        self.household.set_state(fields.get("household") or {})

    def summary(self, n: MoveWithin) -> list[tuple[str, str]]:
        rows = self.subject_rows() + [
            ("異動事由", "転居"),
            ("転居する人", self.names(n.resident_ids)),
            ("届出日", date_text(n.notified_on)),
            ("転居日", date_text(n.moved_on)),
            ("転居先住所", address_text(n.address)),
        ]
        if n.new_household_id or n.join_household_id:
            rows.append(("転居先の世帯", self.target.summary(n.new_household_id, n.join_household_id)))
        rows += self.household.summary(n.new_householder_id, dict(n.relationships), self.names)
        return rows


class MoveOutForm(ResidentForm):
    """転出届: who leaves, 転出予定日, 転出先 (municipality only is enough, 国外 allowed); the new 世帯主
    when the 世帯主 leaves others behind."""

    kind = "MoveOut"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self.section("転出する人")
        self.picker = MemberPicker()
        layout.addWidget(self.picker)
        self.section("届出")
        f = self.form_layout()
        self.notified, self.notified_cell = date_row(self, f, "届出日", today=True, name="notifiedOn")
        self.planned, self.planned_cell = date_row(self, f, "転出予定日", name="plannedOn")
        self.section("転出先住所（予定）")
        self.destination = OutsideAddressField()
        layout.addWidget(self.destination)
        self.household = HouseholdSection()
        layout.addWidget(self.household)
        self.household.setVisible(False)
        self.picker.changed.connect(self._refresh)

    def resident_loaded(self) -> None:
        self.picker.set_members(self.members, checked=[m.resident_id for m in self.members])
        self.household.set_members(self.members)
        self._refresh()

    def _refresh(self, *_args) -> None:
        self.household.update_for(set(self.picker.value()))
        self.fix_tab_order()

    def cells(self) -> dict[str, Cell]:
        out = {"resident_ids": self.picker.cell, "notified_on": self.notified_cell, "planned_on": self.planned_cell}
        out.update(prefixed("destination", self.destination.cells()))
        out.update(self.household.cells())
        return out

    def notification(self) -> MoveOut:
        return MoveOut(
            resident_ids=self.picker.value(),
            destination=self.destination.value(),
            planned_on=self.planned.value(),  # type: ignore[arg-type]
            notified_on=self.notified.value(),  # type: ignore[arg-type]
            new_householder_id=self.household.new_householder_id(),
            relationships=self.household.relationships(),
        )

    def fields_state(self) -> dict:
        return {
            "resident_ids": list(self.picker.value()),
            "notified_on": self.notified.state(),
            "planned_on": self.planned.state(),
            "destination": self.destination.state(),
            "household": self.household.state(),
        }

    def restore(self, fields: dict) -> None:
        self.picker.set_value(fields.get("resident_ids") or [])
        self.notified.set_state(fields.get("notified_on", ""))
        self.planned.set_state(fields.get("planned_on", ""))
        self.destination.set_state(fields.get("destination") or {})
        self._refresh()
        self.household.set_state(fields.get("household") or {})

    def summary(self, n: MoveOut) -> list[tuple[str, str]]:
        return self.subject_rows() + [
            ("異動事由", n.reason.label),
            ("転出する人", self.names(n.resident_ids)),
            ("届出日", date_text(n.notified_on)),
            ("転出予定日", date_text(n.planned_on)),
            ("転出先住所（予定）", address_text(n.destination)),
        ] + self.household.summary(n.new_householder_id, dict(n.relationships), self.names)
