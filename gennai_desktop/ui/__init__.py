"""The PySide6 desktop app. The only package that imports Qt (through ui/qt.py)."""
from __future__ import annotations
