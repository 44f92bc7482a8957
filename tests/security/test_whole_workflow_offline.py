"""No data leaves the device: the whole workflow creates no inet socket at all.

pytest-socket only sees Python's socket module; llama.cpp, libxml2, Qt or pdfium would use
C sockets. So each step runs in a child process under ``strace -f`` and we assert that no
AF_INET/AF_INET6 socket was even created (SECURITY.md, test 12). The steps cover every
task on real documents, the bundled model generating, and the desktop window starting
with a document open.
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
GENNAI = [sys.executable, "-m", "gennai_desktop.cli"]


def _traced(tmp_path: Path, name: str, argv: list[str], timeout: float, env: dict | None = None,
            ok_codes=(0,)) -> str:
    trace = tmp_path / f"{name}.strace"
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(trace), *argv],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    if "ptrace" in proc.stderr and "Operation not permitted" in proc.stderr:
        pytest.skip("ptrace not permitted here")
    assert proc.returncode in ok_codes, f"{name}: rc={proc.returncode}\n{proc.stderr[-2000:]}"
    return trace.read_text(errors="replace")


def _assert_offline(log: str, name: str) -> None:
    hits = [line for line in log.splitlines() if INET.search(line)]
    assert hits == [], f"{name} created inet sockets:\n" + "\n".join(hits[:10])


def test_cli_tasks_on_real_documents_create_no_inet_socket(ja_corpus, tmp_path):
    docx = ja_corpus / "law_denshi-shomei_412AC0000000102.docx"
    pdf = ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"
    glossary = tmp_path / "g.csv"
    glossary.write_text("source,target\n電子署名,electronic signature\n", encoding="utf-8")
    steps = {
        "proofread": [*GENNAI, "proofread", str(docx), "--rules-only", "--out", str(tmp_path / "p.docx")],
        "summarize": [*GENNAI, "summarize", str(pdf), "--no-model", "--json"],
        "translate": [*GENNAI, "translate", str(docx), "--no-model", "--glossary", str(glossary),
                      "--out", str(tmp_path / "t.docx")],
        "draft": [*GENNAI, "draft", "--template", "tsuchi", "--no-model", "--field", "件名=会議の開催について",
                  "--field", "宛先=各課長", "--field", "発信者=総務課長", "--field", "本文の要点=会議を開催する",
                  "--out", str(tmp_path / "d.docx")],
    }
    for name, argv in steps.items():
        _assert_offline(_traced(tmp_path, name, argv, timeout=300), name)
    assert (tmp_path / "p.docx").exists() and (tmp_path / "t.docx").exists() and (tmp_path / "d.docx").exists()


@pytest.mark.bundled
def test_bundled_model_generation_creates_no_inet_socket(tmp_path, bundled_model_file):
    src = tmp_path / "short.txt"
    src.write_text("会議は午後三時に開始する。\n資料は事前に配布する。\n", encoding="utf-8")
    log = _traced(tmp_path, "translate-model", [*GENNAI, "translate", str(src), "--json"], timeout=300)
    _assert_offline(log, "translate with the bundled model")


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
