"""Paying the fee at a kiosk (手数料): a pluggable payment device, no Qt.

    device.charge(300, reference) -> PaymentResult      # or raises PaymentFailed
    device.refund(result, 300, reason)                  # the copies that did not print

A device takes the fee before anything is numbered or printed: a charge that fails prints
nothing. The built-in `CashierPayment` takes no money itself: it hands out a receipt number
(受付番号 — the day, the kiosk and a sequence of that day) that the resident tells the cashier's
window (会計窓口), where the issuance history shows what was printed under it. A city with a cash
or card payment unit plugs in a class with the same two methods (settings.json `kiosk.payment`).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable, Protocol

log = logging.getLogger(__name__)

JST = dt.timezone(dt.timedelta(hours=9))


class PaymentFailed(Exception):
    """The device could not take the fee: `.message` (Japanese) for the screen, `.message_en`."""

    def __init__(self, log_message: str, message: str, message_en: str = ""):
        super().__init__(log_message)
        self.message = message
        self.message_en = message_en or "The fee could not be paid. Nothing was printed. Please ask at the counter."


@dataclass(frozen=True)
class PaymentResult:
    receipt: str  # 受付番号: what the resident shows or tells the cashier
    amount_yen: int
    paid_now: bool  # False: to be paid at the cashier's window with the receipt number
    device: str


class PaymentDevice(Protocol):
    name: str

    def charge(self, amount_yen: int, reference: str) -> PaymentResult: ...

    def refund(self, result: PaymentResult, amount_yen: int, reason: str) -> None: ...


class CashierPayment:
    """「会計窓口でお支払いください」: a receipt number per resident's turn, paid at the cashier's.

    `next_number(day)` gives the day's next sequence (the kiosk keeps it in its encrypted cache, in
    the same store as the issuance history that records the receipt number)."""

    name = "cashier"

    def __init__(self, kiosk_label: str, next_number: Callable[[dt.date], int], *, clock: Callable[[], float]):
        self.kiosk_label = kiosk_label
        self.next_number = next_number
        self.clock = clock

    def charge(self, amount_yen: int, reference: str) -> PaymentResult:
        day = dt.datetime.fromtimestamp(self.clock(), JST).date()
        receipt = f"{day:%Y%m%d}-{self.kiosk_label}-{self.next_number(day):04d}"
        log.info("receipt %s for %d yen (%s): to be paid at the cashier", receipt, amount_yen, reference)
        return PaymentResult(receipt, amount_yen, paid_now=False, device=self.name)

    def refund(self, result: PaymentResult, amount_yen: int, reason: str) -> None:
        # Nothing was taken: the cashier charges what the issuance history shows as printed.
        log.info("receipt %s: %d yen not printed (%s); the cashier charges only what printed", result.receipt, amount_yen, reason)


def payment_device(name: str, *, kiosk_label: str, next_number: Callable[[dt.date], int], clock: Callable[[], float]) -> PaymentDevice:
    """The device named in the settings; only `cashier` is built in."""
    if name == "cashier":
        return CashierPayment(kiosk_label, next_number, clock=clock)
    raise PaymentFailed(f"unknown payment device {name!r}", f"支払い装置「{name}」はこの端末で使えません。システム担当者に連絡してください。",
                        f"The payment device '{name}' is not available. Please ask at the counter.")
