"""PDFs of a round: red-flag certificates (荣誉证书), the 通报 with the 整改通知书, a calibration page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.domain.paper import PaperData, SheetRow
from lsb_desktop.domain.paper_settings import (
    PAGE_LABELS,
    CertificateSettings,
    chinese_number,
    render_template,
)
from lsb_desktop.domain.scoring import Flag
from lsb_desktop.domain.text import date_text
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.atomic import write_atomically
from lsb_desktop.io.pdf_fonts import (
    BLANK,
    FANGSONG,
    HEI,
    KAI,
    SONG,
    USER,
    XIAOBIAOSONG,
    FontChain,
    MissingGlyphsError,
    PdfFont,
    font_chain,
)

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

Progress = Callable[[int, int], None]
MM = 72 / 25.4
A4_PORTRAIT = (210 * MM, 297 * MM)
A4L_MM = (297.0, 210.0)
CREATOR = "亮赛比 桌面版"

RED = (0.74, 0.07, 0.07)
DARK_RED = (0.62, 0.09, 0.09)
GOLD = (0.80, 0.62, 0.22)
GREY = (0.55, 0.55, 0.55)

# Line breaking (禁则): these never start a line (they hang into the margin instead),
# and these never end one.
NO_LINE_START = frozenset("，。、；：？！”’）》〉」』】〕…—·,.;:?!)]}%")
NO_LINE_END = frozenset("“‘（《〈「『【〔([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-%]*|.", re.S)


# ----- common ---------------------------------------------------------------------------------


def _issue_date(data: PaperData, settings: CertificateSettings) -> date:
    return settings.issue_date or data.event_date or date.today()


def _page_size(settings: CertificateSettings) -> tuple[float, float]:
    width, height = settings.page_size_mm
    return width * MM, height * MM


def _paragraphs(text: str) -> list[tuple[str, bool]]:
    """Lines of a template as (text, indented): leading spaces mean a two-character indent."""
    out = []
    for line in text.splitlines():
        if line.strip():
            out.append((line.strip(" \u3000\t"), line[:1] in " \u3000\t"))
    return out


class _Widths:
    """Per-character widths at 1 pt, cached, for line breaking."""

    def __init__(self, chain: FontChain) -> None:
        self.chain = chain
        self.cache: dict[tuple[str, str], float] = {}

    def of(self, text: str, size: float, font: PdfFont) -> float:
        key = (text, font.name)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.chain.width(text, 1.0, font)
        return found * size


def _wrap(widths: _Widths, text: str, size: float, width: float, font: PdfFont, indent: float = 0.0) -> list[str]:
    """Break text into lines no wider than width (the first line `indent` narrower).
    Numbers and Latin words stay whole; closing punctuation may hang past the margin."""
    lines: list[str] = []
    line: list[str] = []
    used = indent
    for token in _TOKEN.findall(text):
        w = widths.of(token, size, font)
        if line and used + w > width + 0.01 and token not in NO_LINE_START:
            carry: list[str] = []
            while len(line) > 1 and line[-1] in NO_LINE_END:
                carry.insert(0, line.pop())
            lines.append("".join(line))
            line = carry
            used = sum(widths.of(t, size, font) for t in line)
        line.append(token)
        used += w
    if line or not lines:
        lines.append("".join(line))
    return lines


def _save(
    path: Path, draw: Callable[[Canvas], int], chain: FontChain, pagesize: tuple[float, float], title: str, author: str
) -> int:
    """Draw into memory, then write the PDF in one go beside `path` and move it into place
    (lsb_desktop.io.atomic): a failure never leaves a half-written PDF, and a PDF open in a viewer
    keeps its old content until the move."""
    from io import BytesIO

    from reportlab.pdfgen.canvas import Canvas

    path = Path(path)
    if not path.parent.is_dir():
        raise ValidationError(
            f"无法写入“{path.name}”：文件夹“{path.parent}”不存在，文件没有保存。请换一个文件夹后再试。"
        )
    buffer = BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=pagesize,
        initialFontName=chain.primary.name,
        initialFontSize=12,
        pageCompression=1,
        lang="zh-CN",
    )
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator(CREATOR)
    pages = draw(canvas)
    canvas.save()
    write_atomically(path, buffer.getvalue())
    return pages


def _data_items(rows: Iterable[SheetRow], data: PaperData) -> list[tuple[str, str]]:
    """The names that come from the register, checked first so a missing character is reported
    with the name it is in (张𪚥村), not only the sentence around it."""
    items = [(data.township, ""), (data.committee, ""), (data.title, "")]
    for row in rows:
        unit = row.result.unit
        items += [
            (unit.name, ""),
            (unit.secretary, ""),
            (unit.org_type, ""),
            (unit.district, ""),
            (row.result.veto_reason, ""),
        ]
    return items


def _check(chain: FontChain, data_items: list[tuple[str, str]], texts: Iterable[str]) -> None:
    """Every character of every text, before anything is written."""
    missing = chain.missing(data_items)
    more = chain.missing((text, "") for text in texts)
    for char, places in more.items():
        missing.setdefault(char, places)
    if missing:
        raise MissingGlyphsError(missing)


def _common_values(data: PaperData, day_text: str) -> dict[str, object]:
    return {
        "township": data.township,
        "committee": data.committee,
        "period": data.period.label,
        "title": data.title,
        "event": data.full_title,
        "date": day_text,
    }


def _unit_values(row: SheetRow, settings: CertificateSettings) -> dict[str, object]:
    result = row.result
    unit = result.unit
    if settings.recipient == "secretary":
        recipient = f"{unit.organisation_title}书记 {unit.secretary}同志"
    else:
        recipient = unit.organisation_title
    return {
        "recipient": recipient,
        "organisation": unit.organisation_title,
        "unit": unit.name,
        "secretary": unit.secretary,
        "rank": result.rank if result.rank is not None else "",
        "rank_cn": chinese_number(result.rank) if result.rank is not None else "",
        "score": result.total,
    }


# ----- certificates ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where things go on a certificate page, in points from the bottom left, before the offset.
    Positions are those of A4 landscape, scaled to the page (k)."""

    width: float
    height: float
    k: float

    def mm(self, value: float) -> float:
        return value * MM * self.k

    @property
    def title_y(self) -> float:
        return self.height - self.mm(50)

    @property
    def title_size(self) -> float:
        return 50 * self.k

    @property
    def recipient_size(self) -> float:
        return 24 * self.k

    @property
    def body_size(self) -> float:
        return 22 * self.k

    @property
    def text_top(self) -> float:  # the recipient line's baseline
        return self.height - self.mm(80)

    @property
    def text_left(self) -> float:
        return self.mm(40)

    @property
    def text_right(self) -> float:
        return self.width - self.mm(40)

    @property
    def issuer_right(self) -> float:
        return self.width - self.mm(46)

    @property
    def issuer_y(self) -> float:
        return self.mm(54)

    @property
    def date_y(self) -> float:
        return self.issuer_y - self.body_size * 1.7

    @property
    def seal_room(self) -> float:
        """The hand seal (about 42 mm across) is pressed over the issuer and the date; nothing
        else may be printed there. Returns the top of that room."""
        centre = (self.issuer_y + self.date_y) / 2 + self.body_size * 0.35
        return centre + self.mm(24)


def _frame(settings: CertificateSettings) -> _Frame:
    width, height = _page_size(settings)
    k = min(width / (A4L_MM[0] * MM), height / (A4L_MM[1] * MM))
    return _Frame(width, height, k)


def _diamond(canvas: Canvas, x: float, y: float, r: float) -> None:
    path = canvas.beginPath()
    path.moveTo(x, y + r)
    path.lineTo(x + r, y)
    path.lineTo(x, y - r)
    path.lineTo(x - r, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _border(canvas: Canvas, frame: _Frame) -> None:
    """A double red frame with gold corner pieces: simple, and nothing like a seal."""
    w, h, mm = frame.width, frame.height, frame.mm
    canvas.saveState()
    canvas.setStrokeColorRGB(*DARK_RED)
    canvas.setLineWidth(3.2 * frame.k)
    canvas.rect(mm(10), mm(10), w - mm(20), h - mm(20), stroke=1, fill=0)
    canvas.setLineWidth(0.9 * frame.k)
    canvas.rect(mm(14), mm(14), w - mm(28), h - mm(28), stroke=1, fill=0)
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setFillColorRGB(*GOLD)
    canvas.setLineWidth(1.6 * frame.k)
    inset, arm = mm(17), mm(16)
    for x, y, dx, dy in (
        (inset, inset, 1, 1),
        (w - inset, inset, -1, 1),
        (inset, h - inset, 1, -1),
        (w - inset, h - inset, -1, -1),
    ):
        canvas.lines([(x, y, x + dx * arm, y), (x, y, x, y + dy * arm)])
        _diamond(canvas, x + dx * mm(3.2), y + dy * mm(3.2), mm(1.6))
    # An ornamental rule under the title.
    y = frame.title_y - mm(9)
    half = mm(52)
    canvas.setLineWidth(0.8 * frame.k)
    canvas.line(w / 2 - half, y, w / 2 - mm(4), y)
    canvas.line(w / 2 + mm(4), y, w / 2 + half, y)
    _diamond(canvas, w / 2, y, mm(1.8))
    canvas.restoreState()


@dataclass(frozen=True, slots=True)
class _CertificateText:
    recipient: str
    paragraphs: tuple[tuple[str, bool], ...]


def _certificate_texts(
    data: PaperData, settings: CertificateSettings, rows: tuple[SheetRow, ...], day_text: str
) -> list[_CertificateText]:
    common = _common_values(data, day_text)
    pages = []
    for row in rows:
        text = render_template(settings.certificate_template, **common, **_unit_values(row, settings))
        paragraphs = _paragraphs(text)
        if not paragraphs:
            raise ValidationError("荣誉证书正文是空的，请在设置中填写证书文字")
        first, _indent = paragraphs[0]
        # The first line is the recipient (张五砦村党支部：) when it ends with a colon.
        if first.endswith(("：", ":")):
            pages.append(_CertificateText(first, tuple(paragraphs[1:])))
        else:
            pages.append(_CertificateText("", tuple(paragraphs)))
    return pages


def _layout_certificate(
    widths: _Widths, frame: _Frame, font: PdfFont, text: _CertificateText
) -> list[tuple[float, float, str, float]]:
    """[(x, baseline, line, size)] fitted above the seal room; the text
    shrinks step by step when the wording is long, and is refused when it cannot fit."""
    bottom = frame.seal_room
    width = frame.text_right - frame.text_left
    scale = 1.0
    while scale >= 0.6:
        r_size, b_size = frame.recipient_size * scale, frame.body_size * scale
        lines: list[tuple[float, float, str, float]] = []
        y = frame.text_top
        if text.recipient:
            for line in _wrap(widths, text.recipient, r_size, width, font):
                lines.append((frame.text_left, y, line, r_size))
                y -= r_size * 1.6
            y -= b_size * 1.3 - r_size * 0.7  # the body starts 0.9 r + 1.3 b below the last recipient line
        for paragraph, indent in text.paragraphs:
            lead = 2 * b_size if indent else 0.0
            for number, line in enumerate(_wrap(widths, paragraph, b_size, width, font, lead)):
                lines.append((frame.text_left + (lead if number == 0 else 0.0), y, line, b_size))
                y -= b_size * 1.9
        last = lines[-1][1] if lines else frame.text_top
        if last - b_size * 0.3 >= bottom:
            return lines
        scale -= 0.05
    raise ValidationError("荣誉证书正文太长，纸上放不下（已缩小字号仍超出盖章处），请在设置中精简证书文字")


def write_certificates(
    path: Path,
    data: PaperData,
    settings: CertificateSettings,
    progress: Progress | None = None,
    *,
    fonts: FontChain | None = None,
) -> int:
    """One 荣誉证书 page per red-flag unit, in rank order; returns the number of pages.

    Every character is checked before the file is written (MissingGlyphsError names any that no
    font has); the seal is left to the hand: its room over the issuer and the date stays empty."""
    rows = data.flagged(Flag.RED)
    if not rows:
        raise ValidationError("这次评比没有红旗单位，没有可打印的荣誉证书")
    if settings.recipient == "secretary":
        lacking = [row.result.unit.name for row in rows if not row.result.unit.secretary]
        if lacking:
            raise ValidationError(
                "证书按党组织书记姓名出具，但以下单位没有登记书记："
                + "、".join(lacking)
                + "。请先补登书记，或在设置中改为发给党组织"
            )
    chain = fonts or font_chain(settings.font_path)
    day_text = settings.format_date(_issue_date(data, settings))
    texts = _certificate_texts(data, settings, rows, day_text)
    title = "荣誉证书"
    _check(
        chain,
        _data_items(rows, data),
        [title, data.committee, day_text] + [t.recipient for t in texts] + [p for t in texts for p, _ in t.paragraphs],
    )

    frame = _frame(settings)
    font = chain.primary
    widths = _Widths(chain)
    layouts = [_layout_certificate(widths, frame, font, text) for text in texts]
    dx, dy = settings.offset_x_mm * MM, -settings.offset_y_mm * MM

    size = frame.body_size
    centre = frame.issuer_right - max(chain.width(data.committee, size, font), chain.width(day_text, size, font)) / 2

    def draw(canvas: Canvas) -> int:
        total = len(layouts)
        for done, lines in enumerate(layouts, start=1):
            canvas.saveState()
            canvas.translate(dx, dy)
            if not settings.text_only:
                _border(canvas, frame)
                canvas.setFillColorRGB(*RED)
                chain.draw(
                    canvas,
                    frame.width / 2,
                    frame.title_y,
                    title,
                    frame.title_size,
                    font,
                    align="centre",
                    spacing=frame.title_size * 0.55,
                )
                canvas.setFillColorRGB(0, 0, 0)
            for x, y, line, size in lines:
                chain.draw(canvas, x, y, line, size, font)
            chain.draw(canvas, centre, frame.issuer_y, data.committee, size, font, align="centre")
            chain.draw(canvas, centre, frame.date_y, day_text, size, font, align="centre")
            canvas.restoreState()
            canvas.showPage()
            if progress:
                progress(done, total)
        return total

    return _save(path, draw, chain, (frame.width, frame.height), f"{data.full_title}荣誉证书", data.committee)


# ----- notices (GB/T 9704 layout) ---------------------------------------------------------------


class _Flow:
    """Text flowing down A4 portrait pages in the GB/T 9704 layout: 37 mm top, 28 mm left,
    156 × 225 mm body, 22 lines of 28 characters at 16 pt."""

    LEFT, TOP, WIDTH, HEIGHT = 28 * MM, 37 * MM, 156 * MM, 225 * MM
    BODY, TITLE = 16.0, 22.0

    def __init__(self, canvas: Canvas, chain: FontChain, widths: _Widths, numbered: bool, page: int = 0) -> None:
        self.canvas, self.chain, self.widths, self.numbered = canvas, chain, widths, numbered
        self.pitch = self.HEIGHT / 22
        self.page = page
        self.y = 0.0
        self.started = False
        self.body_font = chain.pick(USER, FANGSONG)
        self.title_font = chain.pick(XIAOBIAOSONG, HEI, SONG)
        self.h1_font = chain.pick(HEI)
        self.h2_font = chain.pick(KAI)

    @property
    def top(self) -> float:
        return A4_PORTRAIT[1] - self.TOP - self.BODY * 0.88

    @property
    def bottom(self) -> float:
        return A4_PORTRAIT[1] - self.TOP - self.HEIGHT

    def start(self) -> None:
        if self.started:
            self.end_page()
        self.page += 1
        self.started = True
        self.y = self.top

    def end_page(self) -> None:
        if self.numbered:
            mark = f"— {self.page} —"
            self.chain.draw(
                self.canvas, A4_PORTRAIT[0] / 2, self.bottom - 15 * MM, mark, 14, self.body_font, align="centre"
            )
        self.canvas.showPage()
        self.started = False

    def need(self, height: float) -> None:
        if not self.started or self.y - height < self.bottom:
            self.start()

    def gap(self, lines: float = 1.0) -> None:
        self.y -= self.pitch * lines

    def title(self, text: str) -> None:
        lines = _wrap(self.widths, text, self.TITLE, self.WIDTH - 2 * self.TITLE, self.title_font)
        self.need(self.pitch * (len(lines) + 1))
        for line in lines:
            self.chain.draw(
                self.canvas, self.LEFT + self.WIDTH / 2, self.y, line, self.TITLE, self.title_font, align="centre"
            )
            self.y -= self.TITLE * 1.65
        self.y -= self.pitch - self.TITLE * 1.65 + self.pitch * 0.6

    def paragraph(self, text: str, indent: bool = True, font: PdfFont | None = None) -> None:
        font = font or self.body_font
        lead = 2 * self.BODY if indent else 0.0
        for number, line in enumerate(_wrap(self.widths, text, self.BODY, self.WIDTH, font, lead)):
            self.need(self.pitch)
            x = self.LEFT + (lead if number == 0 else 0.0)
            self.chain.draw(self.canvas, x, self.y, line, self.BODY, font)
            self.y -= self.pitch

    def heading(self, text: str, level: int = 1) -> None:
        self.need(self.pitch * 2)  # a heading never ends a page on its own
        self.paragraph(text, True, self.h1_font if level == 1 else self.h2_font)

    def table(
        self,
        header: tuple[str, ...],
        widths_mm: tuple[float, ...],
        rows: Sequence[tuple[str, ...]],
        aligns: tuple[str, ...],
    ) -> None:
        """A ruled table; the header is repeated on each page it runs onto. A cell too long for its
        column is set smaller, never cut."""
        size, height = 12.0, 21.0
        columns = [w * MM for w in widths_mm]
        scale = self.WIDTH / sum(columns)
        columns = [c * scale for c in columns]
        canvas = self.canvas

        def line(cells: tuple[str, ...], font: PdfFont, shaded: bool) -> None:
            top = self.y + self.BODY * 0.88
            x = self.LEFT
            if shaded:
                canvas.saveState()
                canvas.setFillColorRGB(0.92, 0.92, 0.92)
                canvas.rect(x, top - height, self.WIDTH, height, stroke=0, fill=1)
                canvas.restoreState()
            canvas.setLineWidth(0.5)
            canvas.rect(x, top - height, self.WIDTH, height, stroke=1, fill=0)
            baseline = top - height / 2 - size * 0.35
            for cell, width, align in zip(cells, columns, aligns):
                if x > self.LEFT:
                    canvas.line(x, top, x, top - height)
                fit = size
                room = width - 6
                natural = self.chain.width(cell, size, font) if cell else 0.0
                if natural > room:
                    fit = max(6.0, size * room / natural)
                if cell:
                    if align == "centre":
                        self.chain.draw(canvas, x + width / 2, baseline, cell, fit, font, align="centre")
                    elif align == "right":
                        self.chain.draw(canvas, x + width - 3, baseline, cell, fit, font, align="right")
                    else:
                        self.chain.draw(canvas, x + 3, baseline, cell, fit, font)
                x += width
            self.y -= height

        first = True
        for row in rows:
            if not self.started or self.y - height < self.bottom or first:
                if not self.started or self.y - height * 2 < self.bottom:
                    self.start()
                line(header, self.h1_font, True)
                first = False
            line(row, self.body_font, False)
        self.y -= self.pitch - height + self.pitch * 0.3

    def signature(self, issuer: str, day_text: str) -> None:
        """Issuer centred over the date, the date four characters from the right margin, with
        room above them for the seal (pressed over both by hand; its top comes within a line of
        the text). When they do not fit, they go to a new page marked （此页无正文）, as GB/T 9704
        has it."""
        font = self.body_font
        if not self.started or self.y - self.pitch * 3 < self.bottom:
            self.start()
            self.chain.draw(self.canvas, self.LEFT + 2 * self.BODY, self.y, "（此页无正文）", self.BODY, font)
        self.y -= self.pitch * 2  # the seal's upper half sits here
        right = self.LEFT + self.WIDTH - 4 * self.BODY
        date_w = self.chain.width(day_text, self.BODY, font)
        centre = right - date_w / 2
        self.chain.draw(self.canvas, centre, self.y, issuer, self.BODY, font, align="centre")
        self.y -= self.pitch
        self.chain.draw(self.canvas, centre, self.y, day_text, self.BODY, font, align="centre")
        self.y -= self.pitch

    def blank_field(self, label: str, value: str) -> None:
        self.paragraph(f"{label}{value or BLANK * 12}", True)


def _veto_text(row: SheetRow) -> str:
    return f"{row.result.unit.name}因{row.result.veto_reason}被一票否决"


def write_notices(
    path: Path,
    data: PaperData,
    settings: CertificateSettings,
    progress: Progress | None = None,
    *,
    fonts: FontChain | None = None,
) -> int:
    """The 通报 (township-wide: both flag lists and the 综合排名), then one 整改通知书 per
    black-flag unit; A4 portrait, GB/T 9704 layout. Returns the number of pages."""
    red, black = data.flagged(Flag.RED), data.flagged(Flag.BLACK)
    if not data.rows:
        raise ValidationError("这次评比还没有排名结果，无法生成通报")
    chain = fonts or font_chain(settings.font_path)
    # GB/T 9704-2012 writes dates in official documents with Arabic numerals.
    day_text = date_text(_issue_date(data, settings))
    event_text = date_text(data.event_date) if data.event_date else "近日"
    counts = {"red_count": len(red), "black_count": len(black), "unit_count": len(data.rows)}
    common = _common_values(data, event_text)
    title = render_template(settings.notice_title, **common)
    intro = render_template(settings.notice_intro, **common, **counts)
    closing = render_template(settings.notice_closing, **common, **counts)
    red_line = "、".join(row.result.unit.name for row in red) + "。" if red else "无。"
    black_line = "、".join(row.result.unit.name for row in black) + "。" if black else "无。"
    vetoes = [row for row in data.rows if row.result.veto_reason]
    if vetoes:
        black_line += "其中，" + "；".join(_veto_text(row) for row in vetoes) + "。"
    table_rows = []
    for row in data.rows:
        result = row.result
        score = "一票否决" if result.veto_reason else result.total
        table_rows.append(
            (
                str(result.rank) if result.rank is not None else "",
                result.unit.name,
                result.unit.district,
                score,
                result.flag.label if result.flag else "",
            )
        )
    not_visited = "、".join(unit.name for unit in data.not_visited)

    deadline = date_text(settings.deadline) if settings.deadline else ""
    notices = []
    for row in black:
        result = row.result
        unit = result.unit
        if result.veto_reason:
            outcome = f"因{result.veto_reason}被一票否决"
        else:
            rank = f"第{result.rank}名" if result.rank is not None else ""
            outcome = f"综合得分{result.total}分，综合排名{rank}"
        you = "你社区" if unit.kind == "社区" else "你村"
        values = {
            **common,
            **_unit_values(row, settings),
            "you": you,
            "result": outcome,
            "reason": result.veto_reason,
            "deadline": deadline or BLANK * 8,
            "responsible": settings.responsible or BLANK * 6,
            "date": day_text,
        }
        notices.append((row, _paragraphs(render_template(settings.rectification_template, **values))))

    all_texts = [
        title,
        intro,
        closing,
        red_line,
        black_line,
        day_text,
        data.committee,
        not_visited,
        "一、红旗单位",
        "二、黑旗单位",
        "三、综合排名",
        "整改通知书",
        "整改期限：",
        "责 任 人：",
        "（此页无正文）",
        "排名村（社区）管区综合得分红黑旗—0123456789 ",
        settings.responsible,
        deadline,
        data.check_line,
    ]
    all_texts += [p for _row, paragraphs in notices for p, _ in paragraphs]
    _check(chain, _data_items(data.rows, data), all_texts)

    widths = _Widths(chain)
    total = 1 + len(notices)

    def draw(canvas: Canvas) -> int:
        flow = _Flow(canvas, chain, widths, numbered=True)
        flow.start()
        flow.title(title)
        for text, indent in _paragraphs(intro):
            flow.paragraph(text, indent)
        flow.heading(f"一、红旗单位（{len(red)}个）")
        flow.paragraph(red_line)
        flow.heading(f"二、黑旗单位（{len(black)}个）")
        flow.paragraph(black_line)
        flow.heading("三、综合排名")
        flow.table(
            ("排名", "村（社区）", "管区", "综合得分", "红黑旗"),
            (16, 52, 36, 30, 22),
            table_rows,
            ("centre", "left", "left", "centre", "centre"),
        )
        if not_visited:
            flow.paragraph(f"本次未观摩：{not_visited}。")
        for text, indent in _paragraphs(closing):
            flow.paragraph(text, indent)
        flow.signature(data.committee, day_text)
        if data.check_line:
            # Small print at the foot of the 通报's last page, above the page number.
            flow.chain.draw(canvas, flow.LEFT, flow.bottom - 6 * MM, data.check_line, 10.5, flow.body_font)
        flow.end_page()
        pages = flow.page
        if progress:
            progress(1, total)
        for done, (_row, paragraphs) in enumerate(notices, start=2):
            sheet = _Flow(canvas, chain, widths, numbered=False)
            sheet.start()
            sheet.title("整改通知书")
            for text, indent in paragraphs:
                sheet.paragraph(text, indent)
            sheet.gap(0.4)
            sheet.blank_field("整改期限：", deadline)
            sheet.blank_field("责 任 人：", settings.responsible)  # spaced to line up with 整改期限
            sheet.signature(data.committee, day_text)
            sheet.end_page()
            pages += sheet.page
            if progress:
                progress(done, total)
        return pages

    return _save(path, draw, chain, A4_PORTRAIT, title, data.committee)


# ----- calibration --------------------------------------------------------------------------------


def write_calibration_page(path: Path, settings: CertificateSettings, *, fonts: FontChain | None = None) -> None:
    """A test page for certificate stock: a millimetre grid and crosshairs at known distances
    from the paper's edges, drawn with the current offsets, and where the certificate's text
    and the seal room will fall. Printed on plain paper and held against the stock."""
    chain = fonts or font_chain(settings.font_path)
    frame = _frame(settings)
    w_mm, h_mm = settings.page_size_mm
    size_label = PAGE_LABELS[settings.page] + f" {w_mm:g} × {h_mm:g} mm"
    lines = [
        "证书纸校准页",
        f"纸张：{size_label}    当前偏移：向右 {settings.offset_x_mm:+.1f} mm，向下 {settings.offset_y_mm:+.1f} mm",
        "打印时请选“实际大小”（不要“适合页面”）。把本页和证书纸叠在一起对着光看，或用尺量十字线的位置：",
        "每个十字旁标的是它应在的位置（距纸张左边、上边多少毫米）。实际偏左 2 mm，就把左右偏移加 2；",
        "实际偏上 2 mm，就把上下偏移加 2。调好后再打印一张核对。虚线框是证书文字和盖章处的位置。",
    ]
    marks = [(30.0, 30.0), (w_mm - 30, 30.0), (30.0, h_mm - 30), (w_mm - 30, h_mm - 30), (w_mm / 2, h_mm / 2)]
    labels = [f"距左 {x:g} mm，距上 {y:g} mm" for x, y in marks]
    _check(chain, [], lines + labels + ["0123456789 mm盖章处证书正文落款和日期"])
    dx, dy = settings.offset_x_mm * MM, -settings.offset_y_mm * MM
    width, height = frame.width, frame.height
    font = chain.primary

    def at(x_mm: float, y_mm: float) -> tuple[float, float]:
        """A point given from the top left in millimetres."""
        return x_mm * MM, height - y_mm * MM

    def draw(canvas: Canvas) -> int:
        x: float  # grid steps in whole millimetres first, then points on the page
        y: float
        canvas.saveState()
        canvas.translate(dx, dy)
        # Grid: every 5 mm faint, every 10 mm light, every 50 mm darker; numbers along the edges.
        for step, grey, line_width in ((5, 0.9, 0.2), (10, 0.75, 0.3), (50, 0.45, 0.5)):
            canvas.setStrokeColorRGB(grey, grey, grey)
            canvas.setLineWidth(line_width)
            for x in range(0, int(w_mm) + 1, step):
                canvas.line(x * MM, 0, x * MM, height)
            for y in range(0, int(h_mm) + 1, step):
                canvas.line(0, height - y * MM, width, height - y * MM)
        canvas.setFillColorRGB(*GREY)
        for x in range(10, int(w_mm), 10):
            chain.draw(canvas, *at(x, 4), str(x), 6, font, align="centre")
        for y in range(10, int(h_mm), 10):
            bx, by = at(2, y)
            chain.draw(canvas, bx, by - 2, str(y), 6, font)
        canvas.setFillColorRGB(0, 0, 0)
        # Crosshairs.
        canvas.setStrokeColorRGB(*RED)
        canvas.setLineWidth(0.6)
        for (x_mm, y_mm), label in zip(marks, labels):
            x, y = at(x_mm, y_mm)
            canvas.line(x - 10 * MM, y, x + 10 * MM, y)
            canvas.line(x, y - 10 * MM, x, y + 10 * MM)
            align = "right" if x_mm > w_mm / 2 + 1 else "left"
            shift = -2 * MM if align == "right" else 2 * MM
            canvas.setFillColorRGB(*RED)
            chain.draw(canvas, x + shift, y + 2 * MM, label, 8, font, align=align)
        canvas.setFillColorRGB(0, 0, 0)
        # Where the certificate's text and the seal room fall.
        canvas.setStrokeColorRGB(*GREY)
        canvas.setDash(3, 2)
        canvas.rect(
            frame.text_left,
            frame.seal_room,
            frame.text_right - frame.text_left,
            frame.text_top + frame.recipient_size - frame.seal_room,
            stroke=1,
            fill=0,
        )
        chain.draw(canvas, frame.text_left + 2, frame.seal_room + 3, "证书正文", 9, font)
        room = frame.mm(46)
        centre_x = frame.issuer_right - frame.mm(35)
        seal_bottom = frame.date_y - frame.body_size * 0.6
        canvas.rect(centre_x - room / 2, seal_bottom, room, frame.seal_room - seal_bottom, stroke=1, fill=0)
        chain.draw(canvas, centre_x, seal_bottom + 3, "落款和日期（盖章处）", 9, font, align="centre")
        canvas.setDash()
        # The explanation, on a white ground so the grid does not hide it.
        y = height - frame.mm(40)
        canvas.setFillColorRGB(1, 1, 1)
        box_w = max(chain.width(line, 10, font) for line in lines[1:]) + 16
        canvas.rect(
            width / 2 - box_w / 2,
            y - 24 - 15 * (len(lines) - 1) + 6,
            box_w,
            24 + 15 * (len(lines) - 1) + 14,
            stroke=0,
            fill=1,
        )
        canvas.setFillColorRGB(0, 0, 0)
        for number, line in enumerate(lines):
            size = 16 if number == 0 else 10
            chain.draw(canvas, width / 2, y, line, size, font, align="centre")
            y -= 24 if number == 0 else 15
        canvas.restoreState()
        canvas.showPage()
        return 1

    _save(path, draw, chain, (width, height), "证书纸校准页", CREATOR)
