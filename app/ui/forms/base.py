"""The frame every notification form shares (届出の受付画面, j540): the form in a scroll area, the
live check by `domain/` as the clerk types, drafts saved while typing, the confirmation view and
saving (仮登録).

A subclass says what it is (`kind`, the domain class name) and fills in:
- `build(layout)`: its widgets, added to the form's body;
- `start()`: what it loads before the clerk can type (through `self.load(...)`, off the GUI
  thread); the draft is restored once everything is loaded (`restore(fields)`);
- `cells()`: its Cells by dotted path, so that an error's field finds its place;
- `notification()`: the domain notification made of what is on screen (values that cannot be
  read are None: the domain then says what is missing);
- `fields_state()` / `restore(fields)`: exactly what is on screen, for drafts;
- `summary()`: the rows of the confirmation view;
- `subject()`: the name the draft title and the tab show (「船橋 健」).

Service calls run on the TaskRunner; callbacks come back on the GUI thread and are dropped when
the form has been destroyed meanwhile.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Callable, ClassVar

from app.services.drafts import Draft
from app.sync.outbox import KIND_LABELS
from app.ui.forms.widgets import REQUIRED_MARK, Cell
from app.ui.qt import (
    QCheckBox,
    QComboBox,
    QEvent,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.tasks import message_of
from domain.errors import FieldError
from domain.notifications import Notification

DRAFT_VERSION = 1
SECTION = "§"  # a summary row whose label is this is a section heading


def dotted(path: str) -> str:
    """The domain names list items `persons[0].name` and map items `relationships[R003]`; the
    forms (and the codec) use dotted paths: `persons.0.name`, `relationships.R003`."""
    return re.sub(r"\[([^\]]*)\]", r".\1", path).strip(".")


def owner_of(path: str, cells: dict[str, Cell]) -> str | None:
    """The longest path in `cells` that is `path` or a dotted prefix of it."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in cells:
            return candidate
    return None


def focus_target(widget: QWidget) -> QWidget:
    """The widget that takes the cursor for an input (a date field's line edit)."""
    proxy = widget.focusProxy()
    return proxy if proxy is not None else widget


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:  # the C++ object is gone (the tab was closed)
        return False
    return True


class NotificationForm(QWidget):
    """One notification kind's guided form. Opened in a tab by the main window, which closes the
    tab on `taken` (the operation id of the provisional registration) or `closed`."""

    taken = Signal(str)
    closed = Signal()
    title_changed = Signal(str)

    kind: ClassVar[str] = ""
    VALIDATE_DELAY_MS: ClassVar[int] = 250
    DRAFT_DELAY_MS: ClassVar[int] = 300

    def __init__(self, service, runner, *, resident_id: str = "", draft: Draft | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("notificationForm")
        self.service = service
        self.runner = runner
        data = dict(draft.data) if draft is not None else {}
        self.resident_id = resident_id or str(data.get("resident_id", ""))
        self.draft_id = draft.draft_id if draft is not None else service.new_draft_id()
        self._restore_fields: dict | None = data.get("fields") if draft is not None else None
        self.label = KIND_LABELS.get(self.kind, self.kind)
        self.title = self.label
        self.errors: tuple[tuple[str, str], ...] = ()  # (dotted path, message) from the last check
        self.show_all = False  # every cell's errors, and the summary (after 「確認」 was asked)
        self.ready = False
        self.saving = False
        self.finished = False
        self._edited = draft is not None  # a draft is saved only once the clerk has typed something
        self._loads = 0
        self._load_failed = ""
        self._draft_running = False
        self._draft_again = False
        self._take_after_draft = False
        self._confirmed: Notification | None = None
        self._validate_key = f"forms.validate.{self.draft_id}"

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(self.VALIDATE_DELAY_MS)
        self._validate_timer.timeout.connect(self.validate_now)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(self.DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft_now)

        self._build_frame()
        self.build(self.body)
        self.body.addStretch(1)
        self.adopt_widgets()
        self.start()
        if self._loads == 0:
            self._become_ready()

    # -- for subclasses ---------------------------------------------------------------------
    def build(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Loads what the form needs (self.load); nothing by default."""

    def cells(self) -> dict[str, Cell]:
        raise NotImplementedError

    def notification(self) -> Notification:
        raise NotImplementedError

    def fields_state(self) -> dict:
        raise NotImplementedError

    def restore(self, fields: dict) -> None:
        raise NotImplementedError

    def summary(self, n: Notification) -> list[tuple[str, str]]:
        raise NotImplementedError

    def subject(self) -> str:
        return ""

    def on_ready(self) -> None:
        """Everything is loaded and the draft restored; the clerk may type now."""

    # -- building blocks for subclasses -----------------------------------------------------
    def section(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        self.body.addWidget(label)
        return label

    def form_layout(self) -> QFormLayout:
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.body.addLayout(layout)
        return layout

    def load(self, fn: Callable, *args: Any, on_done: Callable[[Any], None]) -> None:
        """Runs `fn(*args)` off the GUI thread before the form is ready; `on_done(result)` on the
        GUI thread. The draft is restored once every load is done."""
        self._loads += 1

        def done(result: Any) -> None:
            if not _alive(self):
                return
            self._loads -= 1
            on_done(result)
            if self._loads == 0:
                self._become_ready()

        def failed(error: BaseException) -> None:
            if not _alive(self):
                return
            self._loads -= 1
            self._load_failed = message_of(error)
            self.summary_label.setText(self._load_failed)
            self.summary_label.setVisible(True)

        self.runner.run(fn, *args, on_done=done, on_error=failed)

    def run(self, fn: Callable, *args: Any, on_done: Callable[[Any], None]) -> None:
        """A service call after the form is ready (allocating a number…); errors go to the summary."""

        def done(result: Any) -> None:
            if _alive(self):
                on_done(result)

        def failed(error: BaseException) -> None:
            if _alive(self):
                self.summary_label.setText(message_of(error))
                self.summary_label.setVisible(True)

        self.runner.run(fn, *args, on_done=done, on_error=failed)

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.heading.setText(title)
            self.title_changed.emit(title)

    def changed(self, *_args: Any) -> None:
        """Something on screen changed: check again (debounced) and save the draft."""
        if not self.ready or self.finished:
            return
        self._validate_timer.start()
        subject = self.subject()
        self.set_title(f"{self.label} {subject}" if subject else self.label)
        if self._edited:
            self._draft_timer.start()

    def user_edited(self, *_args: Any) -> None:
        if self.ready and not self._edited:
            self._edited = True
            self._draft_timer.start()
        if self.ready:
            self._validate_timer.start()

    def adopt_widgets(self) -> None:
        """Watches every input of the form (for changes and the keyboard) and puts the tab order
        in the order of the layout. Call again after adding widgets."""
        for w in self.findChildren(QWidget):
            if w.property("formWatched"):
                continue
            w.setProperty("formWatched", True)
            if isinstance(w, (QLineEdit, QComboBox, QCheckBox, QRadioButton, QPushButton)):
                w.installEventFilter(self)
            if isinstance(w, QLineEdit):
                if isinstance(w.parent(), QComboBox):
                    continue
                w.textChanged.connect(self.changed)
                w.textEdited.connect(self.user_edited)
            elif isinstance(w, QComboBox):
                w.currentIndexChanged.connect(self.changed)
                w.activated.connect(self.user_edited)
                if w.isEditable():
                    w.currentTextChanged.connect(self.changed)
                    w.lineEdit().textEdited.connect(self.user_edited)
            elif isinstance(w, (QCheckBox, QRadioButton)):
                w.toggled.connect(self.changed)
                w.clicked.connect(self.user_edited)
            elif isinstance(w, Cell):
                # the clerk changed it: its old message may no longer hold (the next check says)
                w.touched_now.connect(lambda c=w: c.set_errors([]))
        self.fix_tab_order()

    # -- the frame --------------------------------------------------------------------------
    def _build_frame(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        self.heading = QLabel(self.title)
        self.heading.setObjectName("sectionTitle")
        legend = QLabel(f"{REQUIRED_MARK}は必須項目です。Enterで次の項目へ、Ctrl+Enterで確認画面へ進みます。")
        legend.setObjectName("itemLabel")
        legend.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("errorSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setVisible(False)
        outer.addWidget(self.heading)
        outer.addWidget(legend)
        outer.addWidget(self.summary_label)

        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        # the form
        self.edit_page = QWidget()
        edit_layout = QVBoxLayout(self.edit_page)
        edit_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("formScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.content = QWidget()
        self.content.setObjectName("page")
        self.body = QVBoxLayout(self.content)
        self.scroll.setWidget(self.content)
        edit_layout.addWidget(self.scroll, 1)
        buttons = QHBoxLayout()
        self.close_button = QPushButton("閉じる（下書きは残ります）")
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.close_form)
        self.confirm_button = QPushButton("確認へ進む（Ctrl+Enter）")
        self.confirm_button.setObjectName("primaryButton")
        self.confirm_button.clicked.connect(self.go_confirm)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        edit_layout.addLayout(buttons)
        self.stack.addWidget(self.edit_page)

        # the confirmation view (j540)
        self.confirm_page = QWidget()
        confirm_layout = QVBoxLayout(self.confirm_page)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        note = QLabel("次の内容で仮登録します。内容を確かめてください。")
        note.setObjectName("pendingBanner")
        confirm_layout.addWidget(note)
        self.confirm_scroll = QScrollArea()
        self.confirm_scroll.setWidgetResizable(True)
        self.confirm_scroll.setFrameShape(QFrame.Shape.NoFrame)
        confirm_layout.addWidget(self.confirm_scroll, 1)
        self.save_message = QLabel()
        self.save_message.setObjectName("errorSummary")
        self.save_message.setWordWrap(True)
        self.save_message.setVisible(False)
        confirm_layout.addWidget(self.save_message)
        confirm_buttons = QHBoxLayout()
        self.back_button = QPushButton("戻る（Esc）")
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.back)
        self.save_button = QPushButton("登録（仮登録）")
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        confirm_buttons.addWidget(self.back_button)
        confirm_buttons.addStretch(1)
        confirm_buttons.addWidget(self.save_button)
        confirm_layout.addLayout(confirm_buttons)
        self.stack.addWidget(self.confirm_page)

    # -- readiness and drafts ---------------------------------------------------------------
    def _become_ready(self) -> None:
        if self.ready or self._load_failed:
            return
        if self._restore_fields is not None:
            self.restore(self._restore_fields)
            self.adopt_widgets()
        self.ready = True
        self.on_ready()
        subject = self.subject()
        self.set_title(f"{self.label} {subject}" if subject else self.label)
        self.validate_now()
        self.focus_first()

    def draft_title(self) -> str:
        subject = self.subject()
        return f"{self.label} {subject}" if subject else self.label

    def draft_data(self) -> dict:
        return {"version": DRAFT_VERSION, "resident_id": self.resident_id, "fields": self.fields_state()}

    def save_draft_now(self) -> None:
        """Saves the draft now (on the runner; saves never overlap, so the newest one wins)."""
        self._draft_timer.stop()
        if not self.ready or self.finished or not self._edited:
            return
        if self._draft_running:
            self._draft_again = True
            return
        self._draft_running = True
        self.runner.run(
            self.service.save_draft, self.draft_id, self.kind, self.draft_title(), self.draft_data(),
            on_done=self._draft_saved, on_error=self._draft_failed,
        )

    def _draft_saved(self, _result: object = None) -> None:
        self._draft_running = False
        if not _alive(self):
            return
        if self._take_after_draft:
            self._take_after_draft = False
            self._take()
        elif self._draft_again:
            self._draft_again = False
            self.save_draft_now()

    def _draft_failed(self, error: BaseException) -> None:
        self._draft_running = False
        if not _alive(self):
            return
        self.summary_label.setText(f"下書きを保存できませんでした：{message_of(error)}")
        self.summary_label.setVisible(True)
        if self._take_after_draft:
            self._take_after_draft = False
            self._take()

    @property
    def idle(self) -> bool:
        """Loaded, nothing waiting to be checked or saved, no task of this form's runner running."""
        return (self.ready and not self._validate_timer.isActive() and not self._draft_timer.isActive()
                and not self.runner.busy)

    def close_form(self) -> None:
        if self._draft_timer.isActive():
            self.save_draft_now()
        self.closed.emit()

    # -- live validation --------------------------------------------------------------------
    def local_errors(self) -> dict[int, str]:
        """Cells whose value cannot even be read (a date typed wrong), by id(cell)."""
        return {id(c): c.local_error() for c in set(self._visible_cells().values()) if c.local_error()}

    def validate_now(self) -> None:
        """Checks what is on screen with the domain's rules (on the runner, newest check wins)."""
        self._validate_timer.stop()
        if not self.ready or self.finished:
            return
        self.render_errors()  # unreadable values show at once, whatever the service says
        try:
            n = self.notification()
        except Exception as e:  # noqa: BLE001 - a form must never crash on half-typed input
            self.errors = (("", message_of(e)),)
            self.render_errors()
            return
        self.runner.run(self.service.validate, n, key=self._validate_key, on_done=self._validated, on_error=self._validation_failed)

    def _validated(self, errors: tuple[FieldError, ...]) -> None:
        if not _alive(self):
            return
        self.confirm_button.setEnabled(True)  # a newer check superseded a 「確認」 one: ask again
        self.errors = tuple((dotted(e.field), e.message) for e in errors)
        self.render_errors()

    def _validation_failed(self, error: BaseException) -> None:
        if not _alive(self):
            return
        self.confirm_button.setEnabled(True)
        self.errors = (("", message_of(error)),)
        self.render_errors()

    def _visible_cells(self) -> dict[str, Cell]:
        """The cells the clerk can see (a hidden section owns no error: it goes to the summary)."""
        return {p: c for p, c in self.cells().items() if c.isVisibleTo(self.content)}

    def errors_by_cell(self) -> tuple[dict[int, list[str]], list[str], dict[int, Cell]]:
        cells = self._visible_cells()
        by_id = {id(c): c for c in cells.values()}
        shown: dict[int, list[str]] = defaultdict(list)
        unowned: list[str] = []
        for path, message in self.errors:
            owner = owner_of(path, cells) if path else None
            if owner is None:
                unowned.append(message)
            else:
                shown[id(cells[owner])].append(message)
        for cid, message in self.local_errors().items():
            shown[cid] = [message]
        return shown, unowned, by_id

    def render_errors(self) -> None:
        shown, unowned, by_id = self.errors_by_cell()
        for cell in set(c for c in self.cells().values()):
            visible = id(cell) in by_id and (cell.touched or self.show_all)
            cell.set_errors(shown.get(id(cell), []) if visible else [])
        if self._load_failed:
            return
        if self.show_all and (unowned or shown):
            count = len(unowned) + sum(len(v) for v in shown.values())
            lines = [f"入力内容に誤りがあります（{count}件）。赤字の項目を確認してください。"] + [f"・{m}" for m in unowned]
            self.summary_label.setText("\n".join(lines))
            self.summary_label.setVisible(True)
        else:
            self.summary_label.setText("")
            self.summary_label.setVisible(False)

    def field_errors(self, path: str) -> tuple[str, ...]:
        """What the cell that owns `path` shows now (for tests and the status line)."""
        cells = self.cells()
        owner = owner_of(path, cells)
        return cells[owner].messages if owner else ()

    def focus_first_error(self) -> None:
        """The cursor to the first field (in the tab order) that shows an error."""
        for cell in self._ordered_cells(self._focus_chain(self.edit_page)):
            inputs = [focus_target(w) for w in cell.inputs if not w.isHidden()]
            if cell.messages and inputs:
                inputs[0].setFocus(Qt.FocusReason.OtherFocusReason)
                self.scroll.ensureWidgetVisible(cell)
                return

    def _ordered_cells(self, chain: list[QWidget]) -> list[Cell]:
        order = {id(w): i for i, w in enumerate(chain)}
        cells = list({id(c): c for c in self.cells().values()}.values())
        return sorted(cells, key=lambda c: min((order.get(id(focus_target(w)), 10**6) for w in c.inputs), default=10**6))

    # -- confirmation and saving ------------------------------------------------------------
    def go_confirm(self) -> None:
        """「確認」: every error is shown; with none, the confirmation view (j540)."""
        if not self.ready or self.saving or self.stack.currentWidget() is not self.edit_page:
            return
        self.show_all = True
        self._validate_timer.stop()
        self.render_errors()  # what cannot be read shows at once; the rules check the rest
        try:
            n = self.notification()
        except Exception as e:  # noqa: BLE001
            self.errors = (("", message_of(e)),)
            self.render_errors()
            return
        self.confirm_button.setEnabled(False)
        self.runner.run(self.service.validate, n, key=self._validate_key,
                        on_done=lambda errors: self._checked_for_confirm(n, errors),
                        on_error=self._confirm_failed)

    def _checked_for_confirm(self, n: Notification, errors: tuple[FieldError, ...]) -> None:
        if not _alive(self):
            return
        self.confirm_button.setEnabled(True)
        self.errors = tuple((dotted(e.field), e.message) for e in errors)
        self.render_errors()
        if errors or self.local_errors():
            self.focus_first_error()
            return
        self._confirmed = n
        self._show_summary(n)
        self.stack.setCurrentWidget(self.confirm_page)
        self.save_message.setVisible(False)
        self.save_button.setEnabled(True)
        self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _confirm_failed(self, error: BaseException) -> None:
        if not _alive(self):
            return
        self.confirm_button.setEnabled(True)
        self.errors = (("", message_of(error)),)
        self.render_errors()

    def _show_summary(self, n: Notification) -> None:
        page = QWidget()
        page.setObjectName("confirmSummary")
        layout = QFormLayout(page)
        title = QLabel(f"{self.label}の内容")
        title.setObjectName("sectionTitle")
        layout.addRow(title)
        for label, value in self.summary(n):
            if label == SECTION:
                heading = QLabel(value)
                heading.setObjectName("sectionTitle")
                layout.addRow(heading)
                continue
            name = QLabel(label)
            name.setObjectName("itemLabel")
            text = QLabel(value or "―")
            text.setObjectName("summaryValue")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addRow(name, text)
        old = self.confirm_scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.confirm_scroll.setWidget(page)

    def summary_texts(self) -> list[str]:
        """The confirmation view's text, row by row (label and value)."""
        page = self.confirm_scroll.widget()
        if page is None:
            return []
        return [w.text() for w in page.findChildren(QLabel)]

    def back(self) -> None:
        """「戻る」: back to the form, everything as it was."""
        if self.saving:
            return
        self.stack.setCurrentWidget(self.edit_page)
        self.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        """「登録（仮登録）」: takes the confirmed notification on the runner; the draft goes in the
        same transaction. A draft save still running finishes first (it must not bring the draft
        back after the take removed it)."""
        if self.saving or self._confirmed is None or self.stack.currentWidget() is not self.confirm_page:
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.save_message.setVisible(False)
        self._draft_timer.stop()
        self._draft_again = False
        if self._draft_running:
            self._take_after_draft = True
        else:
            self._take()

    def _take(self) -> None:
        self.finished = True  # no more drafts: the take discards this one
        self.runner.run(self.service.take, self._confirmed, draft_id=self.draft_id, on_done=self._taken, on_error=self._take_failed)

    def _taken(self, taken) -> None:
        if not _alive(self):
            return
        self.saving = False
        self.taken.emit(taken.operation_id)

    def _take_failed(self, error: BaseException) -> None:
        if not _alive(self):
            return
        self.saving = False
        self.finished = False
        self.back_button.setEnabled(True)
        errors = getattr(error, "errors", None)
        if errors:
            # the rules refused it (the register changed meanwhile…): back to the form, nothing saved
            self.errors = tuple((dotted(e.field), e.message) for e in errors)
            self.show_all = True
            self.stack.setCurrentWidget(self.edit_page)
            self.render_errors()
            self.focus_first_error()
            if self._edited:
                self._draft_timer.start()
            return
        self.save_button.setEnabled(True)
        self.save_message.setText(f"登録できませんでした：{message_of(error)}")
        self.save_message.setVisible(True)

    # -- keyboard (j400) --------------------------------------------------------------------
    def _focus_chain(self, page: QWidget | None = None) -> list[QWidget]:
        """The inputs of a page (the current one by default) in layout order: the tab order."""
        out: list[QWidget] = []
        root = page if page is not None else self.stack.currentWidget()

        def walk_layout(layout) -> None:
            for i in range(layout.count()):
                item = layout.itemAt(i)
                if item.widget() is not None:
                    walk(item.widget())
                elif item.layout() is not None:
                    walk_layout(item.layout())

        def walk(w: QWidget, top: bool = False) -> None:
            if w.isHidden() and not top:  # (a page not shown is hidden by the stack itself)
                return
            if isinstance(w, QScrollArea):
                if w.widget() is not None:
                    walk(w.widget())
                return
            if isinstance(w, (QLineEdit, QComboBox, QCheckBox, QRadioButton, QPushButton)):
                if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    out.append(w)
                return
            if w.layout() is not None:
                walk_layout(w.layout())

        walk(root, top=True)
        return out

    def fix_tab_order(self) -> None:
        """Tab goes through the inputs in the order they are laid out (rows added later included)."""
        for page in (self.edit_page, self.confirm_page):
            chain = self._focus_chain(page)
            for a, b in zip(chain, chain[1:]):
                QWidget.setTabOrder(a, b)

    def focus_first(self) -> None:
        chain = self._focus_chain()
        if chain:
            chain[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_next(self, current: QWidget) -> None:
        """Enter: the next input in the tab order (the 「確認へ進む」 button after the last)."""
        chain = [w for w in self._focus_chain() if w is not self.close_button]  # Enter never lands on 閉じる
        w: QWidget | None = current
        while w is not None and w not in chain:
            w = w.parentWidget()
        if w is None or not chain:
            return
        index = chain.index(w)
        nxt = chain[index + 1] if index + 1 < len(chain) else self.confirm_button
        nxt.setFocus(Qt.FocusReason.TabFocusReason)
        if self.stack.currentWidget() is self.edit_page and nxt is not self.confirm_button:
            self.scroll.ensureWidgetVisible(nxt)

    def handle_key(self, obj: QWidget, event) -> bool:
        key, mods = event.key(), event.modifiers()
        on_form = self.stack.currentWidget() is self.edit_page
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if mods & Qt.KeyboardModifier.ControlModifier:
                if on_form:
                    self.go_confirm()
                return True
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False  # the open list takes the Enter
            if isinstance(obj, QPushButton):
                obj.click()
                return True
            if on_form:
                self.focus_next(obj)
                return True
            return False
        if key == Qt.Key.Key_Escape and not on_form:
            self.back()
            return True
        return False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(obj, QWidget):
            try:
                if self.isAncestorOf(obj) and self.handle_key(obj, event):
                    return True
            except RuntimeError:
                return False
        return super().eventFilter(obj, event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.handle_key(self, event):
            super().keyPressEvent(event)
