"""Where uploaded files live: a small interface so object storage can replace the disk later.

Keys are relative paths (`logos/ab12…-256.webp`). Keys under `private/` are never served by `/media/`.
"""

import os
import tempfile
from pathlib import Path

from flask import current_app

PRIVATE_PREFIX = "private/"


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path:
        return self._path(key)


def get_storage() -> LocalStorage:
    return current_app.extensions["storage"]


def init_storage(app) -> None:
    root = app.config.get("UPLOAD_ROOT") or Path(app.instance_path) / "uploads"
    app.extensions["storage"] = LocalStorage(root)
