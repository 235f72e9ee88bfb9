"""Getting files from the internet safely: one download function and one file-hash function.

Every download in the course goes through :func:`download`: darknet models and sample
images (section 6.8), the trained checkpoints outside a clone (:mod:`helpers.checkpoints`).
It tries each source in turn, streams to ``<name>.part`` and renames only a complete file
whose checksum matches, so an interrupted or wrong download never sits in a cache under the
real name.  :func:`file_hash` checks files already on disk (SHA-256, or the MD5 that
CUB-200-2011 and Keras publish).
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path


class DownloadError(RuntimeError):
    """No source gave the file, or none gave it with the expected checksum."""


def file_hash(path, algorithm: str = "sha256", progress: bool = False) -> str:
    """Hex digest of a file (``"sha256"`` or ``"md5"``), read in 1 MiB chunks.

    ``progress=True`` shows a progress bar (useful for the 1.1 GB CUB archive).

    Example:
        >>> import hashlib
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


def download(urls, dest, sha256: str | None = None, progress: bool = True, timeout: float = 30,
             next_step: str | None = None) -> Path:
    """Fetch ``dest`` from the first of ``urls`` that works and whose bytes match ``sha256``.

    Each source is streamed to ``<dest>.part`` in the same folder and renamed to ``dest`` only
    when complete and verified, so a failed or interrupted download never leaves a half file
    under the real name.  Raises :class:`DownloadError` listing every source's error and
    ``next_step`` (what the user can do instead; by default, put the file there by hand).

    Example:
        >>> from pathlib import Path
        >>> import tempfile
        >>> source = Path(tempfile.mkdtemp()) / "hello.txt"
        >>> _ = source.write_text("hello")
        >>> download(source.as_uri(), source.with_name("copy.txt"), progress=False).read_text()
        'hello'
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    urls = [urls] if isinstance(urls, str) else list(urls)
    errors = []
    for url in urls:
        part = dest.with_name(dest.name + ".part")
        try:
            _fetch(url, part, progress, timeout)
            if sha256 is not None:
                found = file_hash(part)
                if found != sha256.lower():
                    raise ValueError(f"SHA-256 is {found[:12]}…, expected {sha256[:12]}… (wrong or damaged file)")
            os.replace(part, dest)
            return dest
        except (OSError, ValueError) as error:   # URLError and HTTPError are OSErrors
            errors.append(f"  {url}: {error}")
        finally:
            part.unlink(missing_ok=True)
    next_step = next_step or f"download the file yourself and put it at {dest}"
    raise DownloadError(
        f"could not download {dest.name} from any of {len(urls)} source(s):\n" + "\n".join(errors) +
        f"\nNext step: check the internet connection, or {next_step}."
    )


def _fetch(url: str, part: Path, progress: bool, timeout: float) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "ch6-cnn-notebooks"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, unit="B", unit_scale=True, desc=part.name[:-5], leave=False)
        try:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
        if total is not None and out.tell() != total:
            raise ValueError(f"connection closed after {out.tell():,} of {total:,} bytes")
