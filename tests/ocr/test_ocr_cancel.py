"""Ctrl-C during OCR in a CLI run is a cancel (exit 130, audited as cancelled), never an OCR
failure: the CLI's cancel token reaches the OCR child, and the child itself ignores the
terminal's SIGINT (it would otherwise die first and be reported as a failed OCR)."""
from __future__ import annotations

import json
import os
import signal

from gennai_desktop.cli import main as gennai
from gennai_desktop.core import sandbox
from gennai_desktop.core.errors import EXIT_CANCELLED
from gennai_desktop.core.i18n import tr
from gennai_desktop.core.paths import home_dir
from tests.support import ocr_synth as synth


def test_ctrl_c_during_ocr_cancels_the_cli_run(tmp_path, scan_lines, monkeypatch, capsys):
    pdf = tmp_path / "scan.pdf"
    pages = [synth.render_lines([line]) for line in scan_lines[:3]]
    pages[0].save(pdf, resolution=200, save_all=True, append_images=pages[1:])
    real_lines = sandbox.Child.lines
    interrupted = []
    seen: list[bytes] = []

    def lines_then_ctrl_c(self):
        for raw in real_lines(self):
            if self.name == "ocr":
                seen.append(raw)
            yield raw
            if self.name == "ocr" and not interrupted and b'"start"' in raw:
                interrupted.append(True)          # the child has begun reading pages
                os.kill(self.proc.pid, signal.SIGINT)   # what a terminal sends its whole group…
                os.kill(os.getpid(), signal.SIGINT)     # …and the CLI's handler sets the cancel token

    monkeypatch.setattr(sandbox.Child, "lines", lines_then_ctrl_c)
    rc = gennai(["summarize", "--no-model", str(pdf)])
    err = capsys.readouterr().err
    assert interrupted and rc == EXIT_CANCELLED, err
    # stopped while reading, not after: the child was killed before it read every page
    assert not any(b'"done"' in raw for raw in seen)
    assert tr("cancelled") in err and tr("cli.error_prefix") not in err
    audit = [json.loads(x) for x in (home_dir() / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["task"], r["outcome"]) for r in audit if r.get("action") == "task"] == [("summarize", "cancelled")]
