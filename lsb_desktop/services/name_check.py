"""检查数据's look at stored names: a name that still holds invisible characters (saved before
names were cleaned, or written into the file by hand), and two units whose names look the same."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Connection

from lsb_desktop.domain.text import canonical_name, strip_invisible

# (table, column, what the clerk calls it, where to change it)
NAMED = (
    ("unit_versions", "name", "村（社区）名称", "村（社区）页"),
    ("districts", "name", "管区名称", "村（社区）页的管区设置"),
    ("secretary_terms", "person", "党组织书记姓名", "村（社区）页"),
    ("round_units", "name", "评比中的村（社区）名称", "评比（已建立的评比保留当时的名称）"),
    ("round_judges", "name", "评委姓名", "观摩评比页的参评单位与评委"),
    ("round_components", "name", "评比项目名称", "评分方案"),
    ("round_criteria", "name", "评分指标名称", "评分方案"),
)


def _codes(text: str) -> str:
    hidden = sorted({ch for ch in text if ch not in strip_invisible(text)})
    return "、".join(f"U+{ord(ch):04X}" for ch in hidden)


def name_problems(connection: Connection) -> list[str]:
    problems: list[str] = []
    for table, column, what, where in NAMED:
        seen: set[str] = set()
        for (value,) in connection.exec_driver_sql(f'SELECT DISTINCT "{column}" FROM "{table}"'):
            if not isinstance(value, str) or value in seen:
                continue
            seen.add(value)
            if strip_invisible(value) != value:
                problems.append(
                    f"{what}“{strip_invisible(value)}”中有看不见的字符（{_codes(value)}），看起来和"
                    f"“{strip_invisible(value)}”一样却不是同一个名称：请在{where}中改正"
                )
    latest: dict[int, str] = {}
    versions: Iterable[Any] = connection.exec_driver_sql(  # plain driver rows
        "SELECT unit_id, name FROM unit_versions ORDER BY valid_from, id"
    )
    for unit_id, name in versions:
        latest[unit_id] = name
    alike: dict[str, list[str]] = defaultdict(list)
    for name in latest.values():
        alike[canonical_name(name)].append(name)
    for names in alike.values():
        if len(names) > 1:
            problems.append(
                f"名册中有 {len(names)} 个村（社区）的名称看起来都是“{strip_invisible(names[0])}”"
                "（写法只差全角半角、空格或看不见的字符）：导入时无法区分，请把其中一个改名或合并"
            )
    return problems
