"""Fetch TUF metadata and targets from a folder (USB stick, shared folder) like from HTTP.

python-tuf's built-in fetcher only speaks HTTP(S). ``DirectoryFetcher`` serves
``file:`` URLs below one root folder through the same ``FetcherInterface``, so the
mirror and the courier bundle go through exactly the same verification. A missing file
must raise ``DownloadHTTPError(..., 404)``: that is how the root-rotation loop ends.
Anything that resolves outside the root (``..``, ``%2e%2e``, symlinks) or is not a
regular file is refused as 403.
"""
from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse
from urllib.request import url2pathname

from . import netquiet  # noqa: F401  - before tuf.ngclient: no AF_INET6 probe socket

# isort: split
# (the split keeps netquiet above tuf/urllib3: import order matters here)
from tuf.api.exceptions import DownloadHTTPError, SlowRetrievalError
from tuf.ngclient.fetcher import FetcherInterface

from .errors import OtherOriginRedirect, TooSlow, TransferDeadline
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



# ---- HTTP(S) mirror ---------------------------------------------------------------------------
UPDATE_DEADLINE_S = 6 * 3600.0     # a whole update (several GB over a slow ministry line)
DOWNLOAD_BASE_S = 120.0            # per file: this much, plus the time MIN_RATE allows for it
MIN_RATE = 32 * 1024               # bytes/s a download must average once past GRACE_S
GRACE_S = 30.0
CONNECT_TIMEOUT_S = 15.0
GAP_TIMEOUT_S = 30.0               # longest silence between bytes
MAX_REDIRECTS = 5
POLL_S = 0.25


def origin(url: str) -> tuple[str, str, int]:
    p = urlparse(url)
    port = p.port or (443 if p.scheme == "https" else 80)
    return (p.scheme.lower(), (p.hostname or "").lower(), port)


class MirrorFetcher(FetcherInterface):
    """HTTP(S) for one mirror, with limits python-tuf's fetcher does not have:

    * an overall deadline per update and per download, and a minimum average throughput
      after a grace period (a mirror trickling one byte every 20 s is cut off);
    * redirects followed only within the mirror's own origin (scheme, host, port);
    * no URL outside that origin is fetched at all.

    The request runs in a worker thread; the caller's generator waits on it in short steps,
    checks the limits, and shuts the socket down when one is broken (the worker then ends).
    """

    def __init__(self, base_url: str, *, user_agent: str = "GENNAI-Desktop") -> None:
        import tuf
        from tuf.ngclient._internal.proxy import ProxyEnvironment
        self.origin = origin(base_url)
        self._env = ProxyEnvironment(headers={"User-Agent": f"{user_agent} python-tuf/{tuf.__version__}"})
        self.update_start = time.monotonic()
        self.chunk_size = CHUNK

    def _update_left(self) -> float:
        return UPDATE_DEADLINE_S - (time.monotonic() - self.update_start)

    def _fetch(self, url: str) -> Iterator[bytes]:
        if origin(url) != self.origin:
            raise OtherOriginRedirect(f"not on the mirror: {url}", 403)
        if self._update_left() <= 0:
            raise TransferDeadline("the update took longer than allowed")
        q: queue.Queue = queue.Queue(maxsize=8)
        state = {"stop": False, "response": None}
        worker = threading.Thread(target=self._work, args=(url, q, state), daemon=True,
                                  name="gennai-mirror-fetch")
        worker.start()
        kind, value = self._next(q, state, time.monotonic(), 0)
        if kind == "error":
            raise value
        return self._chunks(q, state)

    # worker thread ---------------------------------------------------------------------------
    def _work(self, url: str, q: queue.Queue, state: dict) -> None:
        import urllib3

        def put(item) -> bool:
            while not state["stop"]:
                try:
                    q.put(item, timeout=POLL_S)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=GAP_TIMEOUT_S)
            for _ in range(MAX_REDIRECTS + 1):
                resp = self._env.request("GET", url, preload_content=False, redirect=False, retries=False,
                                         timeout=timeout)
                state["response"] = resp
                if resp.status in (301, 302, 303, 307, 308):
                    location = resp.headers.get("Location", "")
                    resp.release_conn()
                    target = urljoin(url, location)
                    if origin(target) != self.origin:
                        put(("error", OtherOriginRedirect(
                            f"redirect from {url} to another origin ({target}) not followed", resp.status)))
                        return
                    url = target
                    continue
                break
            else:
                put(("error", DownloadHTTPError(f"too many redirects: {url}", 310)))
                return
            if resp.status >= 400:
                resp.release_conn()
                put(("error", DownloadHTTPError(f"HTTP error occurred with status {resp.status}", resp.status)))
                return
            if not put(("start", None)):
                return
            while not state["stop"]:
                block = resp.read1(self.chunk_size)
                if not block:
                    break
                if not put(("data", block)):
                    return
            put(("end", None))
        except Exception as exc:  # noqa: BLE001 - handed to the caller's thread
            if not state["stop"]:
                if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                    slow = SlowRetrievalError(f"no data for {GAP_TIMEOUT_S:.0f} s")
                    slow.__cause__ = exc
                    exc = slow
                put(("error", exc))
        finally:
            held = state.get("response")
            if held is not None:
                with contextlib.suppress(Exception):
                    held.release_conn()

    # caller's thread -------------------------------------------------------------------------
    def _abort(self, state: dict) -> None:
        state["stop"] = True
        resp = state.get("response")
        if resp is not None:
            with contextlib.suppress(Exception):
                resp.shutdown()

    def _next(self, q: queue.Queue, state: dict, started: float, received: int):
        while True:
            now = time.monotonic()
            elapsed = now - started
            if self._update_left() <= 0:
                self._abort(state)
                raise TransferDeadline("the update took longer than allowed")
            if elapsed > DOWNLOAD_BASE_S + received / MIN_RATE + GRACE_S:
                self._abort(state)
                raise TransferDeadline(f"download took {elapsed:.0f} s")
            if elapsed > GRACE_S and received / elapsed < MIN_RATE:
                self._abort(state)
                raise TooSlow(f"{received / elapsed:.0f} bytes/s after {elapsed:.0f} s")
            try:
                return q.get(timeout=POLL_S)
            except queue.Empty:
                continue

    def _chunks(self, q: queue.Queue, state: dict) -> Iterator[bytes]:
        started = time.monotonic()
        received = 0
        try:
            while True:
                kind, value = self._next(q, state, started, received)
                if kind == "data":
                    received += len(value)
                    yield value
                elif kind == "end":
                    return
                elif kind == "error":
                    raise value
        finally:
            self._abort(state)
