"""Documents as files in one directory (``STORAGE_DIR``), written atomically, never overwritten.

The caller hands encrypted bytes only; file names are the opaque keys the caller makes, fanned
out over subdirectories by their first two characters so no directory grows too large.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

KEY = re.compile(r"^[A-Za-z0-9_-]{16,80}$")


class FilesystemStorage:
    name = "filesystem"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY.match(key):  # a key never walks out of the directory
            raise KeyError(key)
        return self.root / key[:2] / key

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.exists():
            raise FileExistsError(key)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except KeyError:
            pass
