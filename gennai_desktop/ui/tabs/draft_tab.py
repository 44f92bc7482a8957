"""起案 tab: pick a template, fill its fields (IME-safe inputs), draft, save as .docx.

Field values are part of the autosaved state: what an official typed is never lost.
"""
from __future__ import annotations

from typing import Any

from ...core.i18n import get_language, tr
from ...tasks.draft import draft, list_templates, wareki_today
from ...tasks.export import export_draft
from ...tasks.model_passes import engine_for
from ...tasks.results import DraftResult
from ..blocks_io import block_from_dict, block_to_dict, blocks_text
from ..ime import ImeLineEdit, ImeTextEdit
from ..qt import QComboBox, QFormLayout, QLabel, QScrollArea, QWidget, emit
from .base import TaskTab

MULTILINE_LINES = 5        # 本文の要点 shows at least this many lines before it scrolls …
MULTILINE_MAX = 7          # … and at most this many, so the draft below keeps its room
FIELDS_SHARE = 0.6         # the fields may take up to this share of the tab's height
MIN_FIELDS_HEIGHT = 160


class DraftTab(TaskTab):
    task_name = "draft"
    bound_to_document = False          # built from the typed fields, not the open document

    def __init__(self, host, parent=None) -> None:
        super().__init__(host, parent)
        self.templates = self._load_templates()
        top = QFormLayout()
        self.template_box = QComboBox()
        self.template_box.setObjectName("draftTemplate")
        self.template_box.setAccessibleName(tr("ui.draft.template"))
        lang = get_language()
        for t in self.templates:
            self.template_box.addItem(t.name_ja if lang == "ja" else t.name_en, t.id)
        top.addRow(tr("ui.draft.template"), self.template_box)
        self.options.addLayout(top)
        self.fields_area = QScrollArea()
        self.fields_area.setWidgetResizable(True)
        self.fields_area.setObjectName("draftFields")
        self.options.addWidget(self.fields_area, 1)
        # the fields take the height they need up to FIELDS_SHARE of the tab (the draft gets the
        # rest); more fields than that scroll. Fixed 2:3 stretch left 本文の要点 one line at
        # 1280×800 and cut it at 1024×700 (issue 25 item 8); see _fit_fields
        self.layout().setStretchFactor(self.options, 0)
        self.layout().setStretchFactor(self.body, 1)
        self.inputs: dict[str, Any] = {}
        self._current_id = ""
        self._values: dict[str, dict[str, str]] = {}   # per template, kept when switching
        self.template_box.currentIndexChanged.connect(lambda _i: self._build_fields())
        self._build_fields()

    @staticmethod
    def _load_templates() -> list:
        return list(list_templates())

    def needs_document(self) -> bool:
        return False

    @property
    def template(self):
        i = self.template_box.currentIndex()
        return self.templates[i] if 0 <= i < len(self.templates) else None

    def _build_fields(self) -> None:
        if self.inputs and self._current_id:
            self._values[self._current_id] = self.field_values()
        form_host = QWidget()
        form = QFormLayout(form_host)
        self.inputs = {}
        t = self.template
        self._current_id = t.id if t else ""
        saved = self._values.get(self._current_id, {})
        lang = get_language()
        for f in (t.fields if t else []):
            default = _resolve_default(f.default or "")
            label = (f.label_ja if lang == "ja" else f.label_en) + (" *" if f.required else "")
            if f.multiline:
                w = ImeTextEdit()
                w.setPlainText(saved.get(f.name, default))
                lines = w.fontMetrics().lineSpacing() * MULTILINE_LINES
                chrome = 2 * w.frameWidth() + 2 * int(w.document().documentMargin())
                w.setMinimumHeight(lines + chrome)
                w.setMaximumHeight(lines * MULTILINE_MAX // MULTILINE_LINES + chrome)   # the draft keeps room
                w.textChanged.connect(lambda: emit(self.changed))
            else:
                w = ImeLineEdit()
                w.setText(saved.get(f.name, default))
                w.textChanged.connect(lambda _t: emit(self.changed))
                w.submitted.connect(w.focusNextChild)
            w.setObjectName(f"field_{f.name}")
            w.setAccessibleName(label)
            self.inputs[f.name] = w
            form.addRow(QLabel(label), w)
        if not t:
            form.addRow(QLabel(tr("ui.draft.no_templates")))
        self.fields_area.setWidget(form_host)
        self._fit_fields()

    def _fit_fields(self) -> None:
        """Give the fields their full height when it fits in FIELDS_SHARE of the tab, else scroll."""
        host = self.fields_area.widget()
        if host is None:
            return
        wanted = host.sizeHint().height() + 2 * self.fields_area.frameWidth()
        cap = max(MIN_FIELDS_HEIGHT, int(self.height() * FIELDS_SHARE)) if self.height() > 0 else wanted
        self.fields_area.setMinimumHeight(min(wanted, cap))
        self.fields_area.setMaximumHeight(wanted)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's virtual method name
        super().resizeEvent(event)
        self._fit_fields()

    def field_values(self) -> dict[str, str]:
        return {name: (w.toPlainText() if isinstance(w, ImeTextEdit) else w.text())
                for name, w in self.inputs.items()}

    def has_user_input(self) -> bool:
        """Anything typed that differs from the templates' defaults (worth autosaving)."""
        values = dict(self._values)
        if self._current_id:
            values[self._current_id] = self.field_values()
        defaults = {t.id: {f.name: _resolve_default(f.default or "") for f in t.fields} for t in self.templates}
        return any(v.strip() and v != defaults.get(tid, {}).get(name, "")
                   for tid, vals in values.items() for name, v in vals.items())

    def validate(self) -> str | tuple[str, dict] | None:
        t = self.template
        if t is None:
            return "ui.draft.no_templates"
        values = self.field_values()
        missing = [f for f in t.fields if f.required and not values.get(f.name, "").strip()]
        if missing:   # name the fields, so the user need not hunt for the * marks
            lang = get_language()
            names = "、".join(f.label_ja if lang == "ja" else f.label_en for f in missing)
            return "ui.draft.required_missing_named", {"fields": names}
        return None

    def load_engine(self, provider):
        """Not even opened when the model cannot help with the body (tasks.model_passes)."""
        return engine_for(provider.active_spec(), provider.get, self.host.settings.base_model_passes)

    def make_task(self, engine, cancel):
        return draft(self.template.id, self.field_values(), engine, cancel=cancel,
                     base_model_passes=self.host.settings.base_model_passes)

    def show_result(self, result: Any) -> None:
        self.stream.setPlainText(blocks_text(result.blocks))

    def result_text(self) -> str:
        return blocks_text(self.result.blocks) if self.result is not None else ""

    def export_result(self, target: str):
        return export_draft(self.result, target)

    def default_filename(self) -> str:
        return f"{tr('ui.tab.draft')}.docx"

    def state(self) -> dict:
        st = super().state()
        if self._current_id:
            self._values[self._current_id] = self.field_values()
        st.update(template=self._current_id, values=dict(self._values))
        if self.result is not None:
            r = self.result
            st["result"] = {"template_id": r.template_id, "fields": r.fields, "method": r.method,
                            "blocks": [block_to_dict(b) for b in r.blocks]}
        return st

    def restore_state(self, state: dict) -> None:
        super().restore_state(state)
        self._values = {k: dict(v) for k, v in (state.get("values") or {}).items()}
        ids = [t.id for t in self.templates]
        self.inputs = {}   # do not let the rebuild overwrite restored values
        if state.get("template") in ids:
            if self.template_box.currentIndex() == ids.index(state["template"]):
                self._build_fields()
            else:
                self.template_box.setCurrentIndex(ids.index(state["template"]))
        else:
            self._build_fields()
        r = state.get("result")
        if r:
            self.result = DraftResult(template_id=r["template_id"], fields=r["fields"], method=r["method"],
                                      blocks=[block_from_dict(b) for b in r["blocks"]])
            self.show_result(self.result)
        self._update_buttons()


def _resolve_default(default: str) -> str:
    """Template defaults may say {today}: show the real date (令和…) the draft will use."""
    if "{today}" not in default:
        return default
    return default.replace("{today}", wareki_today())
