"""Settings dialog generated from the typed Settings model (pydantic ``model_fields``).

Each field's title/description ("日本語 / English") becomes a label and tooltip in the
current language; the editor is chosen from the annotation (Literal → choice, bool →
checkbox, int with bounds → spin box, str → line edit). Fields locked by ministry IT
policy (packs.policy) are shown disabled. Values are validated by pydantic on accept.
"""
from __future__ import annotations

import typing
from typing import Any

from pydantic import ValidationError

from ..core.i18n import get_language, has_key, tr
from ..core.settings import Settings
from ..packs.policy import Policy, current_policy
from .file_dialogs import ask_folder
from .qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

# text size: Ctrl++ / Ctrl+-; active model: the models panel
HIDDEN = {"version", "recent_files", "active_model", "text_size_pt"}
DIR_FIELDS = {"autosave_dir"}
# how the model runs: for IT and support, not an official's first day — on their own page,
# which a policy can lock as a whole (``lock_advanced_settings``)
ADVANCED = {"n_gpu_layers", "n_threads", "thread_wait", "n_ctx", "batch_size", "base_model_passes", "asr_model"}


def pick_lang(text: str | None) -> str:
    """'日本語 / English' → the half for the current language."""
    if not text:
        return ""
    parts = [p.strip() for p in text.split(" / ", 1)]
    if len(parts) == 2:
        return parts[0] if get_language() == "ja" else parts[1]
    return text


def locked_settings(policy: Policy | None = None) -> set[str]:
    """Settings ministry IT fixed: each one the policy names, and the whole advanced page
    when the policy says ``lock_advanced_settings``. ``policy``: the session context's
    (the window passes it); left out, it is read here."""
    try:
        if policy is None:
            policy = current_policy()
        locked = set(policy.locked_settings or ())
        if getattr(policy, "lock_advanced_settings", False):
            locked |= ADVANCED & set(Settings.model_fields)
        return locked
    except Exception:  # noqa: BLE001 - a broken policy must not hide the dialog
        return set()


def _bounds(info) -> tuple[int, int]:
    lo, hi = -(2 ** 31), 2 ** 31 - 1
    for m in info.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return int(lo), int(hi)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None, policy: Policy | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("ui.settings.title"))
        self.setObjectName("settingsDialog")
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        self.locked = locked_settings(policy)
        lay = QVBoxLayout(self)
        self.pages = QTabWidget()
        self.pages.setObjectName("settingsPages")
        basic, advanced = QWidget(), QWidget()
        basic.setObjectName("basicPage")
        advanced.setObjectName("advancedPage")
        form = QFormLayout(basic)
        adv_lay = QVBoxLayout(advanced)
        self.advanced_note = QLabel()
        self.advanced_note.setObjectName("advancedNote")
        self.advanced_note.setWordWrap(True)
        adv_lay.addWidget(self.advanced_note)
        adv_form = QFormLayout()
        adv_lay.addLayout(adv_form)
        adv_lay.addStretch(1)
        self.pages.addTab(basic, tr("ui3.settings.basic"))
        self.pages.addTab(advanced, tr("ui3.settings.advanced"))
        lay.addWidget(self.pages)
        for name, info in Settings.model_fields.items():
            if name in HIDDEN:
                continue
            editor = self._editor(name, info, getattr(settings, name))
            if name in self.locked:
                editor.setEnabled(False)
                editor.setToolTip(tr("ui.settings.locked"))
            label = QLabel(pick_lang(info.title) or name)
            desc = pick_lang(info.description)
            if desc:
                label.setToolTip(desc)
                if name not in self.locked:
                    editor.setToolTip(desc)
            (adv_form if name in ADVANCED else form).addRow(label, editor)
        adv_locked = bool(ADVANCED & set(self.editors)) and ADVANCED & set(self.editors) <= self.locked
        self.advanced_note.setText(tr("ui3.settings.advanced_locked" if adv_locked else "ui3.settings.advanced_note"))
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        lay.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._result = settings

    def _editor(self, name: str, info, value: Any) -> QWidget:
        ann = info.annotation
        if typing.get_origin(ann) is typing.Literal:
            box = QComboBox()
            for choice in typing.get_args(ann):
                box.addItem(tr(f"ui.settings.choice.{choice}") if _has(f"ui.settings.choice.{choice}")
                            else str(choice), choice)
            box.setCurrentIndex(list(typing.get_args(ann)).index(value))
            self.editors[name] = box
            return box
        if ann is bool:
            cb = QCheckBox()
            cb.setChecked(bool(value))
            self.editors[name] = cb
            return cb
        if ann is int:
            sb = QSpinBox()
            lo, hi = _bounds(info)
            sb.setRange(lo, hi)
            sb.setValue(int(value))
            self.editors[name] = sb
            return sb
        le = QLineEdit(str(value))
        self.editors[name] = le
        if name in DIR_FIELDS:
            host = QWidget()
            row = QHBoxLayout(host)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(le, 1)
            btn = QPushButton(tr("ui.browse"))
            btn.clicked.connect(lambda: self._browse_dir(le))
            row.addWidget(btn)
            le.setPlaceholderText(str(self.settings.autosave_path()) if name == "autosave_dir" else "")
            return host
        return le

    def _browse_dir(self, le: QLineEdit) -> None:
        d = ask_folder(self, tr("ui.browse"), le.text())
        if d:
            le.setText(d)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, w in self.editors.items():
            if name in self.locked:
                continue
            if isinstance(w, QComboBox):
                out[name] = w.currentData()
            elif isinstance(w, QCheckBox):
                out[name] = w.isChecked()
            elif isinstance(w, QSpinBox):
                out[name] = w.value()
            elif isinstance(w, QLineEdit):
                out[name] = w.text()
        return out

    def _accept(self) -> None:
        try:
            self._result = Settings.model_validate({**self.settings.model_dump(), **self.values()})
        except ValidationError as exc:
            self.error_label.setText(tr("ui.settings.invalid", detail=str(exc.errors()[0].get("msg", ""))))
            return
        self.accept()

    def result_settings(self) -> Settings:
        return self._result


def _has(key: str) -> bool:
    return has_key(key)
