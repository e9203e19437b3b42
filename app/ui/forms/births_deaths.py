"""出生 (j810) and 死亡 (j820)."""
from __future__ import annotations

from app.ui.forms.base import SECTION
from app.ui.forms.common import HouseholdSection, ResidentForm, TargetHousehold, date_row, new_person_rows
from app.ui.forms.moves import prefixed
from app.ui.forms.people import PersonBlock
from app.ui.forms.widgets import Cell, CityAddressField, date_text, select_data
from app.ui.texts import address_text
from app.ui.qt import QVBoxLayout, QWidget
from domain.notifications import Birth, Death
from domain.residents import ForeignCategory


class BirthForm(ResidentForm):
    """出生: opened from a parent's screen, the child joins that household (its 世帯番号 may be
    changed); rarely the child forms a new household at an address of the city. The child's
    宛名番号 is allocated here and kept in the draft."""

    kind = "Birth"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self._allocating = False
        self.section("届出")
        f = self.form_layout()
        self.notified, self.notified_cell = date_row(self, f, "届出日", today=True, name="notifiedOn")
        self.section("世帯")
        self.target = TargetHousehold(new_label="新しい世帯（出生子が世帯主）", join_label="父母等の世帯に入る")
        self.target.set_mode("join")
        layout.addWidget(self.target)
        self.address_box = QWidget()
        box = QVBoxLayout(self.address_box)
        box.setContentsMargins(0, 0, 0, 0)
        self.address = CityAddressField(ward_code=self.service.ward_code)
        box.addWidget(self.address)
        layout.addWidget(self.address_box)
        self.section("出生子")
        self.child = PersonBlock(resident_id="", heading="出生子", today=self.service.today, default_relationship="子")
        layout.addWidget(self.child)
        self.child.kind.currentIndexChanged.connect(self._kind_changed)
        for b in self.target.buttons.values():
            b.toggled.connect(self._mode_changed)
        self._mode_changed()

    def start(self) -> None:
        super().start()
        if self._restore_fields is None:
            self.load(self.service.new_ids, 1, 0, on_done=lambda ids: self.child.set_resident_id(ids[0][0]))

    def resident_loaded(self) -> None:
        if self.person is None and not self.resident_id:
            self.subject_label.setText("父母等の世帯の世帯番号を入力してください。")
        if self.person is not None and self.person.is_current:
            self.target.join_id.setText(self.person.household_id)
            self.address.set_address(self.person.address)
        self.child.set_related_choices(self.members)

    def _kind_changed(self, *_args) -> None:
        # a foreign newborn is 出生による経過滞在者
        if self.child.is_foreign() and not self.child.category.currentData():
            select_data(self.child.category, ForeignCategory.TRANSITIONAL.value)

    def _mode_changed(self, *_args) -> None:
        new = self.target.mode() == "new"
        self.address_box.setVisible(new)
        if new and not self.target.household_id and not self._allocating and self.ready:
            self._allocating = True
            self.run(self.service.new_ids, 0, 1, on_done=self._allocated)

    def on_ready(self) -> None:
        self._mode_changed()

    def _allocated(self, ids) -> None:
        self._allocating = False
        if not self.target.household_id:
            self.target.set_household_id(ids[1][0])
            self.changed()

    def cells(self) -> dict[str, Cell]:
        out = {"notified_on": self.notified_cell}
        out.update(self.target.cells())
        out.update(prefixed("address", self.address.cells()))
        out.update(prefixed("person", self.child.cells()))
        return out

    def notification(self) -> Birth:
        new = self.target.mode() == "new"
        return Birth(
            person=self.child.value(),
            notified_on=self.notified.value(),  # type: ignore[arg-type]
            join_household_id=self.target.join_household_id(),
            new_household_id=self.target.new_household_id(),
            address=self.address.value() if new else None,
        )

    def fields_state(self) -> dict:
        return {
            "notified_on": self.notified.state(),
            "household": self.target.state(),
            "address": self.address.state(),
            "child": self.child.state(),
        }

    def restore(self, fields: dict) -> None:
        self.notified.set_state(fields.get("notified_on", ""))
        self.target.set_state(fields.get("household") or {})
        self.address.set_state(fields.get("address") or {})
        self.child.set_state(fields.get("child") or {})
        self._mode_changed()
        if not self.child.resident_id:
            self.run(self.service.new_ids, 1, 0, on_done=lambda ids: (self.child.set_resident_id(ids[0][0]), self.changed()))

    def subject(self) -> str:
        return self.child.display_name()

    def summary(self, n: Birth) -> list[tuple[str, str]]:
        rows = [("届出日", date_text(n.notified_on)), ("世帯", self.target.summary(n.new_household_id, n.join_household_id))]
        if n.address is not None:
            rows.append(("住所", address_text(n.address)))
        elif self.person is not None and n.join_household_id == self.person.household_id:
            rows.append(("住所", address_text(self.person.address)))
        rows.append((SECTION, "出生子"))
        return rows + new_person_rows(n.person)


class DeathForm(ResidentForm):
    """死亡: the day of death (partly unknown allowed: 「令和7年4月上旬」「年月日不詳」) and, when the
    世帯主 dies leaving two or more, the new 世帯主."""

    kind = "Death"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self.section("届出")
        f = self.form_layout()
        self.notified, self.notified_cell = date_row(self, f, "届出日", today=True, name="notifiedOn")
        self.died, self.died_cell = date_row(self, f, "死亡日", record=True, name="deathDate")
        self.household = HouseholdSection()
        self.household.setVisible(False)
        layout.addWidget(self.household)

    def resident_loaded(self) -> None:
        self.household.set_members(self.members)
        self.household.update_for({self.resident_id})

    def cells(self) -> dict[str, Cell]:
        out = {"notified_on": self.notified_cell, "death_date": self.died_cell}
        out.update(self.household.cells())
        return out

    def notification(self) -> Death:
        return Death(
            resident_id=self.resident_id,
            death_date=self.died.value(),
            notified_on=self.notified.value(),  # type: ignore[arg-type]
            new_householder_id=self.household.new_householder_id(),
            relationships=self.household.relationships(),
        )

    def fields_state(self) -> dict:
        return {"notified_on": self.notified.state(), "death_date": self.died.state(), "household": self.household.state()}

    def restore(self, fields: dict) -> None:
        self.notified.set_state(fields.get("notified_on", ""))
        self.died.set_state(fields.get("death_date", ""))
        self.household.set_state(fields.get("household") or {})

    def summary(self, n: Death) -> list[tuple[str, str]]:
        return self.subject_rows() + [
            ("異動事由", "死亡"),
            ("届出日", date_text(n.notified_on)),
            ("死亡日", date_text(n.death_date)),  # type: ignore[arg-type]
        ] + self.household.summary(n.new_householder_id, dict(n.relationships), self.names)
