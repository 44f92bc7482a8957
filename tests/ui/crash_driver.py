"""Child process for the crash-recovery test: start the app, type into a draft field
(as an IME commit), wait for the timer-driven autosave, report, then wait to be killed —
or, with ``--quit CHOICE``, quit through the 終了 menu action answering the unsaved-work
question with CHOICE (keep/discard), as a user's clean quit."""
from __future__ import annotations

import json
import sys

from gennai_desktop.core.settings import load_settings
from gennai_desktop.ui.app import make_app
from gennai_desktop.ui.engine_provider import EngineProvider
from gennai_desktop.ui.ime import commit_text
from gennai_desktop.ui.main_window import MainWindow
from gennai_desktop.ui.qt import QAction, QTimer
from tests.support.fake_engine import FakeEngine


def main() -> int:
    text = sys.argv[1]
    quit_choice = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--quit" else None
    app, family = make_app()
    settings = load_settings()
    w = MainWindow(settings, EngineProvider(settings, factory=FakeEngine), font_family=family)
    w.show()
    w.tabs.setCurrentWidget(w.draft_tab)
    field = next(iter(w.draft_tab.inputs.values()))
    field.setFocus()
    commit_text(field, text)

    def poll() -> None:
        state = w.autosave_store.saved_state()      # read back from the encrypted store
        if state is not None and text in json.dumps(state, ensure_ascii=False):
            print("AUTOSAVED", w.autosave_store.pid, flush=True)
            timer.stop()
            if quit_choice:
                w.quit_chooser = lambda work: quit_choice
                quit_action = next(a for a in w.findChildren(QAction) if a.objectName() == "ui.action.quit")
                QTimer.singleShot(0, quit_action.trigger)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(100)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
