"""Entry script of the frozen (PyInstaller) application.

One Analysis, several executables (``gennai-desktop``, ``gennai``, ``gennai-admin``,
``gennai-tuf-client``) that all run this script; ``gennai_desktop.entry.frozen_main`` applies
the administrator's install record and dispatches on the executable's own name. The child
processes the app starts (the llama.cpp runner, the PDF reader, OCR) cannot use
``python -m …`` when frozen, so they re-enter this executable as ``--gennai-child NAME``
(``gennai_desktop/core/sandbox.py``).
"""
from __future__ import annotations

import sys

from gennai_desktop.entry import frozen_main

if __name__ == "__main__":
    sys.exit(frozen_main(sys.argv))
