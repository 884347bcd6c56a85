"""Settings of the printed certificates and notices: wording templates, page, printer offset."""

from __future__ import annotations

import math
import string
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date

from lsb_desktop.domain.text import date_text
from lsb_desktop.errors import ValidationError

RECIPIENTS = {"organisation": "党组织", "secretary": "党组织书记"}
DATE_STYLES = {"chinese": "二〇二二年十二月十四日", "arabic": "2022年12月14日"}
# Page sizes in millimetres (width, height), landscape as certificate stock is printed.
PAGES = {"A4L": (297.0, 210.0), "A3L": (420.0, 297.0)}
PAGE_LABELS = {"A4L": "A4 横向", "A3L": "A3 横向", "custom": "自定义尺寸"}
MAX_OFFSET_MM = 50.0
CUSTOM_RANGE_MM = (50.0, 1200.0)

DEFAULT_CERTIFICATE = (
    "{recipient}：\n    在{event}中，成绩突出，综合排名第{rank_cn}名，荣获“红旗”。\n    特发此证，以资鼓励。"
)
DEFAULT_NOTICE_TITLE = "关于{event}结果的通报"
DEFAULT_NOTICE_INTRO = (
    "各村（社区）党组织：\n"
    "    为激励村（社区）党组织书记亮承诺、赛实绩、比干劲，{date}，{township}党委组织开展了"
    "{period}{title}。观摩组通过“听、看、查、问、评”的方式，对各村（社区）逐一进行现场观摩打分，"
    "并结合擂台比武成绩进行综合排名。现将评比结果通报如下："
)
DEFAULT_NOTICE_CLOSING = (
    "    希望获得红旗的村（社区）珍惜荣誉、再接再厉，发挥示范带动作用；获得黑旗的村（社区）要正视差距、"
    "深挖根源，对照问题逐项整改，确保在规定期限内见到实效。各村（社区）党组织书记要亮出承诺、赛出实绩、"
    "比出干劲，推动各项工作争先进位。"
)
DEFAULT_RECTIFICATION = (
    "{organisation}：\n"
    "    在{event}中，{you}{result}，被评为“黑旗”。\n"
    "    请{you}党组织对照观摩评比中发现的问题，认真查找差距、分析原因，逐项制定整改措施，明确责任人和"
    "完成时限，于整改期限内完成整改，并将整改情况书面报镇党建办。镇党委将对整改落实情况进行跟踪督导。"
)

_COMMON = ("township", "committee", "period", "title", "event", "date")
_UNIT = ("recipient", "organisation", "unit", "secretary", "rank", "rank_cn", "score")
# The placeholders each template may use; anything else is refused when the settings are made.
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "certificate_template": _COMMON + _UNIT,
    "notice_title": _COMMON,
    "notice_intro": _COMMON + ("red_count", "black_count", "unit_count"),
    "notice_closing": _COMMON + ("red_count", "black_count", "unit_count"),
    "rectification_template": _COMMON + _UNIT + ("you", "result", "reason", "deadline", "responsible"),
}
TEMPLATE_LABELS = {
    "certificate_template": "荣誉证书正文",
    "notice_title": "通报标题",
    "notice_intro": "通报开头",
    "notice_closing": "通报结尾",
    "rectification_template": "整改通知书正文",
}

_DIGITS = "〇一二三四五六七八九"


def chinese_number(value: int) -> str:
    """0–9999 in Chinese numerals as counted: 1 一, 10 十, 11 十一, 21 二十一, 105 一百零五."""
    if not 0 <= value <= 9999:
        raise ValidationError(f"数字 {value} 超出可写成汉字的范围（0–9999）")
    if value == 0:
        return "〇"
    if 10 <= value < 20:
        return "十" + (_DIGITS[value - 10] if value > 10 else "")
    parts: list[str] = []
    zero = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit_value % 10
        if digit:
            if zero and parts:
                parts.append("零")
            parts.append(_DIGITS[digit] + unit_name)
            zero = False
        elif parts:
            zero = True
    return "".join(parts)


def chinese_date(day: date) -> str:
    """2022-12-14 → 二〇二二年十二月十四日 (year digit by digit, month and day counted)."""
    year = "".join(_DIGITS[int(d)] for d in f"{day.year:04d}")
    return f"{year}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


def format_date(day: date, style: str) -> str:
    return chinese_date(day) if style == "chinese" else date_text(day)


def template_fields(template: str) -> list[str]:
    """The placeholder names a template uses, in order; a malformed template is refused."""
    names = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise ValidationError("模板中的花括号“{ }”不成对；要印出花括号本身，请写成“{{”或“}}”") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            raise ValidationError(f"模板中的占位符“{shown}”写法不对，占位符只能是“{{名称}}”的形式")
        names.append(name)
    return names


def _unknown_message(unknown: list[str], allowed: Iterable[str]) -> str:
    shown = "、".join("{" + name + "}" for name in unknown)
    usable = "、".join("{" + name + "}" for name in allowed)
    return f"模板中有无法识别的占位符：{shown}。可以使用的占位符：{usable}"


def render_template(template: str, **values: object) -> str:
    """Fill {name} placeholders; an unknown or malformed placeholder is refused (in Chinese)."""
    names = template_fields(template)
    unknown = sorted({name for name in names if name not in values}, key=names.index)
    if unknown:
        raise ValidationError(_unknown_message(unknown, values))
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(str(values[name]))
    return "".join(out)


def _number(value: object, label: str) -> float:
    if isinstance(value, bool):
        raise ValidationError(f"{label}必须是数字")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(f"{label}必须是数字，收到“{value}”") from None
    if not math.isfinite(number):
        raise ValidationError(f"{label}必须是数字，收到“{value}”")
    return number


@dataclass(frozen=True, slots=True)
class CertificateSettings:
    """How certificates and notices are printed; every field has a declared default."""

    recipient: str = "organisation"  # organisation: 张五砦村党支部; secretary: 张五砦村党支部书记 李禛同志
    date_style: str = "chinese"  # chinese: 二〇二二年十二月十四日; arabic: 2022年12月14日
    issue_date: date | None = None  # None: the round's event date
    page: str = "A4L"  # A4L, A3L or custom (width_mm × height_mm)
    width_mm: float = 297.0
    height_mm: float = 210.0
    offset_x_mm: float = 0.0  # printer offset: positive moves right
    offset_y_mm: float = 0.0  # positive moves down
    text_only: bool = False  # pre-printed stock: no border, no 荣誉证书 title
    font_path: str = ""  # a TrueType font chosen by the clerk; '' = the built-in chain
    certificate_template: str = DEFAULT_CERTIFICATE
    notice_title: str = DEFAULT_NOTICE_TITLE
    notice_intro: str = DEFAULT_NOTICE_INTRO
    notice_closing: str = DEFAULT_NOTICE_CLOSING
    rectification_template: str = DEFAULT_RECTIFICATION
    deadline: date | None = None  # 整改期限; None: a blank line to fill in by hand
    responsible: str = ""  # 责任人; '' : a blank line to fill in by hand

    def __post_init__(self) -> None:
        if self.recipient not in RECIPIENTS:
            raise ValidationError(f"证书对象只能是“党组织”或“党组织书记”，收到“{self.recipient}”")
        if self.date_style not in DATE_STYLES:
            raise ValidationError(f"日期写法只能是汉字或阿拉伯数字，收到“{self.date_style}”")
        if self.page not in PAGE_LABELS:
            raise ValidationError(f"纸张只能是 A4 横向、A3 横向或自定义尺寸，收到“{self.page}”")
        for name, label in (
            ("width_mm", "纸张宽度"),
            ("height_mm", "纸张高度"),
            ("offset_x_mm", "左右偏移"),
            ("offset_y_mm", "上下偏移"),
        ):
            object.__setattr__(self, name, _number(getattr(self, name), label))
        if self.page == "custom":
            low, high = CUSTOM_RANGE_MM
            for value, label in ((self.width_mm, "纸张宽度"), (self.height_mm, "纸张高度")):
                if not low <= value <= high:
                    raise ValidationError(f"{label}应在 {low:g}–{high:g} 毫米之间，收到 {value:g}")
        for value, label in ((self.offset_x_mm, "左右偏移"), (self.offset_y_mm, "上下偏移")):
            if abs(value) > MAX_OFFSET_MM:
                raise ValidationError(f"{label}不能超过 ±{MAX_OFFSET_MM:g} 毫米，收到 {value:g}")
        for name, allowed in TEMPLATE_FIELDS.items():
            template = getattr(self, name)
            if not isinstance(template, str) or not template.strip():
                raise ValidationError(f"{TEMPLATE_LABELS[name]}不能为空")
            try:
                used = template_fields(template)
            except ValidationError as error:
                raise ValidationError(f"{TEMPLATE_LABELS[name]}：{error.message}") from None
            unknown = sorted({n for n in used if n not in allowed}, key=used.index)
            if unknown:
                raise ValidationError(f"{TEMPLATE_LABELS[name]}：{_unknown_message(unknown, allowed)}")

    @property
    def page_size_mm(self) -> tuple[float, float]:
        return PAGES.get(self.page, (self.width_mm, self.height_mm))

    def format_date(self, day: date) -> str:
        return format_date(day, self.date_style)

    def to_dict(self) -> dict[str, object]:
        """JSON-able: dates as ISO text."""
        data = asdict(self)
        for key in ("issue_date", "deadline"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> CertificateSettings:
        """The inverse of to_dict; missing keys take their defaults, unknown keys are ignored
        (settings saved by a newer program version still load)."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key, label in (("issue_date", "发证日期"), ("deadline", "整改期限")):
            raw = values.get(key)
            if raw in (None, ""):
                values[key] = None
            elif isinstance(raw, str):
                try:
                    values[key] = date.fromisoformat(raw)
                except ValueError:
                    raise ValidationError(f"{label}“{raw}”不是有效日期") from None
            elif not isinstance(raw, date):
                raise ValidationError(f"{label}“{raw}”不是有效日期")
        for key in ("text_only",):
            if key in values and not isinstance(values[key], bool):
                raise ValidationError("“只印文字”必须是是或否")
        for key in ("recipient", "date_style", "page", "font_path", "responsible", *TEMPLATE_FIELDS):
            if key in values and not isinstance(values[key], str):
                raise ValidationError(f"设置项“{key}”必须是文字")
        return cls(**values)  # type: ignore[arg-type]
