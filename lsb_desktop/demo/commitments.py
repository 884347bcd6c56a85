"""Demo commitments (定标亮诺) for the demo township: every unit's public commitments for 2023
and 2024 with their quarterly progress; most delivered, some late, a few overdue, adjusted or
cancelled with a reason, and 2023's unfinished items carried over into 2024."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from lsb_desktop.domain.commitments import CommitmentDraft, due_date
from lsb_desktop.domain.period import Period

if TYPE_CHECKING:
    from lsb_desktop.core import Core
    from lsb_desktop.services.commitments import CommitmentBatch

YEARS = (2023, 2024)
# Units that deliver everything they promise (a 100 % rate) and units that fall well behind.
RELIABLE = ("张五砦村", "东关社区", "郭店村", "滨河社区", "石佛寺村")
LAGGING = ("马垌村", "黄岗村", "三官庙村", "牛王庙村")

_GIVEN = (
    "建军",
    "秀兰",
    "国强",
    "红梅",
    "志强",
    "桂芝",
    "海军",
    "玉兰",
    "卫国",
    "春燕",
    "新华",
    "凤英",
    "保安",
    "金花",
    "振东",
    "丽萍",
    "长江",
    "永辉",
    "爱华",
    "俊峰",
)
_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭")


@dataclass(frozen=True)
class _Template:
    category: str
    content: str  # with {n} (and {m}) for the numbers
    target: str
    low: float
    high: float
    step: float = 1
    kinds: str = "村社区"  # which kinds of unit promise this
    adjust: str = ""  # why the target was lowered mid-year ("" = never adjusted)
    cancel: str = ""  # why it was dropped ("" = never cancelled)
    steps: tuple[str, ...] = ()  # what a quarter's report says, in order


_BUILD = (
    "完成前期摸底和实施方案，召开村民代表大会表决通过",
    "完成项目立项和招投标，施工队伍进场",
    "主体工程完成过半，镇村干部现场督导质量",
    "全部完工，通过镇验收并公示",
)
_MONEY = (
    "制定增收计划，盘活闲置集体资产",
    "签订租赁和合作协议，收入陆续到账",
    "上半年收入达到全年目标的六成",
    "全年目标完成，收支账目在村务公开栏公示",
)
_SERVICE = (
    "制定工作台账，明确责任人和时间表",
    "入户走访登记，完成全部底数摸排",
    "集中办理，完成任务量的七成以上",
    "任务全部完成，群众满意度回访良好",
)
_PARTY = (
    "制定年度计划，报镇党委备案",
    "按计划推进，台账资料同步归档",
    "召开专题会议查摆问题并整改",
    "全部完成，经镇党委检查验收",
)
_SAFETY = (
    "成立工作专班，排查风险隐患",
    "建立台账，逐项化解销号",
    "开展集中宣传和专项整治",
    "全年目标实现，经镇综治中心核验",
)

TEMPLATES = (
    _Template("基层党建", "发展党员{n}名，培养入党积极分子{m}名", "发展党员{n}名", 1, 3, steps=_PARTY),
    _Template("基层党建", "规范落实“三会一课”，全年召开主题党日活动{n}次", "主题党日{n}次", 12, 12, steps=_PARTY),
    _Template("基层党建", "提升党群服务中心，服务面积达到{n}平方米", "{n}平方米", 300, 600, 50, steps=_BUILD),
    _Template("基层党建", "培养村级后备干部{n}名", "后备干部{n}名", 2, 4, steps=_PARTY),
    _Template("基层党建", "落实党员联系户制度，每名党员联系群众{n}户", "联系{n}户", 5, 10, steps=_PARTY),
    _Template(
        "集体经济·产业",
        "村集体经济收入突破{n}万元",
        "{n}万元",
        10,
        50,
        5,
        kinds="村",
        adjust="受农产品价格下跌影响，经村“两委”会议研究并报镇党委同意，下调年度目标",
        steps=_MONEY,
    ),
    _Template("集体经济·产业", "社区集体经济收入达到{n}万元", "{n}万元", 20, 60, 5, kinds="社区", steps=_MONEY),
    _Template("集体经济·产业", "新建高标准农田{n}亩", "{n}亩", 300, 1200, 100, kinds="村", steps=_BUILD),
    _Template("集体经济·产业", "发展大蒜、辣椒等特色种植{n}亩", "{n}亩", 200, 800, 50, kinds="村", steps=_SERVICE),
    _Template("集体经济·产业", "建设温室蔬菜大棚{n}座", "{n}座", 10, 30, 2, kinds="村", steps=_BUILD),
    _Template(
        "集体经济·产业",
        "引进农产品加工企业1家，带动就业{n}人",
        "引进1家",
        20,
        50,
        5,
        kinds="村",
        cancel="意向企业投资计划变更，经村民代表大会同意取消，改为下一年度招商",
        steps=_MONEY,
    ),
    _Template("集体经济·产业", "建成屋顶光伏发电项目{n}千瓦", "{n}千瓦", 100, 400, 50, steps=_BUILD),
    _Template(
        "人居环境·基础设施",
        "硬化村内道路{n}公里",
        "{n}公里",
        0.8,
        3.0,
        0.1,
        kinds="村",
        adjust="部分路段涉及基本农田，土地审批未通过，经村民代表大会同意缩短里程",
        steps=_BUILD,
    ),
    _Template(
        "人居环境·基础设施", "新建村级文化广场1处，面积{n}平方米", "1处", 800, 2000, 100, kinds="村", steps=_BUILD
    ),
    _Template("人居环境·基础设施", "安装太阳能路灯{n}盏", "{n}盏", 40, 150, 10, steps=_BUILD),
    _Template("人居环境·基础设施", "完成{n}户旱厕改造", "{n}户", 50, 200, 10, kinds="村", steps=_SERVICE),
    _Template("人居环境·基础设施", "清理坑塘{n}个，拆除残垣断壁{m}处", "坑塘{n}个", 3, 8, kinds="村", steps=_SERVICE),
    _Template(
        "人居环境·基础设施", "改造老旧小区{n}个，加装电动车充电桩", "{n}个小区", 2, 5, kinds="社区", steps=_BUILD
    ),
    _Template("人居环境·基础设施", "铺设污水管网{n}公里", "{n}公里", 1.0, 4.0, 0.5, steps=_BUILD),
    _Template("民生实事", "完成{n}户不动产登记颁证", "{n}户", 200, 600, 50, kinds="村", steps=_SERVICE),
    _Template(
        "民生实事",
        "新建日间照料中心1处",
        "1处",
        1,
        1,
        steps=_BUILD,
        cancel="县民政局统一规划在镇区建设区域养老服务中心，村级不再单独建设",
    ),
    _Template("民生实事", "为60岁以上老人免费健康体检{n}人次", "{n}人次", 150, 500, 10, steps=_SERVICE),
    _Template("民生实事", "开展技能培训{n}人次，新增就业岗位{m}个", "培训{n}人次", 60, 200, 10, steps=_SERVICE),
    _Template("民生实事", "城乡居民医保参保率达到{n}%", "{n}%", 97, 99, steps=_SERVICE),
    _Template("民生实事", "提升改造村卫生室1处", "1处", 1, 1, kinds="村", steps=_BUILD),
    _Template("平安治理", "矛盾纠纷调解化解率达到{n}%", "{n}%", 96, 99, steps=_SAFETY),
    _Template("平安治理", "安装“雪亮工程”监控探头{n}个", "{n}个", 20, 60, 5, steps=_BUILD),
    _Template("平安治理", "划分网格{n}个，配齐专兼职网格员", "{n}个网格", 6, 15, steps=_SAFETY),
    _Template("平安治理", "开展法治宣传进村入户{n}场次", "{n}场次", 6, 12, steps=_SAFETY),
    _Template("其他", "评选“星级文明户”{n}户，修订完善村规民约", "{n}户", 20, 60, 5, steps=_SERVICE),
    _Template("其他", "组建文艺宣传队，全年开展文化活动{n}场", "{n}场", 8, 20, steps=_SERVICE),
    _Template("其他", "成立红白理事会，推进移风易俗", "成立1个", 1, 1, steps=_PARTY),
)
# How many items of each category a unit promises in a year (low, high).
MIX = (
    ("基层党建", 1, 2),
    ("集体经济·产业", 1, 2),
    ("人居环境·基础设施", 1, 2),
    ("民生实事", 1, 2),
    ("平安治理", 0, 1),
    ("其他", 0, 1),
)


def _number(rng: random.Random, low: float, high: float, step: float) -> str:
    count = int(round((high - low) / step))
    value = low + step * rng.randint(0, count)
    return f"{value:.1f}" if step < 1 else str(int(round(value)))


def _lowered(text: str, rng: random.Random) -> str:
    number = float(text)
    lower = number * rng.choice((0.6, 0.7, 0.8))
    return f"{lower:.1f}" if "." in text else str(max(1, int(lower)))


def _committee(rng: random.Random, unit_name: str) -> list[str]:
    surname = unit_name[0] if unit_name[0] in _SURNAMES else rng.choice(_SURNAMES)
    names: list[str] = []
    while len(names) < 3:
        name = (surname if rng.random() < 0.6 else rng.choice(_SURNAMES)) + rng.choice(_GIVEN)
        if name not in names:
            names.append(name)
    return names


def _plan(rng: random.Random, kind: str, left: set[str]) -> list[_Template]:
    chosen: list[_Template] = []
    for category, low, high in MIX:
        pool = [t for t in TEMPLATES if t.category == category and kind in t.kinds and t.content not in left]
        chosen += rng.sample(pool, min(len(pool), rng.randint(low, high)))
    while len(chosen) < 5:
        extra = rng.choice([t for t in TEMPLATES if kind in t.kinds and t not in chosen and t.content not in left])
        chosen.append(extra)
    return chosen[:8]


def _due(rng: random.Random, year: int) -> tuple[date | None, int | None]:
    roll = rng.random()
    if roll < 0.45:
        return None, rng.choice((2, 3, 3, 4, 4))
    if roll < 0.85:
        month = rng.choice((5, 6, 8, 9, 10, 11, 12))
        return Period(year, (month - 1) // 3 + 1).last_day if month % 3 == 0 else _month_end(year, month), None
    return None, None


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _report_day(rng: random.Random, period: Period) -> date:
    last = period.last_day
    return last.replace(day=rng.randint(18, last.day))


def build_demo_commitments(core: Core, seed: int = 2027) -> int:
    """Commitments of every demo unit for 2023 and 2024; returns the number of items made."""
    rng = random.Random(seed)
    service = core.commitments
    made = 0
    diligence: dict[int, float] = {}
    committees: dict[int, list[str]] = {}
    unfinished: dict[int, set[str]] = {}  # contents left open last year: carried, not promised anew
    for year in YEARS:
        units = [u for u in core.villages.list_units(on=date(year, 1, 1)) if u.is_active]
        carried_in = year > YEARS[0]
        with service.batch() as batch:
            for unit in units:
                if unit.id not in diligence:
                    if unit.name in RELIABLE:
                        diligence[unit.id] = 1.0
                    elif unit.name in LAGGING:
                        diligence[unit.id] = rng.uniform(0.55, 0.7)
                    else:
                        diligence[unit.id] = rng.uniform(0.7, 0.93)
                    committees[unit.id] = _committee(rng, unit.name)
                people = [unit.secretary or committees[unit.id][0]] + committees[unit.id]
                kind = unit.kind.value
                left = unfinished.get(unit.id, set())
                plan = _plan(rng, kind, left)
                unfinished[unit.id] = set()
                # How many get done follows the unit's diligence closely; which ones is chance.
                done = min(len(plan), max(0, round(diligence[unit.id] * len(plan) + rng.uniform(-0.7, 0.7))))
                flags = [True] * done + [False] * (len(plan) - done)
                rng.shuffle(flags)
                for template, delivered in zip(plan, flags):
                    made += 1
                    if not _one(rng, batch, unit.id, year, template, people, diligence[unit.id], delivered):
                        unfinished[unit.id].add(template.content)
        if carried_in:
            # Unfinished items of the year before come along, and are mostly finished now.
            carried = service.carry_over(year - 1).carried
            made += len(carried)
            with service.batch() as batch:
                for item in carried:
                    _deliver_carried(rng, batch, item.id, year, diligence[item.unit_id])
    return made


def _one(
    rng: random.Random,
    batch: CommitmentBatch,
    unit_id: int,
    year: int,
    template: _Template,
    people: list[str],
    diligence: float,
    delivered: bool,
) -> bool:
    """Add one item with its year's story; True when it is done (or dropped) by the year's end."""
    n = _number(rng, template.low, template.high, template.step)
    m = str(rng.randint(3, 12))
    content = template.content.format(n=n, m=m)
    target = template.target.format(n=n, m=m)
    deadline, quarter = _due(rng, year)
    responsible = people[0] if rng.random() < 0.55 else rng.choice(people[1:])
    item = batch.add(
        CommitmentDraft(
            unit_id=unit_id,
            year=year,
            content=content,
            category=template.category,
            target=target,
            deadline=deadline,
            target_quarter=quarter,
            responsible=responsible,
        )
    )
    due = due_date(year, deadline, quarter)
    if template.cancel and rng.random() < 0.5:
        period = Period(year, 1)
        batch.record_progress(item, period, 10, template.steps[0], _report_day(rng, period))
        batch.cancel(item, template.cancel, date(year, rng.randint(4, 6), rng.randint(1, 28)))
        return True
    adjusted = bool(template.adjust) and rng.random() < 0.45
    # When it gets done: most on time (some a quarter early), some late, some not this year.
    if adjusted and rng.random() < 0.35:
        delivered = False  # a lowered target still often runs late
    if delivered:
        shift = rng.choice((-1, 0, 0, 0, 1)) if diligence < 1 else rng.choice((-1, 0, 0))
        done_period = Period.of(due)
        for _ in range(abs(shift)):
            done_period = done_period.next() if shift > 0 else done_period.previous()
        done_period = min(max(done_period, Period(year, 1)), Period(year, 4))
    else:
        done_period = None
    last = done_period or Period(year, 4)
    quarters = [Period(year, q) for q in range(1, last.quarter + 1)]
    reached = 0
    reach = rng.randrange(40, 95, 5)  # where an unfinished item stands at the year's end
    for index, period in enumerate(quarters):
        final = done_period is not None and period == done_period
        if final:
            percent = 100
        else:
            share = (index + 1) / (len(quarters) + 1) if done_period else (index + 1) / len(quarters) * reach / 100
            percent = min(95, max(reached + 5, int(share * 100 / 5) * 5))
        reached = percent
        step = template.steps[min(len(template.steps) - 1, 3 if final else int(index * 3 / max(1, len(quarters))))]
        day = _report_day(rng, period)
        if final:
            day = max(period.first_day, min(day, period.last_day))
        if adjusted and period.quarter == 2:
            lowered = _lowered(n, rng)
            batch.adjust(
                item,
                content=template.content.format(n=lowered, m=m),
                target=template.target.format(n=lowered, m=m),
                deadline=deadline,
                target_quarter=quarter,
                reason=template.adjust,
                on=date(year, 5, rng.randint(5, 25)),
            )
            adjusted = False
        batch.record_progress(item, period, percent, template.steps[-1] if final else step, day, complete=final)
    return done_period is not None


def _deliver_carried(rng: random.Random, batch: CommitmentBatch, item_id: int, year: int, diligence: float) -> None:
    finish = rng.random() < max(diligence, 0.7)
    quarters = (1, 2) if finish else (1, 2, 3, 4)
    for index, quarter in enumerate(quarters):
        period = Period(year, quarter)
        final = finish and index == len(quarters) - 1
        percent = 100 if final else 60 + 10 * index
        text = "上年结转事项，已全部完成并通过验收" if final else "上年结转事项，加快推进中"
        batch.record_progress(item_id, period, percent, text, _report_day(rng, period), complete=final)
