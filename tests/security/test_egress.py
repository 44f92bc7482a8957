"""No packet leaves the device: every task, OCR included, run under strace inside a private
network namespace; any AF_INET/AF_INET6/AF_PACKET socket, any inet connect/send, or any DNS
attempt (a resolver's config or local socket touched) fails the test.

Why both: the namespace guarantees that nothing could get out while the test runs (so a
regression cannot phone home from CI), and strace sees the *attempt*, which the namespace
alone would hide. pytest-socket only sees Python's socket module; pdfium, ONNX Runtime,
llama.cpp and libxml2 use C sockets, hence strace on every process (``-f``), children
included. The finding that started it: ONNX Runtime's telemetry in the OCR child made a
dozen DNS queries per OCR, and the old egress tests never ran OCR.

Every sub-command of ``gennai`` must have a step here (``test_every_command_is_covered``):
a new task fails that test until its step is added (``transcribe`` runs the speech child).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.asr.conftest import speech_clip  # noqa: F401 - the session fixture (transcribe step)
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="strace and network namespaces are Linux tools")

GENNAI = [sys.executable, "-m", "gennai_desktop.cli"]
INET_SOCKET = re.compile(r"socket\((AF_INET6?|PF_INET6?|AF_PACKET)\b")
INET_ADDR = re.compile(r"(connect|sendto|sendmsg|sendmmsg|bind)\(\d+, .*sa_family=AF_INET6?\b")
RESOLVER = re.compile(r'"(/etc/resolv\.conf|/etc/hosts|/(var/)?run/nscd/socket|/run/systemd/resolve/[^"]*|'
                      r'/(var/)?run/avahi-daemon/socket)"')


def _netns_prefix() -> list[str]:
    """A command prefix that runs in a new network namespace (root: plain; else a user ns)."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is missing")
    for prefix in (["unshare", "-n", "--"], ["unshare", "-rn", "--"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    pytest.fail("no network namespace can be created here (as root, or with unprivileged user namespaces)")


def offending_lines(log: str) -> list[str]:
    return [ln for ln in log.splitlines()
            if INET_SOCKET.search(ln) or INET_ADDR.search(ln) or RESOLVER.search(ln)]


def traced(tmp_path: Path, name: str, argv: list[str], *, timeout: float = 600, ok=(0,),
           env: dict | None = None) -> tuple[str, subprocess.CompletedProcess]:
    if shutil.which("strace") is None:
        pytest.fail("strace is missing: installer/setup.sh --test installs it")
    trace = tmp_path / f"{name}.strace"
    cmd = [*_netns_prefix(), "strace", "-f", "-qq", "-e", "trace=%network,open,openat,execve",
           "-e", "signal=none", "-o", str(trace), *argv]
    # USER/LOGNAME as a login session sets them: otherwise the audit log's user name is looked
    # up through NSS, whose nscd socket is also a resolver's (and would be reported here)
    user = {"USER": os.environ.get("USER") or "egress-test", "LOGNAME": os.environ.get("LOGNAME") or "egress-test"}
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **user, **(env or {})})
    if "ptrace" in proc.stderr and "Operation not permitted" in proc.stderr:
        pytest.fail("ptrace is not permitted here; the egress test cannot see anything")
    assert proc.returncode in ok, f"{name}: rc={proc.returncode}\n{proc.stderr[-3000:]}"
    return trace.read_text(errors="replace"), proc


def assert_offline(log: str, name: str) -> None:
    hits = offending_lines(log)
    assert hits == [], f"{name} tried to reach the network:\n" + "\n".join(hits[:20])


# ---- inputs -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def inputs(tmp_path_factory, ja_corpus) -> dict[str, Path]:
    from tests.support import ocr_synth as synth
    d = tmp_path_factory.mktemp("egress-inputs")
    lines = synth.corpus_lines(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.txt", 6, start=40)
    scan = d / "scan.png"
    synth.render_lines(lines[:3]).save(scan)
    scanned_pdf = d / "scan.pdf"
    synth.render_lines(lines[3:6]).save(scanned_pdf, resolution=200)
    folder = d / "folder"
    folder.mkdir()
    shutil.copy(ja_corpus / "law_denshi-shomei_412AC0000000102.docx", folder)
    shutil.copy(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf", folder)
    shutil.copy(scan, folder / "scan.png")
    short = d / "short.txt"
    short.write_text("会議は午後三時に開始する。\n資料は事前に配布する。\n出席者は十名とする。\n", encoding="utf-8")
    glossary = d / "g.csv"
    glossary.write_text("source,target\n電子署名,electronic signature\n", encoding="utf-8")
    return {"scan": scan, "scanned_pdf": scanned_pdf, "folder": folder, "short": short, "glossary": glossary,
            "docx": ja_corpus / "law_denshi-shomei_412AC0000000102.docx",
            "pdf": ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"}


# name → (argv after `gennai`, needs the bundled model)
def steps(i: dict[str, Path], out: Path) -> dict[str, tuple[list[str], bool]]:
    return {
        "extract-ocr": (["extract", str(i["scan"]), "--json"], False),
        "summarize-scanned-pdf": (["summarize", str(i["scanned_pdf"]), "--no-model", "--json"], False),
        "translate-model": (["translate", str(i["short"]), "--json"], True),
        "proofread": (["proofread", str(i["docx"]), "--rules-only", "--out", str(out / "p.docx")], False),
        "translate": (["translate", str(i["docx"]), "--no-model", "--glossary", str(i["glossary"]),
                       "--out", str(out / "t.docx")], False),
        "draft": (["draft", "--template", "tsuchi", "--no-model", "--field", "件名=会議の開催について",
                   "--field", "宛先=各課長", "--field", "発信者=総務課長", "--field", "本文の要点=会議を開催する",
                   "--out", str(out / "d.docx")], False),
        "ask": (["ask", str(i["folder"]), "個人情報とは何か", "--json"], False),
        "models": (["models", "--json"], False),
        "doctor": (["doctor", "--json"], True),          # its probe loads the model in the runner
        "history": (["history", "list", "--json"], False),
        "transcribe": (["transcribe", "AUDIO", "--json", "--transcript-only"], False),   # AUDIO: speech_clip
    }


STEP_NAMES = ["extract-ocr", "summarize-scanned-pdf", "translate-model", "proofread", "translate", "draft",
              "ask", "models", "doctor", "history", "transcribe"]
SPEECH_STEPS = ("transcribe", "doctor")      # run the speech child (doctor: its speed probe)
# sub-command → the steps that cover it (packs: test_packs_update_from_a_folder below)
COVERS = {"extract": "extract-ocr", "summarize": "summarize-scanned-pdf", "proofread": "proofread",
          "translate": "translate", "draft": "draft", "ask": "ask", "models": "models", "doctor": "doctor",
          "history": "history", "packs": "packs-update-folder", "transcribe": "transcribe"}


def test_every_command_is_covered():
    from gennai_desktop.cli import build_parser
    parser = build_parser("en")
    sub = next(a for a in parser._actions if a.dest == "command")
    missing = sorted(set(sub.choices) - set(COVERS))
    assert missing == [], f"add an egress step for: {missing}"


@pytest.mark.parametrize("name", STEP_NAMES)
def test_task_reaches_no_network(name, inputs, tmp_path, request):
    argv, needs_model = steps(inputs, tmp_path)[name]
    if needs_model:
        request.getfixturevalue("bundled_model_file")      # skips with the reason where absent
    # one llama.cpp thread: under strace every futex of a thread pool is a stop (4 min → 10 s)
    (Path(os.environ["GENNAI_HOME"]) / "settings.json").write_text('{"version": 2, "n_threads": 1}')
    env = {}
    if name in SPEECH_STEPS:     # the verified Whisper base setup.sh assembled (not re-assembled per test)
        env = {"GENNAI_ASR_MODEL": str(request.getfixturevalue("asr_model").path), "OMP_NUM_THREADS": "1"}
    if "AUDIO" in argv:          # synthetic Japanese speech (tests/asr/conftest.py), so words are recognised
        audio, _said = request.getfixturevalue("speech_clip")
        argv = [str(audio) if a == "AUDIO" else a for a in argv]
    log, proc = traced(tmp_path, name, [*GENNAI, *argv], env=env)
    assert_offline(log, name)
    # the step really did its work (a step that fails early would prove nothing)
    children = re.findall(r'execve\(.*"--gennai-child", "(\w+)"', log)
    if name in ("extract-ocr", "summarize-scanned-pdf"):
        assert "ocr" in children, "the OCR child did not run"
    if name == "extract-ocr":
        assert '"ocr": true' in proc.stdout
    if name == "summarize-scanned-pdf":
        assert "pdf" in children and json.loads(proc.stdout)["text"].strip()
    if name in ("translate-model", "doctor"):
        assert "runner" in children, "the llama.cpp runner did not run"
    if name == "doctor":
        assert "ocr" in children and json.loads(proc.stdout)["ocr"]["available"] is True
    if name == "ask":
        assert '"citations"' in proc.stdout
    if name in SPEECH_STEPS:
        assert "asr" in children, "the speech recognition child did not run"
    if name == "transcribe":
        said = "".join(u["text"] for u in json.loads(proc.stdout)["transcript"]["utterances"])
        assert "予算" in said or "資料" in said, said
    if name == "doctor":
        assert json.loads(proc.stdout)["asr"].get("speed"), proc.stdout[-2000:]
    if name in ("proofread", "translate", "draft"):
        assert any(tmp_path.glob("*.docx"))


def test_packs_update_from_a_folder_reaches_no_network(tmp_path):
    from tests.packs.conftest import make_world
    world = make_world(tmp_path / "world")
    world.publish("acme-tiny", "1.0", "acme")
    usb = world.bundle("usb")
    for name, argv in (("packs-update-folder", ["update", "--folder", str(usb)]),
                       ("packs-install-folder", ["install", "acme-tiny", "--folder", str(usb), "--load-test"]),
                       ("packs-verify", ["verify"]), ("packs-list", ["list"])):
        log, proc = traced(tmp_path, name, [*GENNAI, "packs", *argv])
        assert_offline(log, name)
    assert "acme-tiny" in proc.stdout               # installed from the folder, listed


def test_the_check_itself_catches_a_dns_attempt(tmp_path):
    """The pattern is not vacuous: a child that only resolves a name is caught."""
    log, _ = traced(tmp_path, "dns", [sys.executable, "-c",
                                      "import socket\ntry:\n socket.getaddrinfo('example.com', 443)\n"
                                      "except OSError:\n pass\n"])
    assert offending_lines(log), log[-2000:]
