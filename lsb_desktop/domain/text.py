"""Normalisation and validation of typed or imported text: names, dates, numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from lsb_desktop.errors import ValidationError

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters that take no room on screen or paper: every format character (Unicode category
# Cf: zero-width space and joiners U+200B-U+200D, the direction marks and overrides
# U+200E/F, U+202A-U+202E, U+2066-U+2069, the word joiner and invisible operators
# U+2060-U+2064, the byte order mark U+FEFF, the soft hyphen U+00AD, tag characters, ...),
# the Hangul fillers and the variation selectors. A name holding one looks exactly like the
# name without it, so names drop them (tests/unit/test_text.py checks the Cf list against
# unicodedata).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff"
    "\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)
# openpyxl's (and Excel's) escape of a character XML cannot hold, e.g. _x0000_ for NUL.
_XML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
# Excel's error values, as a cell's text when a formula broke (#REF!) or as typed.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
_NUMBER_LIKE = re.compile(r"^[\d.,+\-%（）()·]+$")
# A cell starting with these is read as a formula by Excel and WPS.
FORMULA_PREFIXES = ("=", "+", "-", "@")
# The stated limits of a name, in characters (after normalisation).
MAX_UNIT_NAME = 30  # a unit or a 管区
MAX_PERSON_NAME = 20  # a secretary, a judge, a 管区书记
MAX_ITEM_NAME = 32  # a scheme's component (评分项目) or criterion (指标)
# How much of a refused value a message quotes.
SHOWN_CHARS = 20
# Excel's day zero for serial dates (the 1900 leap-year bug is why it is not 1899-12-31).
_EXCEL_EPOCH = date(1899, 12, 30)


def strip_invisible(text: str) -> str:
    """`text` without the characters that show as nothing (see _INVISIBLE)."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def shown_value(text: object, limit: int = SHOWN_CHARS) -> str:
    """A value as quoted in a message: control characters shown as spaces, cut at `limit`
    characters with "…" (a 100,000-character cell is never echoed whole)."""
    text = "" if text is None else str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    return "".join(" " if ord(char) < 32 or 127 <= ord(char) < 160 else char for char in text)


def clean(text: object) -> str:
    """NFKC-normalise (full-width digits, letters and spaces), drop invisible characters
    (zero-width spaces, direction overrides, ...) and trim; None becomes ''."""
    if text is None:
        return ""
    value = strip_invisible(unicodedata.normalize("NFKC", strip_invisible(str(text))))
    return _SPACES.sub(" ", value).strip()


def _half_width(ch: str) -> str:
    code = ord(ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)
    return ch


def clean_text(text: object) -> str:
    """Free text (notes, reasons): full-width letters and digits made half-width, spaces
    folded and trimmed, but Chinese punctuation（，：；）kept as the clerk typed it."""
    if text is None:
        return ""
    value = "".join(_half_width(ch) for ch in unicodedata.normalize("NFC", str(text)))
    return _SPACES.sub(" ", value).strip()


def canonical_name(text: object) -> str:
    """The one spelling of a unit or 管区 name: no spaces, Chinese full-width parentheses.

    NFKC turns （社区） into (社区); official paper writes （社区）, so parentheses go back to
    the full-width form. Two names are the same name when their canonical forms are equal.
    """
    # Spaces go before the second NFKC pass: removing one can bring a letter next to a
    # combining mark, which NFKC then composes (so the result is stable when applied again).
    value = _SPACES.sub("", unicodedata.normalize("NFKC", _SPACES.sub("", clean(text))))
    return value.replace("(", "（").replace(")", "）")


def canonical_person(text: object) -> str:
    """A person's name: no inner spaces (张 三 is 张三); the middle dot of 阿依·买买提 unified."""
    value = _SPACES.sub("", clean(text))
    return value.replace("•", "·").replace("・", "·").replace(".", "·")


def _refuse_non_text(raw: object, what: str, noun: str = "名称") -> None:
    """A date cell is no name, whatever its text (a number cell reads as digits only)."""
    if isinstance(raw, (date, datetime)):
        shown = format_date(raw.date() if isinstance(raw, datetime) else raw)
        raise ValidationError(f"{what}是一个日期（{shown}），不是{noun}，请检查是否填错了列")


def _check_common(value: str, what: str, limit: int, noun: str = "名称") -> None:
    """The rules every name shares (see check_name); `value` is already normalised."""
    shown = shown_value(value)
    if not value:
        raise ValidationError(f"{what}不能为空")
    if value.upper() in EXCEL_ERRORS:
        raise ValidationError(f"{what}是 Excel 的错误值“{value}”，不是{noun}，请在 Excel 中改正后再导入")
    if len(value) > limit:
        raise ValidationError(f"{what}“{shown}”太长（{len(value)} 个字，最多 {limit} 个字）")
    if _CONTROL.search(value):
        raise ValidationError(f"{what}“{shown}”含有不可见的控制字符")
    if (found := _XML_ESCAPE.search(value)) is not None:
        escape = found.group(0)
        raise ValidationError(
            f"{what}“{shown}”中有转义文字“{escape}”（多半是别的程序导出时留下的控制字符），请改成正确的名称"
        )
    if value.startswith(FORMULA_PREFIXES):
        raise ValidationError(f"{what}“{shown}”不能以 = + - @ 开头")
    if _looks_like_date(value):
        raise ValidationError(f"{what}“{shown}”是一个日期，不是{noun}，请检查是否填错了列")
    if _NUMBER_LIKE.match(value):
        raise ValidationError(f"{what}“{shown}”只有数字，不像名称")


def validate_unit_name(text: object, what: str = "村（社区）名称") -> str:
    """Return the canonical unit (or 管区) name or raise ValidationError with a Chinese reason.

    Invisible characters are removed (canonical_name), so a name with a zero-width space is
    the same name as without; a date cell, an Excel error value, an _xHHHH_ escape, a
    control character, a formula start, digits only, a date's text and more than
    MAX_UNIT_NAME characters are refused. Private-use characters are kept: offices make rare
    name characters there (造字), and printing checks every character against the fonts."""
    _refuse_non_text(text, what)
    value = canonical_name(text)
    _check_common(value, what, MAX_UNIT_NAME)
    if value in ("合计", "总计", "小计", "共计"):
        raise ValidationError(f"“{value}”是合计行，不是{what}")
    return value


def validate_person_name(text: object, what: str = "党组织书记姓名") -> str:
    """A secretary's, judge's or 管区书记's name, canonical (canonical_person), checked as
    validate_unit_name checks a unit's, with at most MAX_PERSON_NAME characters and no digit."""
    _refuse_non_text(text, what, "姓名")
    value = canonical_person(text)
    # Digits first ("张三1" says 含有数字), unless they belong to an error value or an escape.
    if value.upper() not in EXCEL_ERRORS and not _XML_ESCAPE.search(value) and any(ch.isdigit() for ch in value):
        raise ValidationError(f"{what}“{shown_value(value)}”含有数字")
    _check_common(value, what, MAX_PERSON_NAME, "姓名")
    return value


def validate_item_name(text: object, what: str = "指标名称") -> str:
    """A scheme's component (评分项目) or criterion (指标) name, canonical (canonical_name),
    checked as a unit's name is, with at most MAX_ITEM_NAME characters."""
    _refuse_non_text(text, what)
    value = canonical_name(text)
    _check_common(value, what, MAX_ITEM_NAME)
    return value


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object, what: str = "日期") -> date:
    """Read a date as a clerk writes it: 2023-9-26, 2023.9.26, 2023/9/26, 2023年9月26日,
    20230926, an Excel date cell, or an Excel serial number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        serial = float(value)
        if serial.is_integer() and 1 <= serial <= 2958465:
            return _EXCEL_EPOCH + timedelta(days=int(serial))
        raise ValidationError(f"{what}“{shown_value(value)}”不是日期")
    text = _SPACES.sub("", clean(value))
    if not text:
        raise ValidationError(f"{what}不能为空")
    if text.isdigit() and len(text) <= 6:
        return parse_date(int(text), what)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise ValidationError(f"无法识别{what}“{shown_value(value)}”，请写成 2023-09-26 或 2023年9月26日")


def _looks_like_date(text: str) -> bool:
    """2025-01-01, 2025/1/1, 2025.1.1, 2025年1月1日 (a date cell turned into text)."""
    value = _SPACES.sub("", text)
    return any(pattern.match(value) for pattern in _DATE_PATTERNS[:2])


def format_date(day: date | None) -> str:
    return day.isoformat() if day else ""


# A date line on paper with no date yet, filled in by hand.
BLANK_DATE_TEXT = "______年____月____日"


def date_text(day: date | None) -> str:
    """A date as people write it on paper and in messages: 2024年3月5日 (no leading zeros);
    for no date, a line to fill in by hand (BLANK_DATE_TEXT)."""
    if day is None:
        return BLANK_DATE_TEXT
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------------------- Excel cells

# An Excel cell holds at most this many characters; Excel refuses (and openpyxl silently
# cuts) a longer text.
EXCEL_CELL_CHARS = 32_767
CUT_MARK = "…（超出 Excel 单元格上限，已截断，完整内容见程序）"
# The cells cut by fit_excel_cell within `noting_cut_cells` (per thread and task, not global).
_CUT_CELLS: ContextVar[list[str] | None] = ContextVar("lsb_cut_cells", default=None)


def fit_excel_cell(text: str, where: str) -> str:
    """`text` as an Excel cell can hold it: a longer one is cut and ends with CUT_MARK, and
    `where` (工作表“名册”第 5 行 J列) is noted for the warning after the export."""
    if len(text) <= EXCEL_CELL_CHARS:
        return text
    cuts = _CUT_CELLS.get()
    if cuts is not None:
        cuts.append(where)
    return text[: EXCEL_CELL_CHARS - len(CUT_MARK)] + CUT_MARK


@contextmanager
def noting_cut_cells() -> Iterator[list[str]]:
    """Collect, for the export run inside the block, where each cut cell is."""
    cuts: list[str] = []
    token = _CUT_CELLS.set(cuts)
    try:
        yield cuts
    finally:
        _CUT_CELLS.reset(token)


def cut_cells_warning(cuts: list[str] | tuple[str, ...], shown: int = 10) -> str:
    """The line telling the clerk which cells an export cut ('' when none)."""
    if not cuts:
        return ""
    places = "、".join(cuts[:shown]) + (f" 等 {len(cuts)} 处" if len(cuts) > shown else "")
    return (
        f"{places}的文字超过 Excel 单元格的上限（{EXCEL_CELL_CHARS} 个字），导出时已截断，"
        "并在截断处注明“已截断”；完整内容请在程序中查看"
    )
