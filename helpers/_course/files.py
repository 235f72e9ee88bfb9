"""Writing and checking files: one atomic write, one file hash, one checksum check."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

_NAMES = {"sha256": "SHA-256", "md5": "MD5"}


class WrongFileError(ValueError):
    """A file's checksum is not the expected one: damaged, incomplete or a different file."""


@contextlib.contextmanager
def atomic_write(path):
    """Yield a temporary path beside ``path`` (same suffix); rename it to ``path`` only if the block succeeds.

    An interrupted or failed write leaves ``path`` as it was and no temporary file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".part{path.suffix}")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(0o644)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def file_hash(path, algorithm: str = "sha256", progress: bool = False) -> str:
    """Hex digest of a file (``"sha256"`` or ``"md5"``), read in 1 MiB chunks (a progress bar if asked)."""
    digest = hashlib.new(algorithm)
    from tqdm.auto import tqdm

    with open(path, "rb") as handle, tqdm(total=os.path.getsize(path), desc=f"{_NAMES[algorithm]} {Path(path).name}",
                                          disable=not progress, unit="B", unit_scale=True, leave=False) as bar:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


def check_hash(path, checksum: str, progress: bool = False) -> Path:
    """Return ``path`` if its digest is ``checksum`` (``"sha256:<hex>"`` or ``"md5:<hex>"``), else raise
    :class:`WrongFileError`: the project's one checksum comparison (downloads, checkpoints, CUB, Keras weights)."""
    algorithm, expected = checksum.split(":")
    found = file_hash(path, algorithm, progress)
    if found != expected.lower():
        name = _NAMES[algorithm]
        raise WrongFileError(f"{path}의 {name} 값이 {found[:12]}…로, 기대한 {expected[:12]}…와 다릅니다"
                             f"(덜 받았거나 손상되었거나 다른 파일). "
                             f"/ {name} is {found[:12]}…, expected {expected[:12]}…")
    return Path(path)
