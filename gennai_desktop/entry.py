"""What an executable of this app runs: one of its programs, or one of its sandboxed children.

Why here, at the top: the frozen app (PyInstaller) has one interpreter for every program
(``gennai``, ``gennai-admin``, ``gennai-tuf-client``, ``gennai-desktop``) and re-enters
itself for each child process (``<app> --gennai-child NAME``, see ``core/sandbox.py``); a
checkout runs ``python -I -m gennai_desktop --gennai-child NAME``. The dispatch used to live
in ``core/frozen.py`` and named upper layers by string; here every target is an ordinary
import that the layers contract sees. A child imports its native code only inside the
sandbox (after ``sandbox.enter``), so those imports stay inside functions.

A new child: add ``def _name(request)`` that imports its module and returns its exit
status, and list it in ``CHILDREN`` (docs/sandbox.md), as ``_asr`` (speech recognition) does.
"""
from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .core import frozen, sandbox


def _pdf(request: dict[str, Any]) -> int:
    from .documents import pdf_worker  # lazy: pdfium loads only inside the sandbox
    return pdf_worker.main(request)


def _ocr(request: dict[str, Any]) -> int:
    from .ocr import ocr_worker  # lazy: ONNX Runtime loads only inside the sandbox
    return ocr_worker.main(request)


def _runner(request: dict[str, Any]) -> int:
    from .llm import runner_child  # lazy: llama.cpp loads only inside the sandbox
    return runner_child.main()


def _asr(request: dict[str, Any]) -> int:
    from .asr import asr_worker  # lazy: FFmpeg and CTranslate2 load only inside the sandbox
    return asr_worker.main(request)


def _probe(request: dict[str, Any]) -> int:
    iso = sandbox.isolation()
    print(json.dumps(dataclasses.asdict(iso) if iso else {}), flush=True)
    return 0


# name → (function run with the request, one-shot: exits when its stdin closes)
CHILDREN: dict[str, tuple[Callable[[dict[str, Any]], int], bool]] = {
    "pdf": (_pdf, True),
    "ocr": (_ocr, True),
    "asr": (_asr, True),
    "runner": (_runner, False),          # keeps reading its protocol from stdin
    # not one-shot: probe() closes stdin at once (communicate), and a one-shot child's stdin
    # watcher then exited before the answer was printed — the doctor said "no seccomp"
    "probe": (_probe, False),
}


def run_child(name: str) -> int:
    found = CHILDREN.get(name)
    if found is None:
        sys.stderr.write(f"unknown child {name!r}\n")
        return 2
    fn, one_shot = found
    return sandbox.run_child(fn, one_shot=one_shot)


def child_name(argv: list[str]) -> str | None:
    """NAME when this command line starts a child (``… --gennai-child NAME``), else None."""
    if len(argv) >= 3 and argv[1] == sandbox.CHILD_FLAG:
        return argv[2]
    return None


def _desktop() -> int:
    from .ui.app import main  # lazy: only the window loads Qt
    return int(main() or 0)


def _cli() -> int:
    from .cli import main  # lazy: a program imports its own layers only
    return int(main() or 0)


def _admin() -> int:
    from .cli.admin import main  # lazy: a program imports its own layers only
    return int(main() or 0)


def _tuf_client() -> int:
    from .cli.tuf_client import main  # lazy: a program imports its own layers only
    return int(main() or 0)


PROGRAMS: dict[str, Callable[[], int]] = {
    "gennai": _cli,
    "gennai-admin": _admin,
    "gennai-tuf-client": _tuf_client,
    "gennai-desktop": _desktop,
}


def program_for(executable: str) -> Callable[[], int]:
    """main() of the program this executable is named after (``gennai.exe`` → the CLI);
    unknown names start the desktop window."""
    name = Path(executable).name
    if name.lower().endswith(".exe"):
        name = name[:-4]
    return PROGRAMS.get(name, _desktop)


def main(argv: list[str] | None = None) -> int:
    """``python -m gennai_desktop``: a child when asked for one, else the desktop window."""
    argv = list(sys.argv if argv is None else argv)
    name = child_name(argv)
    if name is not None:
        return run_child(name)
    return _desktop()


def frozen_main(argv: list[str] | None = None) -> int:
    """The frozen executable: apply the administrator's install record, then a child or
    the program named by the executable."""
    argv = list(sys.argv if argv is None else argv)
    frozen.apply_install_record()
    name = child_name(argv)
    if name is not None:
        return run_child(name)
    return program_for(sys.executable)()
