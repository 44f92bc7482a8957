"""Fetch TUF metadata and targets from a folder (USB stick, shared folder) like from HTTP.

python-tuf's built-in fetcher only speaks HTTP(S). ``DirectoryFetcher`` serves
``file:`` URLs below one root folder through the same ``FetcherInterface``, so the
mirror and the courier bundle go through exactly the same verification. A missing file
must raise ``DownloadHTTPError(..., 404)``: that is how the root-rotation loop ends.
Anything that resolves outside the root (``..``, ``%2e%2e``, symlinks) or is not a
regular file is refused as 403.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from tuf.api.exceptions import DownloadHTTPError
from tuf.ngclient.fetcher import FetcherInterface

from .names import inside

CHUNK = 256 * 1024


class DirectoryFetcher(FetcherInterface):
    """Reads ``file:`` URLs, but only inside ``root``."""

    def __init__(self, root: Path | str, chunk_size: int = CHUNK) -> None:
        self.root = Path(root).resolve()
        self.chunk_size = chunk_size

    def _fetch(self, url: str) -> Iterator[bytes]:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise DownloadHTTPError(f"not a local file URL: {url}", 400)
        path = Path(url2pathname(unquote(parsed.path)))
        if not inside(self.root, path):
            raise DownloadHTTPError(f"outside the bundle folder: {url}", 403)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise DownloadHTTPError(f"not found: {url}", 404) from None
        if not path.is_file():
            raise DownloadHTTPError(f"not a regular file: {url}", 403 if path.exists() else 404)
        fh = open(path, "rb")  # noqa: SIM115 - closed by the generator below
        return self._chunks(fh, st.st_size)

    def _chunks(self, fh, _size: int) -> Iterator[bytes]:
        with fh:
            while True:
                block = fh.read(self.chunk_size)
                if not block:
                    return
                yield block


def folder_urls(folder: Path | str) -> tuple[str, str]:
    """(metadata URL, targets URL) for a bundle folder laid out as metadata/ + targets/."""
    base = Path(folder).resolve().as_uri().rstrip("/")
    return f"{base}/metadata/", f"{base}/targets/"


def is_local_url(url: str) -> bool:
    return urlparse(url).scheme == "file"

