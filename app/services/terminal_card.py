"""What the login screen shows before anyone logs in: the terminal's name, office and registry.
Nothing personal is readable yet (the cache is still locked), and nothing heavy is loaded."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.sync.identity import REVOKED_FILE, TerminalIdentity
from domain.addresses import ward_by_code


@dataclass(frozen=True)
class TerminalCard:
    terminal_id: str
    name: str
    ward_code: str
    ward_name: str
    registry_url: str
    revoked: bool


def terminal_card(directory: Path) -> TerminalCard:
    """NotEnrolled (Japanese .message) when this folder holds no terminal."""
    directory = Path(directory)
    identity = TerminalIdentity.load(directory)
    try:
        ward = ward_by_code(identity.ward_code).name
    except KeyError:
        ward = ""
    return TerminalCard(identity.terminal_id, identity.name, identity.ward_code, ward, identity.registry_url, (directory / REVOKED_FILE).exists())
