"""Writing and checking files safely: one atomic write, one file hash.

Every file the project writes (results, checkpoints, saved models, downloads, prepared
data sets, notebooks rewritten by tools) goes through :func:`atomic_write`: it is written
under a temporary name in the same folder and renamed over the real name only when the
writing finished, so an interrupted run never leaves a half-written file under the real name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path):
    """Yield a temporary path beside ``path``; rename it to ``path`` when the block succeeds.

    The temporary name keeps the suffix (``.keras``, ``.npz`` …), since some writers choose
    the format from it.  If the block raises, the temporary file is removed and ``path`` is
    left as it was.  The folder is created if needed.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "result.json"
        >>> with atomic_write(target) as temporary:
        ...     _ = temporary.write_text("{}")
        >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
        ('{}', ['result.json'])
        >>> try:
        ...     with atomic_write(target) as temporary:
        ...         _ = temporary.write_text("half")
        ...         raise KeyboardInterrupt
        ... except KeyboardInterrupt:
        ...     pass
        >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
        ('{}', ['result.json'])
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
    """Hex digest of a file (``"sha256"`` or ``"md5"``), read in 1 MiB chunks.

    ``progress=True`` shows a progress bar (useful for the 1.1 GB CUB archive).

    Example:
        >>> file_hash(__file__) == hashlib.sha256(open(__file__, "rb").read()).hexdigest()
        True
    """
    digest = hashlib.new(algorithm)
    size = os.path.getsize(path)
    from tqdm.auto import tqdm

    with open(path, "rb") as handle, tqdm(total=size, desc=f"{algorithm.upper()} {Path(path).name}",
                                          disable=not progress, unit="B", unit_scale=True,
                                          leave=False) as bar:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()
