"""``python -m gennai_desktop [FILE]`` opens the desktop window (the CLI is ``gennai``)."""
from __future__ import annotations

from gennai_desktop.ui.app import main

raise SystemExit(main())
