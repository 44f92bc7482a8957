"""One ``AppContext`` per CLI run or UI session: what every part of a run must agree on.

Why: a run needs the ministry policy (locked settings, retention, where the audit goes),
the signed metadata it is checked against, the model choice and the audit log. Each part
used to look them up for itself, so one ``gennai summarize`` verified the TUF metadata five
times and could, in principle, see two different policies. The context reads the trusted
view once, derives the policy, the effective settings, the model service and the audit log
from it, and is passed down explicitly (``cli._dispatch`` builds it; ``app.recording``
records through it).

Each part is read on first use (``functools.cached_property``), so a command that never
needs the policy (``gennai draft --list``) never verifies anything.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from ..core.i18n import tr
from ..core.settings import Settings, load_settings
from ..llm import manager
from ..packs import policy as packs_policy
from ..packs import trust
from ..packs.policy import Policy
from ..packs.trust import TrustedView
from ..storage import audit as storage_audit
from ..storage.audit import AuditLog
from ..storage.store import ProtectedStore
from .models import ModelService

Warn = Callable[[str], None]


def warn_on_stderr(text: str) -> None:
    """The CLI's way to tell the user something that is not the result."""
    print(tr("cli.notice_prefix") + text, file=sys.stderr, flush=True)


class AppContext:
    """The run's settings, policy, trust view, model service, audit log and store.

    ``settings`` are the user's own with the policy's locked values forced; ``models`` was
    made from the same view and policy, so the model a run names and the one it loads are
    chosen under the same rules. ``store`` is the UI session's open store (None in a CLI
    run: the result is kept in a store opened once, when the result is recorded)."""

    def __init__(self, settings: Settings | None = None, *, warn: Warn = warn_on_stderr,
                 store: ProtectedStore | None = None) -> None:
        self._user_settings = settings
        self.warn = warn
        self.store = store

    @cached_property
    def user_settings(self) -> Settings:
        return self._user_settings if self._user_settings is not None else load_settings()

    @cached_property
    def view(self) -> TrustedView | None:
        """The offline, signature-checked metadata: verified here, once per run."""
        return trust.trusted_view()

    @cached_property
    def policy(self) -> Policy:
        # looked up through the module (tests and the policy's own checks replace it)
        return packs_policy.current_policy(self.view)

    @cached_property
    def settings(self) -> Settings:
        return packs_policy.apply_policy(self.user_settings, self.policy)

    @cached_property
    def models(self) -> ModelService:
        return ModelService(self.user_settings, view=self.view, policy=self.policy)

    @cached_property
    def audit(self) -> AuditLog | None:
        """The audit log in force (None: policy turned it off)."""
        return storage_audit.audit_log(self.policy)

    @property
    def audit_required(self) -> bool:
        return storage_audit.audit_required(self.policy)

    def with_settings(self, settings: Settings) -> AppContext:
        """The same session under new user settings (the settings or models dialog closed):
        the trusted view, policy and audit log already read are kept (the signed metadata
        did not change), the effective settings and the model service are derived anew."""
        ctx = AppContext(settings, warn=self.warn, store=self.store)
        for name in ("view", "policy", "audit"):
            if name in self.__dict__:                  # cached_property keeps its value there
                ctx.__dict__[name] = self.__dict__[name]
        return ctx

    def renewed(self) -> AppContext:
        """The same session after the signed metadata changed (a pack installed, updated or
        rolled back): nothing read is kept, the next use verifies the new metadata."""
        return AppContext(self.user_settings, warn=self.warn, store=self.store)

    @staticmethod
    def close() -> None:
        """End of a UI session: the one model (its runner process) goes."""
        manager.unload()

    def audit_folders(self) -> list[Path]:
        """Where the audit log lives: an output must never be written there."""
        return [self.audit.path.parent] if self.audit is not None else []
