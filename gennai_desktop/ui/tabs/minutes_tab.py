"""議事録 tab: an audio file → an editable transcript with times and speakers → minutes.

The recording is recognised in the sandboxed ASR child (progress with remaining time,
cancel keeps what was recognised); the minutes are drafted by rules, or by an instruct pack
whose sentences must pass the support check. The transcript table is editable: a changed
line (発言) is kept as corrected, a name typed in 発言者 names the whole turn (turns are
split on pauses: no speaker model ships). 「議事録を更新」 redrafts the minutes from the
edited transcript (rules only: instant, no model). Playback from a line needs Qt Multimedia,
which the Qt wheels this app ships (pyside6-essentials) do not carry: the tab says so.
The audio itself is never copied; only the transcript and minutes go to the history.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from ...app.speech import active_asr_model
from ...asr.transcript import short_clock
from ...core.cancel import NEVER
from ...core.events import Done, drain
from ...core.i18n import tr
from ...tasks.export import export_minutes
from ...tasks.minutes import FIELDS, MinutesResult, minutes
from ...tasks.transcribe import transcribe
from ..file_dialogs import ask_open, ask_save
from ..qt import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
)
from .base import TaskTab

AUDIO_GLOBS = "*.wav *.mp3 *.m4a *.mp4 *.aac *.ogg *.oga *.opus *.flac *.webm *.mkv"
COL_TIME, COL_SPEAKER, COL_TEXT = 0, 1, 2


def playback_available() -> bool:
    """Qt Multimedia is in the installed Qt wheels (pyside6-addons), else no playback."""
    return importlib.util.find_spec("PySide6.QtMultimedia") is not None


class MinutesTab(TaskTab):
    task_name = "minutes"
    bound_to_document = False          # about an audio file, not the open document

    def __init__(self, host, parent=None) -> None:
        super().__init__(host, parent)
        self.audio: str | None = None
        self._filling = False
        form = QFormLayout()
        row = QHBoxLayout()
        self.audio_label = QLabel(tr("ui.minutes.no_audio"))
        self.audio_label.setObjectName("minutesAudio")
        self.audio_label.setWordWrap(True)
        self.audio_button = QPushButton(tr("ui.minutes.choose_audio"))
        self.audio_button.setObjectName("minutesAudioButton")
        self.audio_button.setAccessibleName(tr("ui.minutes.choose_audio"))
        self.audio_button.clicked.connect(self._choose_audio)
        row.addWidget(self.audio_label, 1)
        row.addWidget(self.audio_button)
        form.addRow(row)
        self.field_edits: dict[str, QLineEdit] = {}
        for name in ("件名", *FIELDS):
            edit = QLineEdit()
            edit.setObjectName(f"minutesField_{name}")
            edit.setPlaceholderText(tr("ui.minutes.field_placeholder"))
            label = tr(f"ui3.minutes.field.{name}")       # the document's heading, in the UI language
            edit.setAccessibleName(label)
            self.field_edits[name] = edit
            form.addRow(label, edit)
        self.options.addLayout(form)
        self.run_button.setText(tr("ui.minutes.run"))
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("minutesTranscript")
        self.table.setAccessibleName(tr("ui.minutes.transcript"))
        self.table.setHorizontalHeaderLabels([tr("ui.minutes.col_time"), tr("ui.minutes.col_speaker"),
                                              tr("ui.minutes.col_text")])
        self.table.horizontalHeader().setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.itemChanged.connect(self._on_cell)
        self.table.setVisible(False)
        self.body.addWidget(self.table, 3)
        bar = QHBoxLayout()
        self.playback_note = QLabel("" if playback_available() else tr("ui.minutes.no_playback"))
        self.playback_note.setObjectName("minutesPlayback")
        self.playback_note.setWordWrap(True)
        self.refresh_button = QPushButton(tr("ui.minutes.refresh"))
        self.refresh_button.setObjectName("minutesRefresh")
        self.refresh_button.setAccessibleName(tr("ui.minutes.refresh"))
        self.refresh_button.clicked.connect(self.refresh_minutes)
        self.refresh_button.setEnabled(False)
        self.subtitle_button = QPushButton(tr("ui.minutes.save_other"))
        self.subtitle_button.setObjectName("minutesSaveOther")
        self.subtitle_button.setAccessibleName(tr("ui.minutes.save_other"))
        self.subtitle_button.clicked.connect(self._save_other)
        self.subtitle_button.setEnabled(False)
        bar.addWidget(self.playback_note, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.subtitle_button)
        self.body.addLayout(bar)

    # --- input --------------------------------------------------------------------------
    def set_audio(self, path: str | None) -> None:
        self.audio = path
        self.audio_label.setText(path or tr("ui.minutes.no_audio"))

    def _choose_audio(self) -> None:
        path = ask_open(self, tr("ui.minutes.choose_audio"), tr("ui3.minutes.audio_filter", globs=AUDIO_GLOBS),
                        getattr(self.host, "folders", None))
        if path:
            self.set_audio(path)

    def fields(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.field_edits.items() if e.text().strip()}

    def needs_document(self) -> bool:
        return False

    def validate(self) -> str | None:
        return None if self.audio else "ui.minutes.no_audio"

    def load_engine(self, provider):
        """Only an instruction-tuned model writes minutes; a base model is not even loaded."""
        spec = provider.active_spec()
        return provider.get() if getattr(spec, "instruction_tuned", False) else None

    def make_task(self, engine, cancel):
        audio, given = self.audio, self.fields()

        def task():
            model = active_asr_model()
            transcript = None
            for ev in transcribe(audio, model, cancel=cancel):
                if isinstance(ev, Done):
                    transcript = ev.result
                else:
                    yield ev
            stopped = cancel.cancelled      # cancelled during recognition: keep the partial transcript
            yield from minutes(transcript, None if stopped else engine, given=given,
                               title=given.get("件名", ""), cancel=NEVER if stopped else cancel)
        return task()

    def run(self) -> bool:
        started = super().run()
        if started:
            self.table.setRowCount(0)
            self.table.setVisible(False)
        return started

    # --- result -------------------------------------------------------------------------
    def show_result(self, result: MinutesResult) -> None:
        self.stream.setPlainText(result.text)
        self._fill_table(result)

    def _fill_table(self, result: MinutesResult) -> None:
        t = result.transcript
        self._filling = True
        try:
            self.table.setRowCount(len(t.utterances))
            for i, u in enumerate(t.utterances):
                when = QTableWidgetItem(short_clock(u.start))
                when.setFlags(when.flags() & ~Qt.ItemFlag.ItemIsEditable)
                when.setToolTip(tr("ui.minutes.turn", n=u.turn + 1))
                self.table.setItem(i, COL_TIME, when)
                self.table.setItem(i, COL_SPEAKER, QTableWidgetItem(u.speaker))
                self.table.setItem(i, COL_TEXT, QTableWidgetItem(u.text))
        finally:
            self._filling = False
        self.table.setVisible(True)
        self.refresh_button.setEnabled(True)
        self.subtitle_button.setEnabled(True)

    def _on_cell(self, item: QTableWidgetItem) -> None:
        if self._filling or self.result is None:
            return
        t = self.result.transcript
        row = item.row()
        if item.column() == COL_TEXT:
            t.edit(row, item.text())
        elif item.column() == COL_SPEAKER:
            t.set_speaker(t.utterances[row].turn, item.text())
            self._fill_table(self.result)     # the whole turn shows the name
        self.refresh_button.setEnabled(True)

    def refresh_minutes(self) -> MinutesResult | None:
        """The minutes again from the edited transcript (rules only, no model: instant)."""
        if self.result is None:
            return None
        self.result = drain(minutes(self.result.transcript, None, given=self.fields(),
                                    title=self.fields().get("件名", "")))
        self.stream.setPlainText(self.result.text)
        return self.result

    def clear_result(self) -> None:
        self.table.setRowCount(0)
        self.table.setVisible(False)
        super().clear_result()

    def result_text(self) -> str:
        return self.result.text if self.result is not None else ""

    def export_result(self, target: str):
        return export_minutes(self.result, target)

    def default_filename(self) -> str:
        stem = Path(self.audio).stem if self.audio else "gennai"
        return f"{stem}_{tr('ui.tab.minutes')}.docx"

    def _save_other(self, chooser=None) -> str | None:
        """Subtitles (.srt/.vtt) or text (.txt) of the transcript and minutes."""
        if self.result is None:
            return None
        if chooser is None:
            path = ask_save(self, tr("ui.minutes.save_other"), self.default_filename()[:-5] + ".srt",
                            tr("ui3.minutes.save_filter"), getattr(self.host, "folders", None))
        else:
            path = chooser(self.default_filename())
        if not path:
            return None
        report = export_minutes(self.result, path)
        self.host.show_status(report.message())
        return path

    def state(self) -> dict:
        st = super().state()
        st["audio"] = self.audio
        st["fields"] = self.fields()
        if self.result is not None:      # word timings stay out of autosave (hours of audio: MBs)
            data = self.result.to_json()
            for u in data["transcript"]["utterances"]:
                u["words"] = []
            st["result"] = data
        return st

    def restore_state(self, state: dict) -> None:
        super().restore_state(state)
        self.set_audio(state.get("audio"))
        for k, v in (state.get("fields") or {}).items():
            if k in self.field_edits:
                self.field_edits[k].setText(str(v))
        if state.get("result"):
            self.result = MinutesResult.from_json(state["result"])
            self.show_result(self.result)
        self._update_buttons()

