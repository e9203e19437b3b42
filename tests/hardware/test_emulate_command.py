"""`madoguchi card emulate --with-pcscd --control-port N`: the demo's one command joins this run's
pcscd, takes a free reader and is driven over its control port (no card fixtures in this module:
both readers are free for it)."""
from __future__ import annotations

import socket
import subprocess
import sys

from hardware import mynumber
from hardware.pcsc_stack import free_port_range, pcscd_pids
from tests.hardware.fixtures import wait_for_card


def control(port: int, command: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s, s.makefile("rw", encoding="utf-8") as f:
        f.write(command + "\n")
        f.flush()
        return f.readline().strip()


def test_emulate_with_pcscd_and_a_control_port(pcsc_stack):
    port = free_port_range(1)
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "card", "emulate", "--with-pcscd", "--control-port", str(port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = proc.stdout.readline()
        assert "見本\u3000花子" in banner and "Madoguchi Virtual Reader 00 0" in banner, proc.stderr.read() if proc.poll() is not None else banner
        reader = banner.split("カードリーダー ")[1].split("）")[0]
        wait_for_card(reader, True)
        info = mynumber.read_card("1234", reader)
        assert info.name == "見本\u3000花子" and info.masked_number == "********9018"
        assert control(port, "remove") == "removed"
        wait_for_card(reader, False)
        assert control(port, "insert") == "inserted"
        wait_for_card(reader, True)
        assert control(port, "nonsense").startswith("unknown command")
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    wait_for_card(reader, False)  # quitting takes the card away
    assert pcsc_stack.pid in pcscd_pids()  # it joined this run's pcscd and left it running
