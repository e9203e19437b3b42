"""One exclusive connection to a card through PC/SC (pyscard's `smartcard.scard` layer).

    with open_application(AID_CARD_INFO) as session:   # finds the reader whose card has the AP
        r = session.transmit(apdu.select_ef(0x0011))

Why this shape:
- A verified PIN belongs to the connection: disconnecting powers or resets the card and the PIN
  state goes with it. VERIFY and the reads it unlocks run in one session, held exclusively
  (SCARD_SHARE_EXCLUSIVE), and the session ends with a card reset, so nothing another program
  does later finds the PIN still verified.
- Cards are found by selecting the application (AID), never by ATR: contactless readers make up
  their own ATR, and several readers may be connected.
- Every PC/SC failure becomes one of `hardware.errors` (a Japanese `.message`), never a raw
  pyscard exception; the session counts APDUs and the time spent in SCardTransmit (benchmarks).
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from smartcard import scard

from hardware import apdu
from hardware.apdu import Command, Response
from hardware.errors import (
    CardCommunicationError,
    CardError,
    CardInUse,
    CardRemoved,
    NoCard,
    NoReader,
    NotMyNumberCard,
    ReaderServiceUnavailable,
    ReaderUnplugged,
    SeveralCards,
)

log = logging.getLogger(__name__)


def _code(name: str) -> int:
    return getattr(scard, name) & 0xFFFFFFFF


E_NO_SERVICE = _code("SCARD_E_NO_SERVICE")
E_SERVICE_STOPPED = _code("SCARD_E_SERVICE_STOPPED")
F_COMM_ERROR = _code("SCARD_F_COMM_ERROR")  # "RPC transport error": the link to pcscd broke
E_NO_READERS = _code("SCARD_E_NO_READERS_AVAILABLE")
E_UNKNOWN_READER = _code("SCARD_E_UNKNOWN_READER")
E_READER_UNAVAILABLE = _code("SCARD_E_READER_UNAVAILABLE")
E_NO_SMARTCARD = _code("SCARD_E_NO_SMARTCARD")
E_SHARING_VIOLATION = _code("SCARD_E_SHARING_VIOLATION")
E_TIMEOUT = _code("SCARD_E_TIMEOUT")
E_CANCELLED = _code("SCARD_E_CANCELLED")
E_INVALID_HANDLE = _code("SCARD_E_INVALID_HANDLE")
W_REMOVED_CARD = _code("SCARD_W_REMOVED_CARD")
W_RESET_CARD = _code("SCARD_W_RESET_CARD")
W_UNPOWERED_CARD = _code("SCARD_W_UNPOWERED_CARD")
W_UNRESPONSIVE_CARD = _code("SCARD_W_UNRESPONSIVE_CARD")

SERVICE_GONE = (E_NO_SERVICE, E_SERVICE_STOPPED, F_COMM_ERROR)
READER_GONE = (E_UNKNOWN_READER, E_READER_UNAVAILABLE)
CARD_GONE = (E_NO_SMARTCARD, W_REMOVED_CARD)
REMOVAL_WAIT_MS = 1200  # pcscd notices a vanished card on its next poll (~400 ms)


def hresult(hr: int) -> int:
    return hr & 0xFFFFFFFF


def pcsc_text(hr: int) -> str:
    try:
        return f"{scard.SCardGetErrorMessage(hr)} (0x{hresult(hr):08X})"
    except Exception:  # noqa: BLE001 - only for a log line
        return f"0x{hresult(hr):08X}"


def establish_context() -> int:
    """A PC/SC context; ReaderServiceUnavailable when the service is not running."""
    try:
        hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    except Exception as e:  # noqa: BLE001 - pyscard raises its own exceptions from some builds
        raise ReaderServiceUnavailable(f"SCardEstablishContext failed: {e}") from None
    if hr != scard.SCARD_S_SUCCESS:
        if hresult(hr) in SERVICE_GONE:
            raise ReaderServiceUnavailable(f"PC/SC service not available: {pcsc_text(hr)}")
        raise CardCommunicationError(f"SCardEstablishContext: {pcsc_text(hr)}")
    return context


def release_context(context: int) -> None:
    try:
        scard.SCardReleaseContext(context)
    except Exception:  # noqa: BLE001 - the service may be gone already
        pass


def list_reader_names(context: int) -> list[str]:
    """The readers PC/SC knows now ([] when none is connected)."""
    hr, names = scard.SCardListReaders(context, [])
    code = hresult(hr)
    if code == E_NO_READERS or (hr == scard.SCARD_S_SUCCESS and not names):
        return []
    if code in SERVICE_GONE:
        raise ReaderServiceUnavailable(f"SCardListReaders: {pcsc_text(hr)}")
    if hr != scard.SCARD_S_SUCCESS:
        raise CardCommunicationError(f"SCardListReaders: {pcsc_text(hr)}")
    return list(names)


def card_presence(context: int, names: list[str]) -> dict[str, tuple[bool, bool, bytes]]:
    """For each reader: (card present, card held exclusively by someone, ATR)."""
    if not names:
        return {}
    hr, states = scard.SCardGetStatusChange(context, 0, [(n, scard.SCARD_STATE_UNAWARE) for n in names])
    code = hresult(hr)
    if code in SERVICE_GONE:
        raise ReaderServiceUnavailable(f"SCardGetStatusChange: {pcsc_text(hr)}")
    if code in READER_GONE:
        raise ReaderUnplugged(f"SCardGetStatusChange: {pcsc_text(hr)}")
    if hr != scard.SCARD_S_SUCCESS and code != E_TIMEOUT:
        raise CardCommunicationError(f"SCardGetStatusChange: {pcsc_text(hr)}")
    out = {}
    for name, event, atr in states:
        out[name] = (bool(event & scard.SCARD_STATE_PRESENT), bool(event & scard.SCARD_STATE_EXCLUSIVE), bytes(atr))
    return out


class CardSession:
    """An exclusive connection to the card on one reader. Use as a context manager; `close`
    resets the card (the PIN state ends with the session)."""

    def __init__(self, reader: str, *, context: int | None = None, clock: Callable[[], float] = time.perf_counter):
        self.reader = reader
        self.clock = clock
        self.apdus = 0
        self.transmit_seconds = 0.0
        self._own_context = context is None
        self._context = context
        self._card: int | None = None
        self._protocol = 0

    # -- life -------------------------------------------------------------------------------
    def open(self) -> "CardSession":
        if self._context is None:
            self._context = establish_context()
        try:
            hr, card, protocol = scard.SCardConnect(
                self._context, self.reader, scard.SCARD_SHARE_EXCLUSIVE, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
            )
        except Exception as e:  # noqa: BLE001 - a reader name pyscard cannot even pass on
            self._release()
            raise ReaderUnplugged(f"SCardConnect({self.reader!r}) failed: {e}") from None
        if hr != scard.SCARD_S_SUCCESS:
            self._release()
            raise self._connect_error(hr)
        self._card, self._protocol = card, protocol
        return self

    def _connect_error(self, hr: int) -> CardError:
        code = hresult(hr)
        line = f"SCardConnect({self.reader!r}): {pcsc_text(hr)}"
        if code in SERVICE_GONE:
            return ReaderServiceUnavailable(line)
        if code in READER_GONE:
            return ReaderUnplugged(line)
        if code in CARD_GONE:
            return NoCard(line)
        if code == E_SHARING_VIOLATION:
            return CardInUse(line)
        if code in (W_UNRESPONSIVE_CARD, W_UNPOWERED_CARD):
            return CardCommunicationError(line, "カードが応答しません。カードの向きと置き方を確認して、置き直してください。")
        return CardCommunicationError(line)

    def close(self) -> None:
        """Ends the session with a card reset (so the PIN is no longer verified)."""
        if self._card is not None:
            try:
                scard.SCardDisconnect(self._card, scard.SCARD_RESET_CARD)
            except Exception:  # noqa: BLE001 - the card or reader may be gone
                pass
            self._card = None
        self._release()

    def _release(self) -> None:
        if self._own_context and self._context is not None:
            release_context(self._context)
            self._context = None

    def __enter__(self) -> "CardSession":
        if self._card is None:
            self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- commands ---------------------------------------------------------------------------
    def transmit(self, command: Command) -> Response:
        """Sends one command; 61xx (more data) and 6Cxx (wrong Le) are followed up here, so the
        caller sees the card's final answer. Transport failures raise CardError subclasses."""
        response = self.transmit_raw(command.to_bytes(), command.name)
        if response.sw >> 8 == 0x6C and command.le is not None:  # wrong Le: send again with the exact one
            exact = response.sw & 0xFF or 256
            response = self.transmit_raw(Command(command.cla, command.ins, command.p1, command.p2, command.data, exact).to_bytes(), command.name)
        if response.sw >> 8 != 0x61:
            return response
        data = response.data
        while response.sw >> 8 == 0x61:  # T=0: the rest waits for GET RESPONSE
            response = self.transmit_raw(Command(0x00, apdu.INS_GET_RESPONSE, 0, 0, le=response.sw & 0xFF or 256).to_bytes(), "GET RESPONSE")
            data += response.data
        return Response(data, response.sw)

    def transmit_raw(self, raw: bytes | bytearray, name: str = "") -> Response:
        if self._card is None:
            raise CardCommunicationError("transmit on a closed session")
        started = self.clock()
        try:
            hr, answer = scard.SCardTransmit(self._card, self._protocol, list(raw))
        except Exception as e:  # noqa: BLE001 - pyscard's own exception types differ by version
            hr, answer = getattr(e, "hresult", scard.SCARD_F_UNKNOWN_ERROR), []
        finally:
            self.transmit_seconds += self.clock() - started
            self.apdus += 1
        if hr != scard.SCARD_S_SUCCESS:
            raise self._transmit_error(hr, name or apdu.describe(bytes(raw)))
        try:
            return Response.from_bytes(bytes(answer))
        except ValueError:
            # no status word: some drivers (vpcd) answer that way when the card has just gone
            line = f"{name} on {self.reader!r}: {len(answer)} bytes back, no status word"
            gone = self._card_gone()
            if gone is not None:
                gone.args = (f"{line}; {gone.args[0]}",)
                raise gone from None
            raise CardCommunicationError(line) from None

    def _transmit_error(self, hr: int, name: str) -> CardError:
        code = hresult(hr)
        line = f"{name} on {self.reader!r}: {pcsc_text(hr)}"
        if code in SERVICE_GONE:
            return ReaderServiceUnavailable(line)
        if code in READER_GONE:
            return ReaderUnplugged(line)
        if code in CARD_GONE or code == W_RESET_CARD:
            return CardRemoved(line)
        # Readers and drivers differ (vpcd says "not transacted" when the card has gone): ask
        # PC/SC what happened to the card before calling it a communication error.
        gone = self._card_gone()
        if gone is not None:
            gone.args = (f"{line}; {gone.args[0]}",)
            return gone
        return CardCommunicationError(line)

    def _card_gone(self) -> CardError | None:
        deadline = self.clock() + REMOVAL_WAIT_MS / 1000
        state = scard.SCARD_STATE_PRESENT
        while True:
            left = int((deadline - self.clock()) * 1000)
            if left <= 0 or self._context is None:
                return None
            hr, states = scard.SCardGetStatusChange(self._context, left, [(self.reader, state)])
            code = hresult(hr)
            if code in READER_GONE:
                return ReaderUnplugged("the reader went away")
            if code in SERVICE_GONE:
                return ReaderServiceUnavailable("the PC/SC service stopped")
            if hr != scard.SCARD_S_SUCCESS:
                return None
            _, event, _ = states[0]
            if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                return ReaderUnplugged("the reader went away")
            if event & scard.SCARD_STATE_EMPTY:
                return CardRemoved("the card was removed")
            state = event & ~scard.SCARD_STATE_CHANGED


def select_application(session: CardSession, aid: bytes) -> bool:
    """SELECT the application; False when the card does not have it."""
    r = session.transmit(apdu.select_df(aid))
    if r.ok:
        return True
    if r.sw in (apdu.SW_FILE_NOT_FOUND, apdu.SW_WRONG_P1P2, apdu.SW_INS_NOT_SUPPORTED, apdu.SW_CLA_NOT_SUPPORTED,
                apdu.SW_WRONG_DATA, apdu.SW_CONDITIONS_NOT_SATISFIED):
        return False
    raise CardCommunicationError(f"SELECT application answered {r.sw:04X}")


def open_application(aid: bytes, reader: str | None = None, *, clock: Callable[[], float] = time.perf_counter) -> CardSession:
    """An exclusive session with the application `aid` selected, on `reader` or on whichever
    reader holds a card that has it. Raises NoReader, ReaderUnplugged, NoCard, NotMyNumberCard,
    SeveralCards, CardInUse, ReaderServiceUnavailable."""
    context = establish_context()
    try:
        names = list_reader_names(context)
        if not names:
            raise NoReader("no PC/SC reader is connected")
        if reader:
            if reader not in names:
                raise ReaderUnplugged(f"reader {reader!r} is not connected (readers: {names})",
                                      f"カードリーダー「{reader}」が見つかりません。接続を確認してください。")
            candidates = [reader]
        else:
            presence = card_presence(context, names)
            candidates = sorted(n for n, (present, _exclusive, _atr) in presence.items() if present)
            if not candidates:
                raise NoCard(f"no card on any of {len(names)} reader(s)")
    finally:
        release_context(context)

    found: CardSession | None = None
    busy: CardError | None = None
    other = 0
    for name in candidates:
        session = CardSession(name, clock=clock)
        try:
            session.open()
            has_app = select_application(session, aid)
        except (CardInUse, NoCard, CardRemoved) as e:
            session.close()
            if len(candidates) == 1:
                raise
            busy = busy or e
            continue
        except BaseException:
            session.close()
            if found is not None:
                found.close()
            raise
        if not has_app:
            session.close()
            other += 1
            continue
        if found is not None:
            session.close()
            found.close()
            raise SeveralCards(f"the application is on cards in {found.reader!r} and {name!r}")
        found = session
    if found is not None:
        return found
    if busy is not None and other == 0:
        raise busy
    raise NotMyNumberCard(f"no card on {candidates} has application {aid.hex().upper()}")
