"""The demo township: a realistic register to try the program and to take screenshots with."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind
from lsb_desktop.errors import ValidationError

if TYPE_CHECKING:
    from lsb_desktop.core import Core

TOWNSHIP = "清河镇"
COMMITTEE = "中共清河镇委员会"
REGISTERED = date(2021, 1, 1)

# (管区, 管区书记, [(name, kind, organisation, secretary, since)])
DISTRICTS = [
    (
        "东部管区",
        "刘建国",
        [
            ("张五砦村", "村", "党支部", "李禛", date(2021, 1, 1)),
            ("刘堌堆村", "村", "党支部", "刘喆", date(2021, 1, 1)),
            ("王庄村", "村", "党总支", "王永强", date(2021, 1, 1)),
            ("东关社区", "社区", "党委", "赵丽娟", date(2021, 1, 1)),
            ("小李庄村", "村", "党支部", "李红军", date(2021, 1, 1)),
            ("马垌村", "村", "党支部", "马国庆", date(2021, 1, 1)),
        ],
    ),
    (
        "西部管区",
        "陈卫东",
        [
            ("西杨庄村", "村", "党支部", "杨金堃", date(2021, 1, 1)),
            ("后营村", "村", "党支部", "孙建设", date(2021, 1, 1)),
            ("郭店村", "村", "党总支", "郭振华", date(2021, 1, 1)),
            ("黄岗村", "村", "党支部", "黄海涛", date(2021, 1, 1)),
            ("西苑社区", "社区", "党总支", "周敏", date(2021, 1, 1)),
            ("冯寨村", "村", "党支部", "冯建伟", date(2021, 1, 1)),
        ],
    ),
    (
        "南部管区",
        "张志刚",
        [
            ("南岗村", "村", "党支部", "张镛", date(2021, 1, 1)),
            ("白沙村", "村", "党支部", "白玉山", date(2021, 1, 1)),
            ("韩岭村", "村", "党总支", "韩志勇", date(2021, 1, 1)),
            ("毛庄村", "村", "党支部", "毛爱民", date(2021, 1, 1)),
            ("滨河社区", "社区", "党委", "何晓燕", date(2021, 1, 1)),
            ("三官庙村", "村", "党支部", "田学军", date(2021, 1, 1)),
        ],
    ),
    (
        "北部管区",
        "王建华",
        [
            ("北坡村", "村", "党支部", "高保国", date(2021, 1, 1)),
            ("石佛寺村", "村", "党支部", "石长青", date(2021, 1, 1)),
            ("常庄村", "村", "党支部", "常胜利", date(2021, 1, 1)),
            ("新城社区", "社区", "党委", "谢婷婷", date(2021, 1, 1)),
            ("贾鲁河村", "村", "党总支", "贾德旺", date(2021, 1, 1)),
            ("牛王庙村", "村", "党支部", "牛新民", date(2021, 1, 1)),
        ],
    ),
]
# A secretary replaced mid-year (换届后调整), and a unit archived after merging into a community.
REPLACED = ("后营村", "孙海燕", date(2024, 7, 15), "年中调整，原书记退休")
ARCHIVED = ("牛王庙村", date(2025, 1, 1), "整村搬迁，并入新城社区统一管理")
# 村改社区: from 2024 on the unit is an urban community and is rated on the urban star set.
CONVERTED = ("小李庄村", "小李庄社区", date(2024, 1, 1), "村改社区（撤村设居）")


def build_demo(core: Core, seed: int = 2027) -> int:
    """Fill an empty data folder with the demo township; returns the number of units."""
    if core.villages.count_units():
        raise ValidationError("数据文件夹里已有村（社区）数据，示例数据只能建在空白数据上")
    core.settings.save_township(TOWNSHIP, COMMITTEE)
    by_name = {}
    for district_name, leader, units in DISTRICTS:
        district = core.villages.add_district(district_name, leader).value
        for name, kind, org, secretary, since in units:
            draft = UnitDraft(name, UnitKind(kind), OrgType(org), district.id, secretary, since)
            by_name[name] = core.villages.add_unit(draft, REGISTERED).value
    name, person, day, note = REPLACED
    core.villages.change_secretary(by_name[name].id, person, day, note)
    name, day, reason = ARCHIVED
    core.villages.archive_unit(by_name[name].id, day, reason)
    name, new_name, day, reason = CONVERTED
    core.villages.change_unit(by_name[name].id, effective=day, reason=reason, name=new_name, kind=UnitKind.COMMUNITY)
    build_demo_rounds(core, seed)
    from lsb_desktop.demo.commitments import build_demo_commitments

    build_demo_commitments(core, seed)
    from lsb_desktop.demo.stars import build_demo_stars

    build_demo_stars(core, seed)
    return len(by_name)


# ----- eight finalised quarters of 亮赛比 rounds --------------------------------------------------

DEMO_JUDGES = ("王建军", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊")
ROUND_QUARTERS = [(2023, 1), (2023, 2), (2023, 3), (2023, 4), (2024, 1), (2024, 2), (2024, 3), (2024, 4)]
# Judge 杨帆 missed the visits to these villages in 2023Q3 (he scored them on stage only).
ABSENT = ((2023, 3), "杨帆", ("白沙村", "韩岭村", "毛庄村"))
TIED = ((2024, 2), "黄岗村", "西杨庄村")  # identical sheets from every judge: an exact tie
VETO = ((2024, 1), "马垌村", "发生一起较大安全生产事故")
BONUS = ((2023, 4), "东关社区", "3", "获评省级文明社区")
DEDUCTION = ((2024, 3), "郭店村", "2", "人居环境整治督查通报")


def _event_date(year: int, quarter: int) -> date:
    """Rounds are held in the month after the quarter, on the 20th."""
    from lsb_desktop.domain.period import Period

    return Period(year, quarter).next().first_day.replace(day=20)


def build_demo_rounds(core: Core, seed: int = 2027) -> int:
    """Eight finalised quarters with realistic scores; returns the number of rounds made."""
    import random
    from decimal import Decimal

    from lsb_desktop.domain.period import Period
    from lsb_desktop.domain.rounds import AdjustmentType
    from lsb_desktop.domain.scoring import TiePolicy
    from lsb_desktop.services.rounds import RoundDraft

    rng = random.Random(seed)
    quality: dict[int, float] = {}
    for year, quarter in ROUND_QUARTERS:
        period = Period(year, quarter)
        detail = core.rounds.create_round(
            RoundDraft(
                period=period,
                title="村党组织书记“亮赛比”逐村观摩评比",
                event_date=_event_date(year, quarter),
                judges=DEMO_JUDGES,
                red=4,
                black=4,
            )
        ).value
        bias = {judge.id: rng.uniform(-2.5, 2.5) for judge in detail.judges}
        sheets: dict[str, dict[tuple[int, str], Decimal]] = {}
        for unit in detail.units:
            # A village's standing persists from quarter to quarter, with real ups and downs.
            level = quality.setdefault(unit.unit_id, rng.uniform(74, 88)) + rng.gauss(0, 4.5)
            cells = {}
            for judge in detail.judges:
                for component in detail.scheme.components:
                    for criterion in component.criteria:
                        share = (level + bias[judge.id] + rng.uniform(-5, 5)) / 100
                        raw = float(criterion.max_points) * min(0.98, max(0.4, share))
                        cells[(judge.id, criterion.name)] = Decimal(round(raw * 2) / 2).quantize(Decimal("0.1"))
            sheets[unit.name] = cells
        if (year, quarter) == TIED[0]:
            sheets[TIED[2]] = dict(sheets[TIED[1]])
        absent_judge = next((j.id for j in detail.judges if j.name == ABSENT[1]), None)
        stage = {c.name for c in detail.scheme.components[1].criteria}
        rows = []
        for unit in detail.units:
            for (judge_id, criterion_name), points in sheets[unit.name].items():
                if (
                    (year, quarter) == ABSENT[0]
                    and judge_id == absent_judge
                    and unit.name in ABSENT[2]
                    and criterion_name not in stage
                ):
                    continue
                rows.append((judge_id, unit.id, criterion_name, points))
        core.rounds.set_scores(detail.id, rows)
        by_name = {u.name: u.id for u in detail.units}
        if (year, quarter) == VETO[0]:
            core.rounds.add_adjustment(detail.id, by_name[VETO[1]], AdjustmentType.VETO, None, VETO[2])
        for when, name, amount, reason, kind in (
            (*BONUS, AdjustmentType.BONUS),
            (*DEDUCTION, AdjustmentType.DEDUCTION),
        ):
            if (year, quarter) == when:
                core.rounds.add_adjustment(detail.id, by_name[name], kind, amount, reason)
        # The office decided its flag-line ties as 并列的都给旗 (recorded, as the clerk would in the window).
        core.rounds.finalize(detail.id, TiePolicy.EXTEND)
    return len(ROUND_QUARTERS)
