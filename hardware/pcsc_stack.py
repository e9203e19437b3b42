"""A real PC/SC stack without hardware, for tests, benchmarks and demos: pcscd started with a
private reader configuration holding one vsmartcard vpcd entry, which gives two virtual readers
("Madoguchi Virtual Reader 00 00" and "… 00 01") listening on two TCP ports for virtual cards.

    stack = PcscStack().start()             # starts pcscd, or joins the one a stack started before
    with stack.lease() as slot:             # a reader of our own (slot.reader, slot.port)
        link = VpcdLink(card, slot.port).start()
    stack.stop()                            # stops pcscd if this stack started it and no one uses it

Facts this relies on (measured on Debian 12, pcscd 1.9.9, vsmartcard-vpcd 0.8):
- Only one pcscd runs per machine (its socket and pid file in /run/pcscd are compiled in). A stack
  that finds one a stack started (state file in the stack folder, pid alive) joins it — and takes
  it over, to stop it at the end, when the process that started it is gone; a pcscd no stack
  started is reported, never killed. After a hard kill, stale /run/pcscd files block the
  next start: they are removed, but only when no pcscd process exists.
- One vpcd entry serves two slots on ports P and P+1. vpcd keeps its slots in one global table,
  so a second vpcd entry in the same pcscd shares (and breaks) the first one's slots: two readers
  are what one pcscd can offer.
- If a port is taken, pcscd starts with no reader at all: readers are waited for, with a bound.
- Each slot is leased with an flock, so a test run and a benchmark started from it can share the
  daemon without two cards on one reader.
- Stopped with SIGTERM (pcscd needs about 2 s to exit); never started with -a or -d, which would
  log APDUs (PINs included).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_RUN_DIR = Path("/run/pcscd")
READER_NAME = "Madoguchi Virtual Reader"
SLOTS = 2
STATE_FILE = "state.json"


class PcscStackError(RuntimeError):
    """The stack cannot be started; the message says why and what to do (English: for IT staff
    and test output)."""


@dataclass(frozen=True)
class Slot:
    """One virtual reader: its PC/SC name and the vpcd port a virtual card connects to."""

    index: int
    port: int
    reader: str


def default_directory() -> Path:
    return Path(os.environ.get("MADOGUCHI_PCSC_DIR") or Path(tempfile.gettempdir()) / f"madoguchi-pcsc-{os.getuid()}")


def pcscd_pids() -> list[int]:
    """Every pcscd process on the machine (by /proc/<pid>/comm)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "pcscd":
                stat = (entry / "stat").read_text()
                if stat[stat.rindex(")") + 2] != "Z":  # a zombie is no daemon
                    pids.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return pids


def _listening(path: Path) -> bool:
    """Whether something accepts connections on the UNIX socket `path` (a stale one refuses)."""
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True


def _may_write_run_dir() -> bool:
    if os.geteuid() == 0:
        return True
    target = PCSCD_RUN_DIR if PCSCD_RUN_DIR.exists() else PCSCD_RUN_DIR.parent
    return os.access(target, os.W_OK)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _alive(pid: int) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ports_free(port: int, count: int) -> bool:
    for p in range(port, port + count):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("0.0.0.0", p))
            except OSError:
                return False
    return True


def free_port_range(count: int = SLOTS) -> int:
    """A first port P with P..P+count-1 free (vpcd binds them on every interface)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("0.0.0.0", 0))
            port = s.getsockname()[1]
        if port + count < 65536 and _ports_free(port, count):
            return port
    raise PcscStackError("no free pair of TCP ports for the virtual readers")


def reader_config(port: int, name: str = READER_NAME, driver: Path = VPCD_DRIVER) -> str:
    return (
        f'FRIENDLYNAME "{name}"\n'
        f"DEVICENAME   /dev/null:0x{port:04X}\n"
        f"LIBPATH      {driver}\n"
        f"CHANNELID    0x{port:04X}\n"
    )


def reader_names(name: str = READER_NAME) -> list[str]:
    return [f"{name} 00 {i:02d}" for i in range(SLOTS)]


def _listed_readers() -> list[str] | None:
    """The readers PC/SC lists now; None when the service does not answer."""
    from smartcard import scard

    hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return None
    try:
        hr, names = scard.SCardListReaders(context, [])
        return list(names) if hr == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(context)


class PcscStack:
    """pcscd with our two virtual readers; see the module's docstring."""

    def __init__(self, directory: Path | None = None, *, pcscd: str = "pcscd", driver: Path = VPCD_DRIVER):
        self.directory = Path(directory) if directory else default_directory()
        self.pcscd = pcscd
        self.driver = driver
        self.owner = False
        self.pid: int | None = None
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        # pcscd writes /run/pcscd: as root, or through sudo (as `make` does) for a CI user
        self._sudo = [] if _may_write_run_dir() else ["sudo", "-n"]

    @property
    def slots(self) -> list[Slot]:
        if self.port is None:
            raise PcscStackError("the stack is not started")
        return [Slot(i, self.port + i, name) for i, name in enumerate(reader_names())]

    # -- start and stop ------------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> "PcscStack":
        self._check_installed()
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._setup_lock():
            running = pcscd_pids()
            state = self._read_state()
            if running:
                if state and state.get("pid") in running:
                    self.pid, self.port = state["pid"], state["port"]
                    # left behind by a run that ended without stopping it (killed): this stack
                    # takes it over and stops it when done; else it only joins
                    self.owner = not _alive(state.get("owner", 0))
                    if self.owner:
                        self._write_state()
                    log.info("%s pcscd %s started earlier by a stack (vpcd ports %d, %d)",
                             "taking over" if self.owner else "joining", self.pid, self.port, self.port + 1)
                    self._wait_for_readers(timeout)
                    return self
                raise PcscStackError(
                    f"a pcscd not started by madoguchi is running (pid {', '.join(map(str, running))}). Only one pcscd can run "
                    "on a machine: stop it first (systemctl stop pcscd.socket pcscd), then run again."
                )
            self._clean_stale_run_files()
            self.port = free_port_range()
            conf_dir = self.directory / "reader.conf.d"
            shutil.rmtree(conf_dir, ignore_errors=True)
            conf_dir.mkdir()
            (conf_dir / "vpcd").write_text(reader_config(self.port, driver=self.driver))
            log_path = self.directory / "pcscd.log"
            with open(log_path, "wb") as out:
                self._process = subprocess.Popen(
                    [*self._sudo, self.pcscd, "-f", "-c", str(conf_dir)],
                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True,  # a Ctrl-C in the terminal reaches the tests, not the daemon
                )
            self.pid, self.owner = self._pcscd_pid(self._process), True
            self._write_state()
            try:
                self._wait_for_readers(timeout)
            except PcscStackError:
                self._terminate()
                raise
            log.info("pcscd %s started with virtual readers on ports %d, %d", self.pid, self.port, self.port + 1)
            return self

    def stop(self) -> None:
        """Stops pcscd if this stack started it and no other process holds a slot of it."""
        if not self.owner or self.pid is None:
            return
        with self._setup_lock():
            held = [s.index for s in self.slots if self._slot_busy(s.index)]
            if held:
                log.warning("pcscd %s left running: slot(s) %s are still leased by another process", self.pid, held)
                return
            self._terminate()
            (self.directory / STATE_FILE).unlink(missing_ok=True)
        self.owner = False

    def _terminate(self) -> None:
        pid = self.pid
        if pid is None:
            return
        self._signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and pid in pcscd_pids():
            if self._process is not None:
                self._process.poll()
            time.sleep(0.05)
        if pid in pcscd_pids():
            log.warning("pcscd %s did not stop on SIGTERM: killing it", pid)
            self._signal(pid, signal.SIGKILL)
            time.sleep(0.2)
            self._clean_stale_run_files()
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=2)
        self.pid = None

    def _signal(self, pid: int, sig: int) -> None:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:  # started through sudo
            subprocess.run([*(self._sudo or ["sudo", "-n"]), "kill", f"-{int(sig)}", str(pid)], capture_output=True, timeout=30)

    def _pcscd_pid(self, process: subprocess.Popen) -> int:
        """pcscd's own pid (through sudo, the child is sudo: the daemon is its child)."""
        if not self._sudo:
            return process.pid
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for pid in pcscd_pids():
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text()
                    if int(stat[stat.rindex(")") + 2:].split()[1]) in (process.pid, *(_children(process.pid))):
                        return pid
                except (OSError, ValueError, IndexError):
                    continue
            time.sleep(0.05)
        return process.pid

    def _check_installed(self) -> None:
        if shutil.which(self.pcscd) is None:
            raise PcscStackError(f"{self.pcscd} is not installed (Debian: apt-get install pcscd; `make test` installs it)")
        if not self.driver.exists():
            raise PcscStackError(f"the vpcd driver {self.driver} is not installed (Debian: apt-get install vsmartcard-vpcd)")

    def _clean_stale_run_files(self) -> None:
        if pcscd_pids():
            return
        comm = PCSCD_RUN_DIR / "pcscd.comm"
        if _listening(comm):  # e.g. systemd's pcscd.socket: a pcscd starts on the first client
            raise PcscStackError(
                f"{comm} is served by another pcscd (systemd socket activation?). Only one pcscd can run on a "
                "machine: stop it first (sudo systemctl stop pcscd.socket pcscd), then run again."
            )
        for name in ("pcscd.comm", "pcscd.pid"):
            path = PCSCD_RUN_DIR / name
            if not path.exists():
                continue
            try:
                if self._sudo:
                    subprocess.run([*self._sudo, "rm", "-f", str(path)], check=True, capture_output=True, timeout=30)
                else:
                    path.unlink()
                log.info("removed stale %s", path)
            except (OSError, subprocess.SubprocessError) as e:
                raise PcscStackError(f"cannot remove stale {path} ({e}): remove it as root, then run again") from None

    def _wait_for_readers(self, timeout: float) -> None:
        wanted = set(reader_names())
        deadline = time.monotonic() + timeout
        listed: list[str] | None = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise PcscStackError(f"pcscd exited (code {self._process.returncode}): {self._log_tail()}")
            listed = _listed_readers()
            if listed is not None and wanted <= set(listed):
                return
            time.sleep(0.05)
        raise PcscStackError(
            f"the virtual readers did not appear within {timeout:.0f} s (listed: {listed}); "
            f"is a vpcd port taken? {self._log_tail()}"
        )

    def _log_tail(self) -> str:
        try:
            return " | ".join((self.directory / "pcscd.log").read_text(errors="replace").splitlines()[-5:])
        except OSError:
            return ""

    # -- state and leases ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _setup_lock(self):
        with open(self.directory / "setup.lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _read_state(self) -> dict | None:
        try:
            return json.loads((self.directory / STATE_FILE).read_text())
        except (OSError, ValueError):
            return None

    def _write_state(self) -> None:
        (self.directory / STATE_FILE).write_text(json.dumps({"pid": self.pid, "port": self.port, "readers": reader_names(), "owner": os.getpid()}))

    def _slot_busy(self, index: int) -> bool:
        with open(self.directory / f"slot-{index}.lock", "w") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
            return False

    @contextlib.contextmanager
    def lease(self, index: int | None = None, *, timeout: float = 60.0):
        """A slot no other process uses while the block runs (the given one, or any free one)."""
        wanted = [index] if index is not None else list(range(SLOTS))
        deadline = time.monotonic() + timeout
        while True:
            for i in wanted:
                f = open(self.directory / f"slot-{i}.lock", "w")
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    f.close()
                    continue
                try:
                    yield self.slots[i]
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)
                    f.close()
                return
            if time.monotonic() > deadline:
                raise PcscStackError(f"virtual reader slot(s) {wanted} stayed busy for {timeout:.0f} s")
            time.sleep(0.1)
