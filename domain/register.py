"""What the rules need to read of the register, and an in-memory register for tools and tests.

The terminal's cache and the central registry each implement `RegisterView` over their own
storage; the notification rules (domain.notifications) only ever see this protocol.
"""
from __future__ import annotations

from typing import Iterable, Protocol

from domain.history import Change
from domain.residents import Household, Resident


class RegisterView(Protocol):
    def resident(self, resident_id: str) -> Resident | None: ...

    def household_members(self, household_id: str) -> list[Resident]:
        """The current (not removed) members of a household."""
        ...

    def household(self, household_id: str) -> Household | None: ...

    def change(self, change_id: str) -> Change | None: ...

    def changes_of(self, resident_id: str) -> list[Change]:
        """Every change that touched a resident, oldest first."""
        ...


class InMemoryRegister:
    """A complete RegisterView kept in dicts; `apply` records a Change the way a store does."""

    def __init__(self, residents: Iterable[Resident] = (), households: Iterable[Household] = ()):
        self._residents: dict[str, Resident] = {r.resident_id: r for r in residents}
        self._households: dict[str, Household] = {h.household_id: h for h in households}
        for r in self._residents.values():
            self._households.setdefault(r.household_id, Household(r.household_id))
        self._changes: dict[str, Change] = {}
        self._by_resident: dict[str, list[str]] = {}

    def resident(self, resident_id: str) -> Resident | None:
        return self._residents.get(resident_id)

    def household_members(self, household_id: str) -> list[Resident]:
        return [r for r in self._residents.values() if r.household_id == household_id and r.is_current]

    def household(self, household_id: str) -> Household | None:
        return self._households.get(household_id)

    def change(self, change_id: str) -> Change | None:
        return self._changes.get(change_id)

    def changes_of(self, resident_id: str) -> list[Change]:
        return [self._changes[c] for c in self._by_resident.get(resident_id, [])]

    def residents(self) -> list[Resident]:
        return list(self._residents.values())

    def apply(self, change: Change) -> None:
        if change.change_id in self._changes:
            raise ValueError(f"change {change.change_id} already applied")
        for delta in change.residents:
            self._residents[delta.resident_id] = delta.after
            self._by_resident.setdefault(delta.resident_id, []).append(change.change_id)
        for household in change.households:
            self._households[household.household_id] = household
        self._changes[change.change_id] = change
