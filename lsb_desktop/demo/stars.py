"""五星支部 for the demo township, 2022–2024: targets, plans, the rating steps, failures, one star
revoked after a safety accident, and the 村改社区 of 小李庄 (rural stars before, urban after)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from lsb_desktop.domain.stars import LossKind, StarStep, Targets
from lsb_desktop.errors import ValidationError

if TYPE_CHECKING:
    from lsb_desktop.core import Core

YEARS = (2022, 2023, 2024)
TARGETS = {2022: {3: 30, 4: 10, 5: 0}, 2023: {3: 60, 4: 30, 5: 10}, 2024: {3: 100, 4: 70, 5: 50}}

STARS = {
    "支": "支部过硬星",
    "产": "产业兴旺星",
    "生": "生态宜居星",
    "平": "平安法治星",
    "文": "文明幸福星",
    "业": "宜业兴业星",
    "和": "幸福和谐星",
    "共": "共建共享星",
}
# What became of each planned star: 命 named, 初 未通过 at 镇初审, 县 未通过 at 县评定,
# 计 planned but never declared.
NAMED, FAILED_TOWNSHIP, FAILED_COUNTY, NOT_DECLARED = "命", "初", "县", "计"

# Units by their name in 2022 (小李庄村 is 小李庄社区 from 2024 and plans urban stars then).
PLANS: dict[str, dict[int, str]] = {
    "张五砦村": {2022: "生命 平命 文县", 2023: "文命 产命", 2024: "支命"},
    "刘堌堆村": {2022: "平命 生初", 2023: "生命 文命", 2024: "产县"},
    "王庄村": {2022: "产命 生命 平命", 2023: "文命 支县", 2024: "支命"},
    "东关社区": {2022: "平命 和命", 2023: "共命 业初", 2024: "业命 支县"},
    "小李庄村": {2022: "平命 生命", 2023: "产命 支命", 2024: "和命 共县"},
    "马垌村": {2022: "平命 产命", 2023: "生命 文初", 2024: "文命"},
    "西杨庄村": {2022: "文命", 2023: "生命 平命", 2024: "产命"},
    "后营村": {2023: "平命", 2024: "生命 文初"},
    "郭店村": {2022: "产命 平命 生命", 2023: "文命 支命"},
    "黄岗村": {2022: "生县", 2023: "生命 平命", 2024: "文命"},
    "西苑社区": {2022: "平命", 2023: "和命", 2024: "共命 业县"},
    "冯寨村": {2023: "平初", 2024: "平命 生计"},
    "南岗村": {2022: "平命 文命", 2023: "生命", 2024: "产县"},
    "白沙村": {2022: "生命", 2023: "平命", 2024: "文命"},
    "韩岭村": {2022: "产命 平命 生县", 2023: "生命 文命", 2024: "支县"},
    "毛庄村": {2023: "平命", 2024: "生命"},
    "滨河社区": {2022: "平命 业命 和命", 2023: "共命", 2024: "支命"},
    "三官庙村": {2022: "平命", 2023: "文初", 2024: "文命"},
    "北坡村": {2022: "生命", 2023: "平命 文县", 2024: "文命 产命"},
    "石佛寺村": {2022: "文命", 2023: "平命", 2024: "生初"},
    "常庄村": {2024: "平初"},
    "新城社区": {2022: "平命 和命 共初", 2023: "共命", 2024: "业命"},
    "贾鲁河村": {2022: "产命 生命 平命", 2023: "文县", 2024: "支初"},
    "牛王庙村": {2022: "平命"},
}

# The county's calendar: 县评定 visits (first and last day), the start of the 公示, the 命名 day.
CALENDAR = {
    2022: (date(2022, 10, 17), date(2022, 10, 28), date(2022, 11, 14), date(2022, 12, 9)),
    2023: (date(2023, 10, 9), date(2023, 10, 20), date(2023, 11, 6), date(2023, 12, 1)),
    2024: (date(2024, 10, 14), date(2024, 10, 25), date(2024, 11, 4), date(2024, 11, 29)),
}
PUBLICITY_DAYS = 5

# 马垌村 had a 一票否决 for a 较大安全生产事故 in 2024Q1 (see demo.VETO): its 平安法治星 is revoked.
LOSS = (
    "马垌村",
    "平安法治星",
    LossKind.REVOKE,
    date(2024, 4, 26),
    "2024年3月辖区发生一起较大安全生产事故，年度考评一票否决，经县委组织部研究撤销“平安法治星”",
)

NOTES = {
    ("小李庄村", 2024, "幸福和谐星"): "村改社区后首次按社区标准创建",
    ("马垌村", 2024, "文明幸福星"): "安全生产事故整改完成后继续创建",
    ("冯寨村", 2024, "生态宜居星"): "污水管网工程未完工，本年未申报",
}

FAILURE_NOTES = {
    "支部过硬星": "党员队伍年龄偏大、后备力量不足，未达到命名标准",
    "产业兴旺星": "村集体经济收入未达到申报标准",
    "生态宜居星": "人居环境整治督查发现的问题未整改到位",
    "平安法治星": "年内有信访积案未化解",
    "文明幸福星": "移风易俗台账不全，群众满意度测评未达标",
    "宜业兴业星": "辖区就业服务站未建成运行",
    "幸福和谐星": "居民满意度测评未达标",
    "共建共享星": "共驻共建单位参与度不足，实地核查未达标",
}


def working_days_end(start: date, days: int) -> date:
    """The last day of `days` working days (Monday to Friday) from `start` on."""
    day = start
    counted = 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


def _in(rng: random.Random, first: date, last: date) -> date:
    """A working day between `first` and `last`."""
    while True:
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        if day.weekday() < 5:
            return day


def build_demo_stars(core: Core, seed: int = 2027) -> None:
    """Fill the demo township's 五星支部 for 2022–2024 (targets, plans, steps, one 撤星), all
    in one transaction. Refuses a data folder that already has star data."""
    if core.stars.years():
        raise ValidationError("数据文件夹里已有五星创建数据，示例数据只能建在空白数据上")
    rng = random.Random(seed)
    units = {u.name: u.id for u in core.villages.list_units(on=date(2022, 1, 1))}
    missing = sorted(set(PLANS) - set(units))
    if missing:
        raise ValidationError(f"示例乡镇中没有：{'、'.join(missing)}，请先建立示例乡镇")
    with core.stars.batch() as batch:
        for year in YEARS:
            batch.save_targets(Targets(year, {level: Decimal(p) for level, p in TARGETS[year].items()}))
            county_first, county_last, publicity, naming = CALENDAR[year]
            publicity_end = working_days_end(publicity, PUBLICITY_DAYS)
            publicity_note = (
                f"公示期 {publicity.isoformat()} 至 {publicity_end.isoformat()}（{PUBLICITY_DAYS}个工作日）"
            )
            for name, plans in PLANS.items():
                unit_id = units[name]
                for code in plans.get(year, "").split():
                    star, outcome = STARS[code[0]], code[1]
                    batch.set_planned(unit_id, year, star, True, NOTES.get((name, year, star), ""))
                    if outcome == NOT_DECLARED:
                        continue
                    declared = _in(rng, date(year, 3, 6), date(year, 3, 31))
                    batch.record_step(unit_id, year, star, StarStep.DECLARED, True, declared)
                    township = _in(rng, date(year, 5, 8), date(year, 5, 29))
                    if outcome == FAILED_TOWNSHIP:
                        batch.record_step(unit_id, year, star, StarStep.TOWNSHIP, False, township, FAILURE_NOTES[star])
                        continue
                    batch.record_step(unit_id, year, star, StarStep.TOWNSHIP, True, township, "推荐上报县级评定")
                    county = _in(rng, county_first, county_last)
                    if outcome == FAILED_COUNTY:
                        batch.record_step(unit_id, year, star, StarStep.COUNTY, False, county, FAILURE_NOTES[star])
                        continue
                    batch.record_step(unit_id, year, star, StarStep.COUNTY, True, county)
                    batch.record_step(unit_id, year, star, StarStep.PUBLICITY, True, publicity_end, publicity_note)
                    batch.record_step(unit_id, year, star, StarStep.NAMED, True, naming)
            if year == LOSS[3].year:
                name, star, kind, on, reason = LOSS
                batch.lose_star(units[name], star, kind, on, reason)
