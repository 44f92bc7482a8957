"""``python -m gennai_desktop [FILE]`` opens the desktop window (the CLI is ``gennai``); the
app's sandboxed children start here too (``--gennai-child NAME``, see ``entry.py``)."""
from __future__ import annotations

import sys

from gennai_desktop.entry import main

raise SystemExit(main(sys.argv))
