"""No data leaves the device: the desktop window creates no inet socket at all.

pytest-socket only sees Python's socket module; Qt or pdfium would use C sockets. So the
window runs in a child process under ``strace -f`` and we assert that no AF_INET/AF_INET6
socket was even created. Every command-line task (OCR, the model, packs from a folder…)
is covered by tests/security/test_egress.py, inside a network namespace.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("strace") is None or sys.platform != "linux",
                                reason="needs strace on Linux")

INET = re.compile(r"socket\((AF_INET|AF_INET6|PF_INET|PF_INET6)\b")


def _traced(tmp_path: Path, name: str, argv: list[str], timeout: float, env: dict | None = None,
            ok_codes=(0,)) -> str:
    trace = tmp_path / f"{name}.strace"
    for _attempt in range(2):
        proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(trace), *argv],
                              cwd=REPO, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
        # strace's own race on a busy machine: a traced process ended while strace held it in a
        # group-stop ("ptrace(PTRACE_LISTEN, …): Input/output error"); that says nothing about
        # our program, so the trace is taken once more (a second such error still fails below)
        if not ("PTRACE_LISTEN" in proc.stderr and "Input/output error" in proc.stderr):
            break
    if "ptrace" in proc.stderr and "Operation not permitted" in proc.stderr:
        pytest.skip("ptrace not permitted here")
    assert proc.returncode in ok_codes, f"{name}: rc={proc.returncode}\n{proc.stderr[-2000:]}"
    return trace.read_text(errors="replace")


def _assert_offline(log: str, name: str) -> None:
    hits = [line for line in log.splitlines() if INET.search(line)]
    assert hits == [], f"{name} created inet sockets:\n" + "\n".join(hits[:10])


@pytest.mark.slow      # the traced window runs for its whole 12 s timeout
def test_desktop_window_start_creates_no_inet_socket(ja_corpus, tmp_path):
    pytest.importorskip("PySide6")
    docx = ja_corpus / "law_denshi-shomei_412AC0000000102.docx"
    home = tmp_path / "home"
    # The window opens the document, then the timeout ends it (rc 124 is expected).
    log = _traced(tmp_path, "ui", ["timeout", "-s", "TERM", "12", sys.executable, "-m", "gennai_desktop", str(docx)],
                  timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "GENNAI_HOME": str(home)},
                  ok_codes=(0, 124, -15, 143))
    _assert_offline(log, "desktop window")
    # proof that the window really got as far as opening the document: it is in the recent
    # files, which live in the encrypted store (same passphrase as the child: os.environ)
    from gennai_desktop.storage import open_store
    store = open_store(home / "store", create=False)
    assert docx.resolve() in [Path(p).resolve() for p in store.recent()]
    store.close()
