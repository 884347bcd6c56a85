"""The demo township: a realistic register to try the program and to take screenshots with."""

from __future__ import annotations

from datetime import date

from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind
from lsb_desktop.errors import ValidationError

TOWNSHIP = "清河镇"
COMMITTEE = "中共清河镇委员会"
REGISTERED = date(2021, 1, 1)

# (管区, 管区书记, [(name, kind, organisation, secretary, since)])
DISTRICTS = [
    ("东部管区", "刘建国", [
        ("张五砦村", "村", "党支部", "李禛", date(2021, 1, 1)),
        ("刘堌堆村", "村", "党支部", "刘喆", date(2021, 1, 1)),
        ("王庄村", "村", "党总支", "王永强", date(2021, 1, 1)),
        ("东关社区", "社区", "党委", "赵丽娟", date(2021, 1, 1)),
        ("小李庄村", "村", "党支部", "李红军", date(2021, 1, 1)),
        ("马垌村", "村", "党支部", "马国庆", date(2021, 1, 1)),
    ]),
    ("西部管区", "陈卫东", [
        ("西杨庄村", "村", "党支部", "杨金堃", date(2021, 1, 1)),
        ("后营村", "村", "党支部", "孙建设", date(2021, 1, 1)),
        ("郭店村", "村", "党总支", "郭振华", date(2021, 1, 1)),
        ("黄岗村", "村", "党支部", "黄海涛", date(2021, 1, 1)),
        ("西苑社区", "社区", "党总支", "周敏", date(2021, 1, 1)),
        ("冯寨村", "村", "党支部", "冯建伟", date(2021, 1, 1)),
    ]),
    ("南部管区", "张志刚", [
        ("南岗村", "村", "党支部", "张镛", date(2021, 1, 1)),
        ("白沙村", "村", "党支部", "白玉山", date(2021, 1, 1)),
        ("韩岭村", "村", "党总支", "韩志勇", date(2021, 1, 1)),
        ("毛庄村", "村", "党支部", "毛爱民", date(2021, 1, 1)),
        ("滨河社区", "社区", "党委", "何晓燕", date(2021, 1, 1)),
        ("三官庙村", "村", "党支部", "田学军", date(2021, 1, 1)),
    ]),
    ("北部管区", "王建华", [
        ("北坡村", "村", "党支部", "高保国", date(2021, 1, 1)),
        ("石佛寺村", "村", "党支部", "石长青", date(2021, 1, 1)),
        ("常庄村", "村", "党支部", "常胜利", date(2021, 1, 1)),
        ("新城社区", "社区", "党委", "谢婷婷", date(2021, 1, 1)),
        ("贾鲁河村", "村", "党总支", "贾德旺", date(2021, 1, 1)),
        ("牛王庙村", "村", "党支部", "牛新民", date(2021, 1, 1)),
    ]),
]
# A secretary replaced mid-year (换届后调整), and a unit archived after merging into a community.
REPLACED = ("后营村", "孙海燕", date(2024, 7, 15), "年中调整，原书记退休")
ARCHIVED = ("牛王庙村", date(2025, 1, 1), "整村搬迁，并入新城社区统一管理")


def build_demo(core) -> int:
    """Fill an empty data folder with the demo township; returns the number of units."""
    if core.villages.count_units():
        raise ValidationError("数据文件夹里已有村（社区）数据，示例数据只能建在空白数据上")
    core.settings.save_township(TOWNSHIP, COMMITTEE)
    by_name = {}
    for district_name, leader, units in DISTRICTS:
        district = core.villages.add_district(district_name, leader)
        for name, kind, org, secretary, since in units:
            draft = UnitDraft(name, UnitKind(kind), OrgType(org), district.id, secretary, since)
            by_name[name] = core.villages.add_unit(draft, REGISTERED)
    name, person, day, note = REPLACED
    core.villages.change_secretary(by_name[name].id, person, day, note)
    name, day, reason = ARCHIVED
    core.villages.archive_unit(by_name[name].id, day, reason)
    return len(by_name)
