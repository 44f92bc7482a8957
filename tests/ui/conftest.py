"""Qt test setup: offscreen platform, the app's Japanese font, and a main window on a
FakeEngine (tasks are real; only the model is fake). The window's default fake model is
instruction-tuned, so the 校正・要約・起案 tabs run their model passes on it
(tasks.model_passes skips them on base models)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("PySide6")

from gennai_desktop.core.settings import Settings  # noqa: E402
from tests.support.fake_engine import FakeEngine, instruct_spec  # noqa: E402


@pytest.fixture(scope="session")
def qapp_args():
    return ["gennai-desktop-tests"]


@pytest.fixture(scope="session")
def app_font(qapp):
    from gennai_desktop.ui.fonts import apply_japanese_font
    return apply_japanese_font(qapp)


def make_window(qtbot, engine=None, settings: Settings | None = None, autosave: bool = False):
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.main_window import MainWindow
    settings = settings or Settings()
    model = engine or FakeEngine(reply=lambda p: "本法は電子署名について定める。", spec=instruct_spec())
    provider = EngineProvider(settings, factory=lambda: model, spec=model.spec)
    w = MainWindow(settings, provider, font_family="test", autosave=autosave)
    w.quit_chooser = lambda work: "discard"     # closing at teardown must not wait for a dialog
    qtbot.addWidget(w)
    w.show()
    return w


def wait_idle(qtbot, tab, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: not tab.busy, timeout=timeout)


@pytest.fixture
def window(qtbot, app_font):
    w = make_window(qtbot)
    yield w
    for t in w.task_tabs:
        t.cancel()
    for t in w.task_tabs:
        if t.busy:
            wait_idle(qtbot, t)


@pytest.fixture
def kenpo_docx(ja_corpus):
    return ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.docx"


@pytest.fixture
def denshi_pdf(ja_corpus):
    return ja_corpus / "law_denshi-shomei_412AC0000000102.pdf"


@pytest.fixture
def denshi_docx(ja_corpus):
    return ja_corpus / "law_denshi-shomei_412AC0000000102.docx"


@pytest.fixture
def report_docx(corpus):
    """A real report (です・ます, headings, tables, references) with 公用文 findings and 長文 hints."""
    return corpus / "real" / "report_cio_zerotrust.docx"
