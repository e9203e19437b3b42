"""A4 layout of a certificate: pages of drawing operations, and the alerts of j1070.

Pure: from `CertificateContent` to `PageLayout`s holding what to draw where (text, rules, boxes, the
seal, the QR's square), in points from the page's lower left corner, every coordinate rounded to
1/100 pt — so that what is drawn, and what a verifier reads back from the PDF, is the same text.

Text that does not fit its cell wraps (in cells that allow more than one line: addresses, 本籍,
names, history), then shrinks in 0.25 pt steps down to a minimum size. What still does not fit
raises an **overflow** alert; a character no font has raises a **no_glyph** alert and is drawn as 〓.
`overflow="shrink"` prints as much as fits at the minimum size ("to the limit"), `"blank"` leaves
the cell empty (j1070's parameter); both list the item in the alerts, never silently.

The page: title centred at the top (「公用」 boxed at the top left when asked), the household's rows
(住所, 世帯主), then up to `PERSONS_PER_PAGE` persons, each a ruled band with its number at the
left; 「以下余白」 after the last. At the bottom of every page the QR code (lower left) and the issue
number; on the last page only, the 認証文, the date, the certifier and the seal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from app.certificates.content import CertificateContent, PersonContent, Row, Sheet
from app.certificates.fonts import FontSet

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 40.0
RIGHT = round(PAGE_WIDTH - 40.0, 2)
TOP = round(PAGE_HEIGHT - 30.0, 2)
BOTTOM = 28.0
PERSONS_PER_PAGE = 4
NUMBER_COLUMN = 16.0
LABEL_WIDTH = 78.0
LABEL_SIZE, LABEL_MIN = 7.5, 5.5
VALUE_SIZE, VALUE_MIN = 9.0, 5.5
NAME_SIZE = 11.0
TITLE_SIZE = 18.0
LINE_GAP = 1.22  # line height / font size
PAD = 3.0
QR_SIZE = round(30 * mm, 2)  # the QR square with its quiet zone
SEAL_SIZE = round(21 * mm, 2)  # ≤ 25 mm (j1050)
FOOTER_TOP = BOTTOM + 104.0  # persons end above this
THIN, RULE, FRAME = 0.4, 0.6, 0.9
OVERFLOW_POLICIES = ("shrink", "blank")

# Which items share a ruled line in a person's band, and how wide their values are relative to one another.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("name",),
    ("old_surname", "alias"),
    ("birth_date", "sex", "relationship"),
    ("nationality", "foreign_category"),
    ("residence_status", "period_of_stay", "stay_expires_on"),
    ("card_number",),
    ("became_resident_on", "address_set_on", "notified_on"),
    ("address",),
    ("previous_address",),
    ("domicile", "domicile_head"),
    ("resident_code", "my_number"),
    ("removal_reason", "removal_date"),
    ("moving_on",),
    ("destination",),
)
_GROUP_OF = {key: i for i, group in enumerate(_GROUPS) for key in group}
_WEIGHT = {"sex": 0.45, "relationship": 0.75, "period_of_stay": 0.6, "domicile": 2.4, "notified_on": 0.9,
           "removal_reason": 0.8, "foreign_category": 1.3}
_MAX_LINES = {"name": 2, "address": 2, "previous_address": 2, "domicile": 2, "destination": 2, "history": 3,
              "foreign_category": 2, "alias": 2, "old_surname": 1, "householder": 1}
_MIN_ROW = {"name": 20.0}


# --- drawing operations ------------------------------------------------------------------------


def q(v: float) -> float:
    """A coordinate as drawn: rounded to 1/100 pt (so the PDF holds it exactly)."""
    return round(v + 0.0, 2)


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    size: float
    font: str
    text: str
    align: str = "left"  # the x given is the left end; "right"/"centre" are resolved by layout


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float


@dataclass(frozen=True)
class Frame:
    x: float
    y: float
    w: float
    h: float
    width: float


@dataclass(frozen=True)
class SealImage:
    x: float
    y: float
    size: float
    path: str


@dataclass(frozen=True)
class Alert:
    """j1070: an item that does not fit (`overflow`) or has a character with no glyph (`no_glyph`).
    `message` is Japanese for the clerk; `rest` is what was not printed, or the missing characters."""

    person: str  # resident_id ("" for the household's rows)
    item: str  # the item's key
    text: str  # the item's full text
    kind: str  # "overflow" | "no_glyph"
    message: str
    rest: str = ""


@dataclass
class PageLayout:
    number: int  # 1-based
    ops: list = field(default_factory=list)
    persons: list[PersonContent] = field(default_factory=list)
    address: str = ""
    last: bool = False
    issue_number_at: tuple[float, float, float] = (0.0, 0.0, 0.0)  # x, y, size
    qr_at: tuple[float, float, float] = (0.0, 0.0, 0.0)  # x, y, size (square, quiet zone included)


# --- fitting text ------------------------------------------------------------------------------

_NO_LINE_START = set("、。，．・：；？！ー）」』】〕］｝〉》’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々")


@dataclass(frozen=True)
class Fit:
    font: str
    size: float
    lines: tuple[str, ...]
    rest: str  # what did not fit (printed nowhere)
    missing: str  # characters without a glyph (drawn as 〓)


def _wrap(text: str, widths: list[float], limit: float, max_lines: int) -> tuple[list[str], str]:
    """Greedy lines of at most `limit` (1000-units) each, breaking after a space when one lies in
    the last 40 % of a line, never starting a line with closing punctuation or a small kana. Returns
    (lines, rest) — `rest` is what is left after `max_lines`."""
    lines: list[str] = []
    i, n = 0, len(text)
    while i < n and len(lines) < max_lines:
        while i < n and text[i] in " \u3000":
            i += 1
        if i >= n:
            break
        acc, j = 0.0, i
        while j < n and acc + widths[j] <= limit:
            acc += widths[j]
            j += 1
        if j == i:  # not even one character fits
            return lines, text[i:]
        if j < n:
            space = max(text.rfind(" ", i, j), text.rfind("\u3000", i, j))
            if space > i and sum(widths[i:space]) >= 0.6 * limit:
                j = space + 1
            else:
                while j - 1 > i and text[j] in _NO_LINE_START:
                    j -= 1
        lines.append(text[i:j].rstrip(" \u3000"))
        i = j
    rest = text[i:].strip(" \u3000")
    return lines, rest


def fit_text(fonts: FontSet, text: str, width: float, height: float, *, size: float, min_size: float,
             max_lines: int = 1, policy: str = "shrink") -> Fit:
    """The largest size (down to `min_size`, in 0.25 pt steps) at which `text` fits `width` × `height`
    in at most `max_lines` lines."""
    font, drawn, missing = fonts.resolve(text)
    widths = fonts.char_widths(font, drawn)
    total = sum(widths)
    s = size
    while s >= min_size - 1e-9:
        limit = width * 1000.0 / s
        if total <= limit:
            return Fit(font, s, (drawn,) if drawn else (), "", missing)
        lines_possible = min(max_lines, int((height - 2) // (s * LINE_GAP)))
        if lines_possible > 1:
            lines, rest = _wrap(drawn, widths, limit, lines_possible)
            if not rest:
                return Fit(font, s, tuple(lines), "", missing)
        s = round(s - 0.25, 2)
    s = min_size
    if policy == "blank":
        return Fit(font, s, (), drawn, missing)
    lines, rest = _wrap(drawn, widths, width * 1000.0 / s, max(1, min(max_lines, int((height - 2) // (s * LINE_GAP)))))
    return Fit(font, s, tuple(lines), rest, missing)


def lines_needed(fonts: FontSet, text: str, width: float, *, size: float, max_lines: int) -> int:
    """How many lines `text` takes at `size` in `width` (at most `max_lines`)."""
    font, drawn = fonts.printable(text)
    widths = fonts.char_widths(font, drawn)
    limit = width * 1000.0 / size
    if sum(widths) <= limit or max_lines == 1:
        return 1
    lines, rest = _wrap(drawn, widths, limit, max_lines)
    return max_lines if rest else max(1, len(lines))


# --- the page builder --------------------------------------------------------------------------


@dataclass
class _Cell:
    row: Row
    label_w: float
    value_w: float


class _Builder:
    def __init__(self, content: CertificateContent, fonts: FontSet, certified_on: str, policy: str, names: dict[str, str],
                 seal: bool = True):
        if policy not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow must be one of {OVERFLOW_POLICIES}")
        self.c = content
        self.fonts = fonts
        self.certified_on = certified_on
        self.policy = policy
        self.names = names
        self.seal = seal
        self.pages: list[PageLayout] = []
        self.alerts: list[Alert] = []
        self._alerted: set[tuple[str, str, str, str]] = set()
        self.page: PageLayout | None = None
        self.y = 0.0

    # -- primitives
    def text(self, x: float, y: float, size: float, s: str, *, align: str = "left", font: str | None = None) -> None:
        if not s:
            return
        if font is None:
            font, s = self.fonts.printable(s)
        if align != "left":
            w = self.fonts.width(font, s, size)
            x = x - w if align == "right" else x - w / 2
        self.page.ops.append(Text(q(x), q(y), q(size), font, s))

    def rule(self, x1: float, y1: float, x2: float, y2: float, width: float = THIN) -> None:
        self.page.ops.append(Rule(q(x1), q(y1), q(x2), q(y2), width))

    def frame(self, x: float, y: float, w: float, h: float, width: float = FRAME) -> None:
        self.page.ops.append(Frame(q(x), q(y), q(w), q(h), width))

    def alert(self, row: Row, fit: Fit) -> None:
        who = self.names.get(row.person, "世帯")
        if fit.missing:
            key = (row.person, row.key, row.value, "no_glyph")
            if key not in self._alerted:
                self._alerted.add(key)
                self.alerts.append(Alert(row.person, row.key, row.value, "no_glyph",
                                         f"{who}の「{row.label}」に印字できない文字があります：{fit.missing}（〓で印字されます。外字の登録が必要です）",
                                         fit.missing))
        if fit.rest:
            key = (row.person, row.key, row.value, "overflow")
            if key not in self._alerted:
                self._alerted.add(key)
                how = "空欄で印字します" if self.policy == "blank" else f"入りきらない部分「{fit.rest}」は印字されません"
                self.alerts.append(Alert(row.person, row.key, row.value, "overflow",
                                         f"{who}の「{row.label}」が欄に収まりません（{how}）", fit.rest))

    # -- cells
    def _label_width(self, label: str, first: bool) -> float:
        if first:
            return LABEL_WIDTH
        w = self.fonts.width(self.fonts.primary.name, label, LABEL_SIZE) + 2 * PAD
        return min(LABEL_WIDTH, max(30.0, w))

    def _cells(self, rows: list[Row], x0: float, x1: float) -> list[_Cell]:
        labels = [self._label_width(r.label, i == 0) for i, r in enumerate(rows)]
        rest = x1 - x0 - sum(labels)
        weights = [_WEIGHT.get(r.key, 1.0) for r in rows]
        total = sum(weights)
        return [_Cell(r, lw, rest * wt / total) for r, lw, wt in zip(rows, labels, weights)]

    def _value_size(self, row: Row) -> float:
        return NAME_SIZE if row.key == "name" else VALUE_SIZE

    def _row_height(self, cells: list[_Cell]) -> float:
        h = 15.0
        for c in cells:
            size = self._value_size(c.row)
            n = lines_needed(self.fonts, c.row.value, c.value_w - 2 * PAD, size=size, max_lines=_MAX_LINES.get(c.row.key, 1))
            n_label = lines_needed(self.fonts, c.row.label, c.label_w - 2 * PAD, size=LABEL_SIZE, max_lines=2)
            h = max(h, n * size * LINE_GAP + 2 * PAD + 1, n_label * LABEL_SIZE * LINE_GAP + 2 * PAD + 1,
                    _MIN_ROW.get(c.row.key, 0.0))
        return q(h)

    def _draw_cells(self, cells: list[_Cell], x0: float, top: float, h: float) -> None:
        x = x0
        for i, c in enumerate(cells):
            if i:
                self.rule(x, top, x, top - h, THIN)
            self._draw_in(c.row.label, x, top, c.label_w, h, LABEL_SIZE, LABEL_MIN, 2, None)
            x += c.label_w
            self.rule(x, top, x, top - h, THIN)
            size = self._value_size(c.row)
            self._draw_in(c.row.value, x, top, c.value_w, h, size, VALUE_MIN, _MAX_LINES.get(c.row.key, 1), c.row)
            x += c.value_w

    def _draw_in(self, s: str, x: float, top: float, w: float, h: float, size: float, min_size: float,
                 max_lines: int, row: Row | None) -> None:
        fit = fit_text(self.fonts, s, w - 2 * PAD, h, size=size, min_size=min_size, max_lines=max_lines, policy=self.policy)
        if row is not None:
            self.alert(row, fit)
        n = len(fit.lines)
        if not n:
            return
        lh = fit.size * LINE_GAP
        block = n * lh
        first = top - (h - block) / 2 - lh + (lh - fit.size) / 2 + fit.size * 0.12
        for i, line in enumerate(fit.lines):
            self.text(x + PAD, first - i * lh, fit.size, line, font=fit.font)

    # -- page furniture
    def new_page(self, sheet: Sheet) -> None:
        page = PageLayout(number=len(self.pages) + 1, address=sheet.address)
        self.pages.append(page)
        self.page = page
        self.text(PAGE_WIDTH / 2, TOP - TITLE_SIZE, TITLE_SIZE, self.c.title, align="centre")
        if self.c.official_use:
            self.frame(LEFT, TOP - 24, 44, 24, FRAME)
            self.text(LEFT + 22, TOP - 17.5, 14, "公用", align="centre")
        self.y = TOP - TITLE_SIZE - 16
        if sheet.household:
            self._rows_block(list(sheet.household), LEFT, RIGHT)
            self.y -= 8
        page.qr_at = (LEFT, BOTTOM, QR_SIZE)
        page.issue_number_at = (q(LEFT + QR_SIZE + 10), BOTTOM + 2, 7.5)

    def _rows_block(self, rows: list[Row], x0: float, x1: float) -> None:
        top = self.y
        for row in rows:
            cells = self._cells([row], x0, x1)
            h = self._row_height(cells)
            self._draw_cells(cells, x0, self.y, h)
            self.y -= h
            if row is not rows[-1]:
                self.rule(x0, self.y, x1, self.y, THIN)
        self.frame(x0, self.y, x1 - x0, top - self.y, FRAME)

    def _band_lines(self, person: PersonContent, x0: float, x1: float) -> list[tuple[list[_Cell], float]]:
        groups: dict[int, list[Row]] = {}
        order: list[int | Row] = []
        for row in person.rows:
            g = _GROUP_OF.get(row.key)
            if g is None:
                order.append(row)
            elif g not in groups:
                groups[g] = [row]
                order.append(g)
            else:
                groups[g].append(row)
        lines = []
        for item in order:
            rows = groups[item] if isinstance(item, int) else [item]
            cells = self._cells(rows, x0, x1)
            lines.append((cells, self._row_height(cells)))
        for row in person.history:
            cells = self._cells([row], x0, x1)
            lines.append((cells, self._row_height(cells)))
        return lines

    def person(self, sheet: Sheet, person: PersonContent, count: int) -> int:
        x_num = LEFT
        x0 = LEFT + NUMBER_COLUMN
        lines = self._band_lines(person, x0, RIGHT)
        height = sum(h for _, h in lines)
        if count >= PERSONS_PER_PAGE or (count and self.y - height < FOOTER_TOP):
            self.continued()
            self.new_page(sheet)
            count = 0
        top = self.y
        for cells, h in lines:
            if self.y - h < FOOTER_TOP and self.y < top:  # a band longer than a page goes on
                self._close_band(person, x_num, top)
                self.continued()
                self.new_page(sheet)
                top = self.y
            self._draw_cells(cells, x0, self.y, h)
            self.y -= h
            self.rule(x0, self.y, RIGHT, self.y, THIN)
        self._close_band(person, x_num, top)
        self.page.persons.append(person)
        return count + 1

    def _close_band(self, person: PersonContent, x: float, top: float) -> None:
        self.frame(x, self.y, RIGHT - x, top - self.y, FRAME)
        self.rule(x + NUMBER_COLUMN, top, x + NUMBER_COLUMN, self.y, THIN)
        self.text(x + NUMBER_COLUMN / 2, (top + self.y) / 2 - 3.5, 10, str(person.number), align="centre")

    def continued(self) -> None:
        self.text(RIGHT, FOOTER_TOP - 12, 9, "（次頁に続く）", align="right")

    def finish(self) -> None:
        self.text(RIGHT, self.y - 12, 9, "以下余白", align="right")
        page = self.pages[-1]
        page.last = True
        x = LEFT + QR_SIZE + 14
        self.text(x, BOTTOM + 86, 10.5, self.c.statement)
        self.text(x + 10.5, BOTTOM + 62, 10.5, self.certified_on)
        # the seal overlaps the second half of the name's last character, as 公印 are pressed
        seal_left = RIGHT - 4 - SEAL_SIZE
        self.text(seal_left + 3.5, BOTTOM + 30, 12, self.c.certifier.text, align="right")
        if self.seal and self.c.certifier.seal is not None:
            page.ops.append(SealImage(q(seal_left), q(BOTTOM + 34 - SEAL_SIZE / 2), SEAL_SIZE,
                                      str(self.c.certifier.seal)))

    def build(self) -> list[PageLayout]:
        for sheet in self.c.sheets:
            self.new_page(sheet)
            count = 0
            for person in sheet.persons:
                count = self.person(sheet, person, count)
            if sheet is not self.c.sheets[-1]:
                self.text(RIGHT, self.y - 12, 9, "以下余白", align="right")
        self.finish()
        return self.pages


def layout_certificate(content: CertificateContent, fonts: FontSet, *, certified_on: str,
                       overflow: str = "shrink", seal: bool = True) -> tuple[list[PageLayout], tuple[Alert, ...]]:
    """The pages of a certificate and the alerts its text raises (`seal` False: a preview, no seal)."""
    names = {p.resident_id: p.summary.name for s in content.sheets for p in s.persons}
    b = _Builder(content, fonts, certified_on, overflow, names, seal)
    pages = b.build()
    return pages, tuple(b.alerts)
