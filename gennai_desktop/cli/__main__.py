"""``python -m gennai_desktop.cli`` = the ``gennai`` command."""
import sys

from . import main

sys.exit(main())
