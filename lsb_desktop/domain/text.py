"""Normalisation and validation of typed or imported text: names, dates, numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from lsb_desktop.errors import ValidationError

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A cell starting with these is read as a formula by Excel and WPS.
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_UNIT_NAME = 30
MAX_PERSON_NAME = 20
# Excel's day zero for serial dates (the 1900 leap-year bug is why it is not 1899-12-31).
_EXCEL_EPOCH = date(1899, 12, 30)


def clean(text: object) -> str:
    """NFKC-normalise (full-width digits, letters and spaces) and trim; None becomes ''."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
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


def _check_common(value: str, what: str, limit: int) -> None:
    if not value:
        raise ValidationError(f"{what}不能为空")
    if len(value) > limit:
        raise ValidationError(f"{what}“{value}”太长（最多 {limit} 个字）")
    if _CONTROL.search(value):
        raise ValidationError(f"{what}“{value}”含有不可见的控制字符")
    if value.startswith(FORMULA_PREFIXES):
        raise ValidationError(f"{what}“{value}”不能以 = + - @ 开头")


def validate_unit_name(text: object, what: str = "村（社区）名称") -> str:
    """Return the canonical unit name or raise ValidationError with a Chinese reason."""
    value = canonical_name(text)
    _check_common(value, what, MAX_UNIT_NAME)
    if value.replace("（", "").replace("）", "").isdigit():
        raise ValidationError(f"{what}“{value}”只有数字，不像名称")
    if value in ("合计", "总计", "小计"):
        raise ValidationError(f"“{value}”是合计行，不是{what}")
    return value


def validate_person_name(text: object, what: str = "党组织书记姓名") -> str:
    value = canonical_person(text)
    _check_common(value, what, MAX_PERSON_NAME)
    if any(ch.isdigit() for ch in value):
        raise ValidationError(f"{what}“{value}”含有数字")
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
        raise ValidationError(f"{what}“{value}”不是日期")
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
    raise ValidationError(f"无法识别{what}“{value}”，请写成 2023-09-26 或 2023年9月26日")


def format_date(day: date | None) -> str:
    return day.isoformat() if day else ""
