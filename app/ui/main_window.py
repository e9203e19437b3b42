"""The clerk's main window: the search bar always at hand, the sync state always visible, and
work in tabs (search, residents, notifications being taken, the outbox, the review queue).

Keyboard (no single-letter shortcuts, so kana typed through the IME is never eaten):
  Ctrl+F / F3  search bar        F4  read a My Number card (a search, or 「カードから入力」 in a form)
  F5  sync now                  F6  送信状況 (outbox)
  F7  審査 (supervisors)        F8  下書き (drafts)     F9  転入届
  Ctrl+W  close the tab         Ctrl+L  lock the screen Ctrl+Tab  next tab
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from app.services.counter import CounterService, SyncStatus
from app.services.settings import ScreenSettings
from app.sync.client import TerminalRevoked
from app.sync.outbox import KIND_LABELS
from app.ui import style
from app.ui.input_watch import InputWatch
from app.ui.qt import (
    QEvent,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.resident_panel import ResidentPanel
from app.ui.search_panel import SearchPanel
from app.ui.tasks import TaskRunner, message_of
from domain.addresses import ward_by_code

log = logging.getLogger(__name__)

class LockScreen(QWidget):
    """Covers the work after the idle time: only the same operator's password opens it again."""

    unlocked = Signal()

    def __init__(self, service: CounterService, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("lockOverlay")
        self.service, self.runner = service, runner
        box = QVBoxLayout(self)
        box.addStretch(1)
        card = QFrame(objectName="loginCard")
        card.setFixedWidth(440)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.addWidget(QLabel("画面をロックしました", objectName="loginTitle"))
        inner.addWidget(QLabel(f"{service.display_name}（{service.operator_id}）のパスワードを入力してください。入力中の届出は下書きとして保存されています。", wordWrap=True))
        self.password = QLineEdit(objectName="unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        inner.addWidget(self.password)
        self.message = QLabel(objectName="loginMessage")
        inner.addWidget(self.message)
        self.button = QPushButton("ロック解除", objectName="primaryButton")
        inner.addWidget(self.button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(2)
        self.password.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)

    def submit(self) -> None:
        password = self.password.text()
        self.password.clear()
        self.runner.run(self.service.verify_password, password, on_done=self._checked)

    def _checked(self, ok: bool) -> None:
        if ok:
            self.message.setText("")
            self.unlocked.emit()
        else:
            self.message.setText("パスワードが違います。")
            self.password.setFocus()


class DraftsView(QWidget):
    """下書き: notifications typed but not yet saved, newest first; Enter resumes one."""

    resume = Signal(object)  # Draft

    def __init__(self, service: CounterService, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.service, self.runner = service, runner
        box = QVBoxLayout(self)
        box.addWidget(QLabel("入力途中の届出（下書き）。Enter で続きを入力します。", objectName="sectionTitle"))
        self.list = QListWidget(objectName="draftList")
        box.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.open_button = QPushButton("続きを入力", objectName="primaryButton")
        self.discard_button = QPushButton("下書きを破棄", objectName="dangerButton")
        row.addStretch(1)
        row.addWidget(self.discard_button)
        row.addWidget(self.open_button)
        box.addLayout(row)
        self.list.itemActivated.connect(lambda item: self.resume.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.open_button.clicked.connect(self._open)
        self.discard_button.clicked.connect(self._discard)
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(self.service.drafts, on_done=self._fill, key="drafts")

    def _fill(self, drafts) -> None:
        self.list.clear()
        for d in drafts:
            when = time.strftime("%m月%d日 %H:%M", time.localtime(d.updated_at))
            item = QListWidgetItem(f"{d.title or KIND_LABELS.get(d.kind, d.kind)}　（{when} 保存）")
            item.setData(Qt.ItemDataRole.UserRole, d)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _open(self) -> None:
        item = self.list.currentItem()
        if item:
            self.resume.emit(item.data(Qt.ItemDataRole.UserRole))

    def _discard(self) -> None:
        item = self.list.currentItem()
        if item:
            self.runner.run(self.service.discard_draft, item.data(Qt.ItemDataRole.UserRole).draft_id, on_done=lambda _: self.refresh())


class MainWindow(QMainWindow):
    logged_out = Signal()

    def __init__(
        self,
        service: CounterService,
        runner: TaskRunner | None = None,
        *,
        settings: ScreenSettings | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        background_sync: bool = True,
    ):
        super().__init__()
        self.service = service
        self.runner = runner or TaskRunner(self)
        self.settings = settings or ScreenSettings()
        self.monotonic = monotonic
        self.status: SyncStatus | None = None
        self.setWindowTitle(f"窓口 — {service.terminal.name}")
        self.resize(1366, 768)

        # header: title, search bar, who and where, sync state
        header = QFrame(objectName="headerBar")
        hrow = QHBoxLayout(header)
        hrow.setContentsMargins(12, 6, 12, 6)
        hrow.addWidget(QLabel("窓口", objectName="appTitle"))
        self.quick = QLineEdit(objectName="quickSearch", placeholderText="検索（Ctrl+F）：氏名 カナ・漢字、生年月日 S55.12.26、宛名番号…")
        self.quick.setClearButtonEnabled(True)
        hrow.addWidget(self.quick, 1)
        try:
            ward = ward_by_code(service.ward_code).name
        except KeyError:
            ward = service.ward_code
        self.who = QLabel(f"{service.display_name}　{ward}　{service.terminal.name}", objectName="whoLabel")
        hrow.addWidget(self.who)
        self.sync_badge = QLabel(objectName="syncBadge")
        hrow.addWidget(self.sync_badge)
        self.sync_button = QPushButton("同期（F5）", objectName="syncButton")
        self.notify_button = QPushButton("転入届（F9）", objectName="moveInButton")
        self.outbox_button = QPushButton("送信状況（F6）", objectName="outboxButton")
        self.review_button = QPushButton("審査（F7）", objectName="reviewButton")
        self.review_button.setVisible(service.is_supervisor)
        self.drafts_button = QPushButton("下書き（F8）", objectName="draftsButton")
        self.logout_button = QPushButton("ログアウト", objectName="logoutButton")
        actions = QFrame(objectName="actionBar")
        arow = QHBoxLayout(actions)
        arow.setContentsMargins(12, 4, 12, 4)
        for b in (self.notify_button, self.drafts_button, self.outbox_button, self.review_button):
            arow.addWidget(b)
        arow.addStretch(1)
        arow.addWidget(self.sync_button)
        arow.addWidget(self.logout_button)

        self.banner = QLabel(objectName="warningBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.tabs = QTabWidget(objectName="workTabs")
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.search = SearchPanel(service, self.runner, delay_ms=self.settings.search_delay_ms)
        self.search.open_resident.connect(self.open_resident)
        self.tabs.addTab(self.search, "住民検索")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)

        work = QWidget()
        wbox = QVBoxLayout(work)
        wbox.setContentsMargins(0, 0, 0, 0)
        wbox.setSpacing(0)
        wbox.addWidget(header)
        wbox.addWidget(actions)
        wbox.addWidget(self.banner)
        wbox.addWidget(self.tabs, 1)
        self.lock = LockScreen(service, self.runner)
        self.lock.unlocked.connect(self.unlock)
        self.stack = QStackedWidget()
        self.stack.addWidget(work)
        self.stack.addWidget(self.lock)
        self.setCentralWidget(self.stack)
        self.busy = QLabel()
        self.statusBar().addPermanentWidget(self.busy)
        self.runner.busy_changed.connect(self._busy)
        self.runner.failed.connect(self.show_message)

        self.quick.textEdited.connect(self._quick_typed)
        self.quick.returnPressed.connect(self._quick_enter)
        self.quick.installEventFilter(self)
        self.sync_button.clicked.connect(self.sync_now)
        self.notify_button.clicked.connect(lambda: self.open_form("MoveIn"))
        self.outbox_button.clicked.connect(self.open_outbox)
        self.review_button.clicked.connect(self.open_review)
        self.drafts_button.clicked.connect(self.open_drafts)
        self.logout_button.clicked.connect(self.logout)
        for keys, slot in (
            ("Ctrl+F", self.focus_search), ("F3", self.focus_search), ("F4", self.read_card), ("F5", self.sync_now), ("F6", self.open_outbox),
            ("F7", self.open_review), ("F8", self.open_drafts), ("F9", lambda: self.open_form("MoveIn")),
            ("Ctrl+W", lambda: self.close_tab(self.tabs.currentIndex())), ("Ctrl+L", self.lock_now),
        ):
            QShortcut(QKeySequence(keys), self, activated=slot, context=Qt.ShortcutContext.WindowShortcut)

        self.input_watch = InputWatch(self.monotonic, parent=self)
        self.idle_timer = QTimer(self, interval=1000)
        self.idle_timer.timeout.connect(self.check_idle)
        if self.settings.idle_lock_minutes > 0:
            self.idle_timer.start()
        self.status_timer = QTimer(self, interval=int(self.settings.status_refresh_seconds * 1000))
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start()
        self.sync_timer = QTimer(self, interval=int(self.settings.sync_interval_seconds * 1000))
        self.sync_timer.timeout.connect(self.sync_now)
        if background_sync and self.settings.sync_interval_seconds > 0:
            self.sync_timer.start()
        self.refresh_status()
        self.runner.run(service.drafts, on_done=self._offer_drafts, key="drafts-offer")
        self.quick.setFocus()

    def _busy(self, busy: bool) -> None:
        self.busy.setText("処理中…" if busy else "")

    # -- search ------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.search)
        self.quick.setFocus()
        self.quick.selectAll()

    def read_card(self) -> None:
        """F4: a form that takes a card's data reads it (「カードから入力」); anywhere else, a card search."""
        current = self.tabs.currentWidget()
        if current is not self.search and callable(getattr(current, "read_card", None)):
            current.read_card()
            return
        self.tabs.setCurrentWidget(self.search)
        self.search.read_card()

    def _quick_typed(self, text: str) -> None:
        self.tabs.setCurrentWidget(self.search)
        self.search.set_quick(text)

    def _quick_enter(self) -> None:
        self.tabs.setCurrentWidget(self.search)
        self.search.set_quick(self.quick.text(), now=True)

    @property
    def last_input(self) -> float:
        return self.input_watch.last

    def eventFilter(self, obj, event) -> bool:  # the search bar's ↓ into the results
        if obj is self.quick and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            self.search.focus_results()
            return True
        return super().eventFilter(obj, event)

    # -- tabs ----------------------------------------------------------------------------------
    def _find_tab(self, predicate) -> int:
        for i in range(self.tabs.count()):
            if predicate(self.tabs.widget(i)):
                return i
        return -1

    def _add_tab(self, widget, title: str) -> None:
        i = self.tabs.addTab(widget, title)
        self.tabs.setCurrentIndex(i)
        widget.setFocus()

    def open_resident(self, resident_id: str) -> ResidentPanel:
        i = self._find_tab(lambda w: isinstance(w, ResidentPanel) and w.resident_id == resident_id)
        if i >= 0:
            self.tabs.setCurrentIndex(i)
            panel = self.tabs.widget(i)
            panel.refresh()
            return panel
        panel = ResidentPanel(self.service, self.runner, resident_id)
        panel.open_resident.connect(self.open_resident)
        panel.start_notification.connect(lambda kind, rid: self.open_form(kind, rid))
        panel.start_certificate.connect(self.open_certificate)
        panel.loaded.connect(lambda p=panel: self._retitle(p, p.title))
        self._add_tab(panel, "住民")
        return panel

    def _retitle(self, widget, title: str) -> None:
        i = self.tabs.indexOf(widget)
        if i >= 0:
            self.tabs.setTabText(i, title)

    def open_form(self, kind: str, resident_id: str = "", draft=None):
        from app.ui import forms

        form = forms.open_form(kind, self.service, self.runner, resident_id=resident_id, draft=draft)
        form.taken.connect(lambda op_id, f=form: self._form_taken(f, op_id))
        form.closed.connect(lambda f=form: self.close_widget(f))
        form.title_changed.connect(lambda title, f=form: self._retitle(f, title))
        self._add_tab(form, form.title)
        return form

    def _form_taken(self, form, operation_id: str) -> None:
        self.show_message(f"{form.title}を受け付けました（仮登録）。登録サーバーへ送信します。")
        self.close_widget(form)
        self._refresh_residents()
        self.refresh_status()
        if self.service.online:
            self.sync_now()

    def open_certificate(self, resident_id: str):
        from app.ui.certificate_panel import CertificatePanel

        i = self._find_tab(lambda w: isinstance(w, CertificatePanel) and w.resident_id == resident_id)
        if i >= 0:
            self.tabs.setCurrentIndex(i)
            return self.tabs.widget(i)
        panel = CertificatePanel(self.service, self.runner, resident_id)
        panel.closed.connect(lambda p=panel: self.close_widget(p))
        panel.issued.connect(lambda _result: self._refresh_residents())
        self._add_tab(panel, panel.title)
        return panel

    def _refresh_residents(self) -> None:
        for i in range(self.tabs.count()):
            w = self.tabs.widget(i)
            if isinstance(w, ResidentPanel):
                w.refresh()

    def open_outbox(self):
        from app.ui.outbox_view import OutboxView

        i = self._find_tab(lambda w: isinstance(w, OutboxView))
        if i >= 0:
            self.tabs.setCurrentIndex(i)
            self.tabs.widget(i).refresh()
            return self.tabs.widget(i)
        view = OutboxView(self.service, self.runner)
        view.open_resident.connect(self.open_resident)
        self._add_tab(view, "送信状況")
        view.refresh()
        return view

    def open_review(self):
        from app.ui.review_view import ReviewView

        i = self._find_tab(lambda w: isinstance(w, ReviewView))
        if i >= 0:
            self.tabs.setCurrentIndex(i)
            self.tabs.widget(i).refresh()
            return self.tabs.widget(i)
        view = ReviewView(self.service, self.runner)
        view.decided.connect(lambda _id: self.refresh_status())
        self._add_tab(view, "審査")
        view.refresh()
        return view

    def open_drafts(self) -> DraftsView:
        i = self._find_tab(lambda w: isinstance(w, DraftsView))
        if i >= 0:
            self.tabs.setCurrentIndex(i)
            self.tabs.widget(i).refresh()
            return self.tabs.widget(i)
        view = DraftsView(self.service, self.runner)
        view.resume.connect(self._resume_draft)
        self._add_tab(view, "下書き")
        return view

    def _resume_draft(self, draft) -> None:
        resident_id = draft.data.get("resident_id", "") if isinstance(draft.data, dict) else ""
        self.open_form(draft.kind, resident_id, draft=draft)

    def _offer_drafts(self, drafts) -> None:
        if drafts:
            self.show_banner(f"入力途中の届出（下書き）が{len(drafts)}件あります。F8 で一覧を開き、続きを入力できます。")

    def close_widget(self, widget) -> None:
        i = self.tabs.indexOf(widget)
        if i >= 0:
            self.close_tab(i)

    def close_tab(self, index: int) -> None:
        if index <= 0:  # the search tab stays
            return
        w = self.tabs.widget(index)
        self.tabs.removeTab(index)
        w.deleteLater()

    # -- sync and status -------------------------------------------------------------------------
    def sync_now(self) -> None:
        self.sync_badge.setText("同期中…")
        self.runner.run(self.service.sync, on_done=self._synced, on_error=self._sync_failed, key="sync")

    def _synced(self, report) -> None:
        if report.verdicts.get("rejected") or report.verdicts.get("review"):
            self.show_message("審査または差戻しになった届出があります。送信状況（F6）を確認してください。")
        self.refresh_status()

    def _sync_failed(self, error: BaseException) -> None:
        if isinstance(error, TerminalRevoked):
            self.show_banner(message_of(error))
            self.logout()
            return
        self.show_message(message_of(error))
        self.refresh_status()

    def refresh_status(self) -> None:
        self.runner.run(self.service.status, on_done=self.show_status, key="status")

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        text = status.summary(self.service.clock())
        if status.in_review or status.rejected:
            text += f"　審査中 {status.in_review}件　差戻し {status.rejected}件"
        self.sync_badge.setText(text)
        self.sync_badge.setProperty("state", "error" if status.rejected else ("online" if status.online else "offline"))
        style.restyle(self.sync_badge)
        warnings = [w for w in (status.warning, status.last_error) if w]
        if warnings:
            self.show_banner("\n".join(dict.fromkeys(warnings)))
        elif self.banner.text().startswith(("最後の同期", "登録サーバー")):
            self.banner.hide()

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    # -- lock and logout -------------------------------------------------------------------------
    def check_idle(self) -> None:
        limit = self.settings.idle_lock_minutes * 60
        if limit > 0 and self.stack.currentWidget() is not self.lock and self.monotonic() - self.last_input >= limit:
            self.lock_now()

    def lock_now(self) -> None:
        log.info("screen locked for %s", self.service.operator_id)
        self.stack.setCurrentWidget(self.lock)
        self.lock.password.setFocus()

    def unlock(self) -> None:
        self.input_watch.touched()
        self.stack.setCurrentIndex(0)
        self.quick.setFocus()

    @property
    def locked(self) -> bool:
        return self.stack.currentWidget() is self.lock

    def logout(self) -> None:
        for timer in (self.idle_timer, self.status_timer, self.sync_timer):
            timer.stop()
        self.input_watch.stop()
        self.logged_out.emit()
        self.close()

    def closeEvent(self, event) -> None:
        self.input_watch.stop()
        for timer in (self.idle_timer, self.status_timer, self.sync_timer):
            timer.stop()
        super().closeEvent(event)
