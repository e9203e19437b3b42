"""Validation errors that name the field, in Japanese, for the clerk's screen."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: `field` is the attribute name, `message` the Japanese text."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(ValueError):
    """A notification or record that the rules refuse; carries every problem found, not only the first."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]):
        self.errors = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    @property
    def fields(self) -> set[str]:
        return {e.field for e in self.errors}

    def messages_for(self, field: str) -> list[str]:
        return [e.message for e in self.errors if e.field == field]


class Problems:
    """Collects field errors while a validator runs; `raise_if_any()` at the end."""

    def __init__(self) -> None:
        self._errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self._errors.append(FieldError(field, message))

    def require(self, value: object, field: str, label: str) -> bool:
        """Adds 「<label>を入力してください」 when `value` is empty; returns whether it was present."""
        if value is None or (isinstance(value, str) and not value.strip()) or value == ():
            self.add(field, f"{label}を入力してください")
            return False
        return True

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            raise ValidationError(self._errors)
