"""Where uploaded files live: a small interface so object storage can replace the disk later.

Keys are relative paths (`logos/ab12…-256.webp`). Public uploads (logos, product photos) and private ones
(verification documents) live under two separate roots; `/media/` serves only the public one, and only what
resolves inside it. Documents stored before the split, under `private/` in the public root, are still read
there by the private storage and never served.
"""

import os
import tempfile
from pathlib import Path

from flask import current_app

LEGACY_PRIVATE_PREFIX = "private/"


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

    def servable_path(self, key: str) -> Path | None:
        """The file `/media/<key>` may send: a file inside this root once the key is resolved (`.`, `..`,
        encoded or not), and never one under the legacy `private/` folder. None otherwise."""
        try:
            path = self._path(key)
        except ValueError:
            return None
        legacy_private = (self.root / LEGACY_PRIVATE_PREFIX).resolve()
        if path == legacy_private or legacy_private in path.parents or not path.is_file():
            return None
        return path


class PrivateStorage(LocalStorage):
    """Verification documents: never under the public root; read also from where they were kept before."""

    def __init__(self, root: str | Path, legacy_root: str | Path):
        super().__init__(root)
        self.legacy = LocalStorage(legacy_root)

    def _path(self, key: str) -> Path:
        path = super()._path(key)
        if key.startswith(LEGACY_PRIVATE_PREFIX) and not path.exists():
            return self.legacy._path(key)  # not yet moved out of the public root
        return path

    def servable_path(self, key: str) -> Path | None:
        return None


def get_storage() -> LocalStorage:
    """Public uploads: logos and product photos."""
    return current_app.extensions["storage"]


def get_private_storage() -> PrivateStorage:
    """Documents only the cooperative's staff and platform administrators may read."""
    return current_app.extensions["private_storage"]


def init_storage(app) -> None:
    root = Path(app.config.get("UPLOAD_ROOT") or Path(app.instance_path) / "uploads")
    private_root = app.config.get("PRIVATE_UPLOAD_ROOT") or Path(app.instance_path) / "private_uploads"
    app.extensions["storage"] = LocalStorage(root)
    app.extensions["private_storage"] = PrivateStorage(private_root, legacy_root=root)
