"""Who this terminal is (terminal.json): read without opening anything else, so the login screen
can name the terminal before the heavy parts of the program are loaded."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from app.store.files import atomic_write_bytes

IDENTITY_FILE = "terminal.json"
REVOKED_FILE = "revoked"


class NotEnrolled(Exception):
    message = "この端末はまだ登録されていません。`madoguchi enrol --registry URL --code 登録コード` で登録してください。"


@dataclass(frozen=True)
class TerminalIdentity:
    terminal_id: str
    registry_url: str
    certificate: str
    registry_public_key: str
    name: str
    kind: str
    ward_code: str
    scope: str

    @classmethod
    def load(cls, directory: Path) -> "TerminalIdentity":
        path = Path(directory) / IDENTITY_FILE
        if not path.exists():
            raise NotEnrolled(str(path))
        return cls(**orjson.loads(path.read_bytes()))

    def save(self, directory: Path) -> None:
        atomic_write_bytes(Path(directory) / IDENTITY_FILE, orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2), mode=0o600)
