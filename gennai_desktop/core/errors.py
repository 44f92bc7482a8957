"""One exception type for everything the user should see as a message, not a traceback.

``GennaiError(key, **params)`` carries an i18n key; ``str(err)`` is the message in the
current language. ``exit_code`` groups errors for scripts (see cli.EXIT_CODES).
"""
from __future__ import annotations

from typing import Any

from .i18n import tr

# Exit codes scripts may rely on (documented in README).
EXIT_OK = 0
EXIT_FAILURE = 1          # unexpected internal error
EXIT_USAGE = 2            # bad command line
EXIT_INPUT = 3            # unreadable / unsupported / unsafe input document
EXIT_MODEL = 4            # model missing, failed to load, out of memory
EXIT_OUTPUT = 5           # cannot write output (disk full, permission)
EXIT_DEGENERATE = 6       # model output was degenerate and no fallback was possible
EXIT_SECURITY = 7         # verification / signature / policy failure
EXIT_CANCELLED = 130      # Ctrl-C / cancel


class GennaiError(Exception):
    """A user-facing error. Subclasses only choose the default exit code."""

    exit_code = EXIT_FAILURE

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str | None = None) -> str:
        return tr(self.key, lang=lang, **self.params)

    def __str__(self) -> str:
        return self.message()


class DocumentError(GennaiError):
    exit_code = EXIT_INPUT


class ModelError(GennaiError):
    exit_code = EXIT_MODEL


class OutputError(GennaiError):
    exit_code = EXIT_OUTPUT


class DegenerateOutputError(GennaiError):
    exit_code = EXIT_DEGENERATE


class SecurityError(GennaiError):
    exit_code = EXIT_SECURITY
