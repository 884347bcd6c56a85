"""The commitment service on a real data file: items, adjustments (original kept), cancellation
(reason required), completion and reopening, quarterly progress, evidence files with checksums,
carry-over, deletion rules, the completion rate and the township summary, categories, and the
Excel import (preview, all or nothing, idempotent). Expected figures are worked out by hand."""

from __future__ import annotations

import hashlib
import stat
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from factories import make_unit
from openpyxl import Workbook

from lsb_desktop.core import Core
from lsb_desktop.domain.commitments import DEFAULT_CATEGORIES, CommitmentDraft, CommitmentStatus
from lsb_desktop.domain.period import Period
from lsb_desktop.errors import NotFoundError, ValidationError
from lsb_desktop.services.commitments import completion_by_unit
from tests.integration.dbfiles import query

S = CommitmentStatus
F = Fraction


def draft(
    unit_id: int,
    content: str = "硬化村内道路1.2公里",
    *,
    year: int = 2024,
    category: str = "人居环境·基础设施",
    **fields,
) -> CommitmentDraft:
    return CommitmentDraft(unit_id=unit_id, year=year, content=content, category=category, **fields)


def count(core: Core, table: str) -> int:
    return query(core.folder.database.path, f"SELECT count(*) FROM {table}")[0][0]


def actions(core: Core, entity: str) -> list[str]:
    return [entry.action for entry in reversed(core.audit.entries(entity))]


@pytest.fixture
def unit(core: Core):
    return make_unit(core, "张五砦村", secretary="李禛")


# ---------------------------------------------------------------------------- adding and listing


def test_items_are_numbered_per_unit_and_year_and_listed_in_register_order(core: Core) -> None:
    first = make_unit(core, "甲村")
    second = make_unit(core, "乙村")
    core.commitments.add(draft(second.id, "乙一"))
    core.commitments.add(draft(first.id, "甲一", target="1处", target_quarter=3, responsible="王芳"))
    core.commitments.add(draft(first.id, "甲二", deadline=date(2024, 5, 31)))
    core.commitments.add(draft(first.id, "甲 2023", year=2023))
    core.commitments.add(draft(first.id, "甲五", number=5))
    core.commitments.add(draft(first.id, "甲六"))  # after the highest number, not in a gap

    listed = core.commitments.list_commitments(2024)
    assert [(c.unit_name, c.number, c.content) for c in listed] == [
        ("甲村", 1, "甲一"),
        ("甲村", 2, "甲二"),
        ("甲村", 5, "甲五"),
        ("甲村", 6, "甲六"),
        ("乙村", 1, "乙一"),
    ]
    assert [c.content for c in core.commitments.list_commitments(2024, second.id)] == ["乙一"]
    assert [(c.number, c.content) for c in core.commitments.list_commitments(2023)] == [(1, "甲 2023")]
    assert core.commitments.years() == [2024, 2023]
    one = listed[0]
    assert (one.target, one.target_quarter, one.responsible, one.status, one.deadline_text) == (
        "1处",
        3,
        "王芳",
        S.NOT_STARTED,
        "2024年第三季度",
    )
    assert actions(core, f"commitment:{one.id}") == ["新增承诺事项"]


def test_the_unit_name_and_district_are_those_of_the_items_year(core: Core) -> None:
    east = core.villages.add_district("东部管区").value
    unit = make_unit(core, "小李庄村", district_id=east.id)
    core.villages.change_unit(unit.id, name="小李庄社区", effective=date(2024, 1, 1), reason="村改社区")
    core.commitments.add(draft(unit.id, "旧", year=2023))
    core.commitments.add(draft(unit.id, "新", year=2024))
    assert [(c.unit_name, c.district_name) for c in core.commitments.list_commitments(2023)] == [
        ("小李庄村", "东部管区")
    ]
    assert [c.unit_name for c in core.commitments.list_commitments(2024)] == ["小李庄社区"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": "  "}, "承诺事项内容不能为空"),
        ({"category": "招商引资"}, "类别“招商引资”不在类别列表中，可选：基层党建、集体经济·产业"),
        ({"deadline": date(2024, 6, 30), "target_quarter": 2}, "只能填一个"),
        ({"deadline": date(2023, 12, 31)}, "不在 2024 年"),
        ({"status": S.DONE}, "必须填写完成日期"),
        ({"status": S.DONE, "completed_on": date(2099, 1, 1)}, "晚于今天"),
        ({"completed_on": date(2024, 3, 1)}, "状态不是“已完成”"),
        ({"status": S.ADJUSTED}, "不能直接是“已调整”"),
        ({"status": S.OVERDUE}, "自动判定"),
        ({"status": S.CANCELLED}, "必须写明原因"),
        ({"number": 0}, "序号应为正整数"),
    ],
)
def test_add_refuses_what_breaks_a_rule(core: Core, unit, fields: dict, message: str) -> None:
    values = {"content": "修路", "category": "人居环境·基础设施"} | fields
    with pytest.raises(ValidationError, match=message):
        core.commitments.add(CommitmentDraft(unit_id=unit.id, year=2024, **values))
    assert count(core, "commitments") == 0


def test_add_refuses_a_taken_number_and_a_unit_gone_before_the_year(core: Core, unit) -> None:
    core.commitments.add(draft(unit.id, number=3))
    with pytest.raises(ValidationError, match="已有第 3 项"):
        core.commitments.add(draft(unit.id, "另一项", number=3))
    core.villages.archive_unit(unit.id, date(2025, 1, 1), "整村搬迁")
    core.commitments.add(draft(unit.id, "2024 年仍在册", year=2024))
    with pytest.raises(ValidationError, match="在 2025 年已归档"):
        core.commitments.add(draft(unit.id, year=2025))
    with pytest.raises(NotFoundError):
        core.commitments.get(999)


def test_add_done_and_cancelled_items(core: Core, unit) -> None:
    done = core.commitments.add(draft(unit.id, "已办", status=S.DONE, completed_on=date(2024, 4, 2)))
    assert (done.status, done.completed_on) == (S.DONE, date(2024, 4, 2))
    dropped = core.commitments.add(
        draft(unit.id, "不办", status=S.CANCELLED, cancel_reason="上级统一建设"), cancelled_on=date(2024, 2, 1)
    )
    assert (dropped.status, dropped.cancel_reason, dropped.cancelled_on) == (
        S.CANCELLED,
        "上级统一建设",
        date(2024, 2, 1),
    )


# ---------------------------------------------------------------------------- update and adjust


def test_update_corrects_typing_without_keeping_the_original(core: Core, unit) -> None:
    item = core.commitments.add(draft(unit.id, "硬化村内道路1.2公理", target_quarter=2))
    fixed = core.commitments.update(
        item.id, content="硬化村内道路1.2公里", deadline=date(2024, 7, 31), responsible="王芳"
    )
    assert (fixed.content, fixed.deadline, fixed.target_quarter, fixed.responsible) == (
        "硬化村内道路1.2公里",
        date(2024, 7, 31),
        None,
        "王芳",
    )
    assert fixed.original_content == "" and not fixed.adjusted
    cleared = core.commitments.update(item.id, clear_due=True)
    assert (cleared.deadline, cleared.target_quarter, cleared.deadline_text) == (None, None, "2024年底")
    with pytest.raises(ValidationError, match="没有任何改动"):
        core.commitments.update(item.id, content="硬化村内道路1.2公里")
    entries = [e for e in core.audit.entries(f"commitment:{item.id}") if e.action == "修改承诺事项"]
    assert len(entries) == 2
    assert "1.2公理" in entries[-1].old and "1.2公里" in entries[-1].new


def test_adjust_keeps_the_first_original_beside_the_new_text(core: Core, unit) -> None:
    item = core.commitments.add(draft(unit.id, "硬化村内道路1.2公里", target="1.2公里", target_quarter=3))
    with pytest.raises(ValidationError, match="调整承诺事项必须写明原因"):
        core.commitments.adjust(
            item.id,
            content="硬化村内道路0.8公里",
            target="0.8公里",
            deadline=None,
            target_quarter=3,
            reason=" ",
            on=date(2024, 5, 10),
        )
    once = core.commitments.adjust(
        item.id,
        content="硬化村内道路0.8公里",
        target="0.8公里",
        deadline=None,
        target_quarter=4,
        reason="土地审批未通过",
        on=date(2024, 5, 10),
    )
    assert (once.status, once.content, once.target, once.target_quarter) == (
        S.ADJUSTED,
        "硬化村内道路0.8公里",
        "0.8公里",
        4,
    )
    assert (once.original_content, once.original_target, once.original_deadline) == (
        "硬化村内道路1.2公里",
        "1.2公里",
        date(2024, 9, 30),
    )  # the promised quarter's last day
    assert (once.adjust_reason, once.adjusted_on) == ("土地审批未通过", date(2024, 5, 10))

    twice = core.commitments.adjust(
        item.id,
        content="硬化村内道路1.0公里",
        target="1.0公里",
        deadline=date(2024, 11, 30),
        target_quarter=None,
        reason="追加资金",
        on=date(2024, 8, 1),
    )
    assert twice.content == "硬化村内道路1.0公里"
    assert twice.original_content == "硬化村内道路1.2公里"  # the first promise, not the first adjustment
    assert twice.adjust_reason == "追加资金"
    with pytest.raises(ValidationError, match="完全相同"):
        core.commitments.adjust(
            item.id,
            content="硬化村内道路1.0公里",
            target="1.0公里",
            deadline=date(2024, 11, 30),
            target_quarter=None,
            reason="无",
            on=date(2024, 9, 1),
        )
    # An adjusted item stays 已调整 until done or cancelled.
    with pytest.raises(ValidationError, match="不能从“已调整”改为“推进中”"):
        core.commitments.set_status(item.id, S.IN_PROGRESS)
    with pytest.raises(ValidationError, match="请用“调整”"):
        core.commitments.set_status(item.id, S.ADJUSTED)
    done = core.commitments.set_status(item.id, S.DONE, on=date(2024, 11, 20))
    assert done.status is S.DONE and done.original_content == "硬化村内道路1.2公里"
    reopened = core.commitments.set_status(item.id, S.IN_PROGRESS, reason="验收不合格")
    assert (reopened.status, reopened.completed_on) == (S.ADJUSTED, None)
    assert actions(core, f"commitment:{item.id}") == [
        "新增承诺事项",
        "调整承诺事项",
        "调整承诺事项",
        "完成承诺事项",
        "重新打开承诺事项",
    ]
    adjust_entry = [e for e in core.audit.entries(f"commitment:{item.id}") if e.action == "调整承诺事项"][-1]
    assert adjust_entry.reason == "土地审批未通过"


def test_a_done_item_cannot_be_adjusted_or_cancelled(core: Core, unit) -> None:
    item = core.commitments.add(draft(unit.id, status=S.DONE, completed_on=date(2024, 3, 3)))
    with pytest.raises(ValidationError, match="不能从“已完成”改为“已调整”"):
        core.commitments.adjust(
            item.id, content="新", target="", deadline=None, target_quarter=None, reason="原因", on=date(2024, 4, 1)
        )
    with pytest.raises(ValidationError, match="不能从“已完成”改为“已取消”"):
        core.commitments.cancel(item.id, "原因", date(2024, 4, 1))


# ---------------------------------------------------------------------------- status


def test_cancel_needs_a_reason_and_is_final(core: Core, unit) -> None:
    item = core.commitments.add(draft(unit.id, "新建日间照料中心1处", category="民生实事"))
    with pytest.raises(ValidationError, match="取消承诺事项必须写明原因"):
        core.commitments.cancel(item.id, "  ", date(2024, 5, 1))
    with pytest.raises(ValidationError, match="取消承诺事项必须写明原因"):
        core.commitments.set_status(item.id, S.CANCELLED)
    assert core.commitments.get(item.id).status is S.NOT_STARTED
    cancelled = core.commitments.cancel(item.id, "县里统一在镇区建设", date(2024, 5, 1))
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_on) == (
        S.CANCELLED,
        "县里统一在镇区建设",
        date(2024, 5, 1),
    )
    with pytest.raises(ValidationError, match="已取消的承诺事项不能再改状态"):
        core.commitments.set_status(item.id, S.IN_PROGRESS)
    with pytest.raises(ValidationError, match="不能再登记进度"):
        core.commitments.record_progress(item.id, Period(2024, 2), 50, "推进", date(2024, 6, 1))
    (entry,) = [e for e in core.audit.entries(f"commitment:{item.id}") if e.action == "取消承诺事项"]
    assert entry.reason == "县里统一在镇区建设"


def test_complete_and_reopen(core: Core, unit) -> None:
    item = core.commitments.add(draft(unit.id))
    with pytest.raises(ValidationError, match="晚于今天"):
        core.commitments.set_status(item.id, S.DONE, on=date(2099, 1, 1))
    with pytest.raises(ValidationError, match="自动判定"):
        core.commitments.set_status(item.id, S.OVERDUE)
    done = core.commitments.set_status(item.id, S.DONE, on=date(2024, 6, 18))
    assert (done.status, done.completed_on) == (S.DONE, date(2024, 6, 18))
    moved = core.commitments.set_status(item.id, S.DONE, on=date(2024, 6, 20))  # a corrected date
    assert moved.completed_on == date(2024, 6, 20)
    with pytest.raises(ValidationError, match="不能从“已完成”改为“未启动”"):
        core.commitments.set_status(item.id, S.NOT_STARTED)
    reopened = core.commitments.set_status(item.id, S.IN_PROGRESS, reason="复查发现未完工")
    assert (reopened.status, reopened.completed_on) == (S.IN_PROGRESS, None)
    assert actions(core, f"commitment:{item.id}") == [
        "新增承诺事项",
        "完成承诺事项",
        "更正完成日期",
        "重新打开承诺事项",
    ]


# ---------------------------------------------------------------------------- progress


def test_progress_is_one_entry_per_quarter_replaced_when_entered_again(core: Core, unit) -> None:
    item = core.commitments.add(draft(unit.id, target_quarter=3))
    first = core.commitments.record_progress(item.id, Period(2024, 1), 30, "完成路基", date(2024, 3, 25))
    assert (first.period, first.percent, first.done_text, first.entry_date) == (
        Period(2024, 1),
        30,
        "完成路基",
        date(2024, 3, 25),
    )
    assert core.commitments.get(item.id).status is S.IN_PROGRESS  # work has begun
    again = core.commitments.record_progress(item.id, Period(2024, 1), "40%", "完成路基和排水", date(2024, 3, 28))
    assert again.id == first.id
    core.commitments.record_progress(
        item.id, Period(2024, 3), 100, "全部完工，通过验收", date(2024, 9, 26), complete=True
    )
    core.commitments.record_progress(item.id, Period(2024, 2), 70, "铺设路面", date(2024, 6, 20))
    entries = core.commitments.progress(item.id)
    assert [(e.period.quarter, e.percent, e.done_text) for e in entries] == [
        (1, 40, "完成路基和排水"),
        (2, 70, "铺设路面"),
        (3, 100, "全部完工，通过验收"),
    ]
    done = core.commitments.get(item.id)
    assert (done.status, done.completed_on, done.latest_percent) == (S.DONE, date(2024, 9, 26), 100)
    assert count(core, "commitment_progress") == 3
    assert actions(core, f"commitment:{item.id}") == [
        "新增承诺事项",
        "登记进度",
        "修改承诺状态",
        "修改进度",
        "登记进度",
        "完成承诺事项",
        "登记进度",
    ]


@pytest.mark.parametrize(
    ("period", "percent", "day", "complete", "message"),
    [
        (Period(2024, 2), 90, date(2024, 6, 1), True, "进度应为 100%"),
        (Period(2024, 2), 101, date(2024, 6, 1), False, "超过了 100%"),
        (Period(2023, 4), 50, date(2023, 12, 1), False, "不在该承诺事项的年度"),
        (Period(2025, 1), 50, date(2025, 3, 1), False, "不在该承诺事项的年度"),
        (Period(2024, 2), 50, date(2024, 3, 31), False, "早于2024年第二季度"),
        (Period(2024, 2), 50, date(2099, 1, 1), False, "晚于今天"),
    ],
)
def test_progress_refuses(
    core: Core, unit, period: Period, percent: int, day: date, complete: bool, message: str
) -> None:
    item = core.commitments.add(draft(unit.id))
    with pytest.raises(ValidationError, match=message):
        core.commitments.record_progress(item.id, period, percent, "推进", day, complete=complete)
    assert count(core, "commitment_progress") == 0


# ---------------------------------------------------------------------------- evidence


def test_attach_copies_the_file_in_with_its_checksum(core: Core, unit, tmp_path: Path) -> None:
    item = core.commitments.add(draft(unit.id))
    photo = tmp_path / "现场照片.JPG"
    photo.write_bytes(b"\xff\xd8\xff" + b"road" * 1000)
    expected = hashlib.sha256(photo.read_bytes()).hexdigest()
    with pytest.raises(ValidationError, match="请先登记2024年第二季度的进度"):
        core.commitments.attach(item.id, photo, Period(2024, 2))

    on_item = core.commitments.attach(item.id, photo, note="开工前")
    core.commitments.record_progress(item.id, Period(2024, 2), 50, "路基完成", date(2024, 6, 10))
    on_entry = core.commitments.attach(item.id, photo, Period(2024, 2), note="施工中")

    assert (on_item.owner, on_item.name, on_item.sha256, on_item.size, on_item.note) == (
        f"commitment:{item.id}",
        "现场照片.JPG",
        expected,
        4003,
        "开工前",
    )
    stored = Path(on_item.path)
    assert stored.is_relative_to(core.data_dir) and stored != photo
    assert stored.read_bytes() == photo.read_bytes()
    assert on_entry.path == on_item.path  # the same content is kept once
    photo.unlink()  # the clerk's own copy may go: the program keeps its own
    viewed = core.commitments.evidence_path(on_item.id)  # a read-only copy: a viewer cannot change the kept file
    assert viewed.name == "现场照片.JPG" and not viewed.is_relative_to(core.data_dir)
    assert viewed.read_bytes() == stored.read_bytes()
    assert not viewed.stat().st_mode & stat.S_IWUSR
    assert [e.id for e in core.commitments.evidence(item.id)] == [on_item.id, on_entry.id]
    (entry,) = core.commitments.progress(item.id)
    assert [e.note for e in entry.evidence] == ["施工中"]
    assert core.commitments.get(item.id).evidence_count == 2
    assert actions(core, f"commitment:{item.id}").count("添加附件") == 2
    assert core.check().ok

    stored.write_bytes(b"changed")
    with pytest.raises(ValidationError, match="校验值不一致"):
        core.commitments.evidence_path(on_item.id)
    report = core.check()
    assert not report.ok
    assert any("现场照片.JPG" in problem and "校验值" in problem for problem in report.problems)
    stored.unlink()
    with pytest.raises(ValidationError, match="文件不见了"):
        core.commitments.evidence_path(on_item.id)


def test_attach_refuses_a_missing_file(core: Core, unit, tmp_path: Path) -> None:
    item = core.commitments.add(draft(unit.id))
    with pytest.raises(ValidationError, match="找不到文件"):
        core.commitments.attach(item.id, tmp_path / "没有.jpg")
    assert count(core, "evidence_files") == 0


def test_attaching_again_repairs_a_stored_copy_that_was_changed(core: Core, unit, tmp_path: Path) -> None:
    item = core.commitments.add(draft(unit.id))
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"bridge" * 500)
    first = core.commitments.attach(item.id, photo)
    Path(first.path).write_bytes(b"overwritten by an image editor")
    second = core.commitments.attach(item.id, photo, note="重新附上")
    # The new row must not point at the damaged file: the good content is copied in again.
    assert core.commitments.evidence_path(second.id).read_bytes() == photo.read_bytes()
    assert core.commitments.evidence_path(first.id).read_bytes() == photo.read_bytes()
    assert core.check().ok


def test_the_copy_is_flushed_to_disk_before_it_takes_its_name(core: Core, unit, tmp_path: Path, monkeypatch) -> None:
    import os

    item = core.commitments.add(draft(unit.id))
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"well" * 500)
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    core.commitments.attach(item.id, photo)
    assert "replace" in events and "fsync" in events[: events.index("replace")]


# ---------------------------------------------------------------------------- carry-over and delete


def test_carry_over_copies_what_is_unfinished_at_the_years_end_once(core: Core, unit) -> None:
    other = make_unit(core, "王庄村")
    done = core.commitments.add(draft(unit.id, "已完成", year=2023, status=S.DONE, completed_on=date(2023, 6, 1)))
    core.commitments.add(
        draft(unit.id, "已取消", year=2023, status=S.CANCELLED, cancel_reason="不再实施"), cancelled_on=date(2023, 5, 1)
    )
    late = core.commitments.add(draft(unit.id, "修路", year=2023, target_quarter=2, target="2公里"))
    core.commitments.record_progress(late.id, Period(2023, 2), 60, "完成一半", date(2023, 6, 20))
    untouched = core.commitments.add(draft(unit.id, "建广场", year=2023, category="民生实事"))
    next_year_done = core.commitments.add(
        draft(unit.id, "完成于次年", year=2023, status=S.DONE, completed_on=date(2023, 12, 31))
    )
    core.commitments.add(draft(other.id, "王庄已有", year=2023, status=S.DONE, completed_on=date(2023, 3, 3)))
    core.commitments.add(draft(unit.id, "2024 第一项", year=2024))

    plan = core.commitments.carry_over_plan(2023)
    result = core.commitments.carry_over(2023, expected=len(plan.carry))
    carried = result.carried

    assert [c.id for c in plan.carry] == [late.id, untouched.id] and result.left_out == ()
    assert [(c.content, c.year, c.number, c.carried_from_id, c.status, c.note) for c in carried] == [
        ("修路", 2024, 2, late.id, S.IN_PROGRESS, "由2023年第3项结转"),
        ("建广场", 2024, 3, untouched.id, S.NOT_STARTED, "由2023年第4项结转"),
    ]
    assert (carried[0].target, carried[0].deadline_text) == ("2公里", "2024年底")
    again = core.commitments.carry_over(2023)
    assert again.carried == ()  # already carried, and said so
    assert [(c.item.id, c.reason) for c in again.left_out] == [
        (late.id, "已结转过（2024 年第 2 项），不重复结转"),
        (untouched.id, "已结转过（2024 年第 3 项），不重复结转"),
    ]
    original = core.commitments.get(late.id)  # the old one stays in 2023, marked 已结转
    assert (original.year, original.status_on(date(2023, 12, 31)), original.carried_text) == (
        2023,
        S.CARRIED,
        "已结转到 2024 年第 2 项",
    )
    assert done.id not in {c.carried_from_id for c in carried} and next_year_done.id not in {
        c.carried_from_id for c in carried
    }
    assert actions(core, f"commitment:{carried[0].id}") == ["结转承诺事项"]


def test_delete_only_what_was_typed_by_mistake(core: Core, unit, tmp_path: Path) -> None:
    mistake = core.commitments.add(draft(unit.id, "打错了"))
    with pytest.raises(ValidationError, match="必须写明原因"):
        core.commitments.delete(mistake.id, "")
    core.commitments.delete(mistake.id, "重复录入")
    with pytest.raises(NotFoundError):
        core.commitments.get(mistake.id)
    (entry,) = core.audit.entries(f"commitment:{mistake.id}")[:1]
    assert (entry.action, entry.reason) == ("删除承诺事项", "重复录入")
    assert "打错了" in entry.old

    with_progress = core.commitments.add(draft(unit.id, "有进度"))
    core.commitments.record_progress(with_progress.id, Period(2024, 1), 10, "开始", date(2024, 3, 1))
    with pytest.raises(ValidationError, match="已登记 1 个季度的进度"):
        core.commitments.delete(with_progress.id, "误录")
    with_file = core.commitments.add(draft(unit.id, "有附件"))
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    core.commitments.attach(with_file.id, tmp_path / "a.pdf")
    with pytest.raises(ValidationError, match="有附件"):
        core.commitments.delete(with_file.id, "误录")
    old = core.commitments.add(draft(unit.id, "上年未完成", year=2023))
    core.commitments.carry_over(2023)
    with pytest.raises(ValidationError, match="已结转到 2024 年"):
        core.commitments.delete(old.id, "误录")
    assert count(core, "commitments") == 4


# ---------------------------------------------------------------------------- completion and summary


def completion_in_round(core: Core, unit_id: int, period: Period):
    """The completion a round of `period` reads for its 承诺完成 (in the round's own session)."""
    with core.folder.database.session() as session:
        return completion_by_unit(session, [unit_id], period)[unit_id]


def test_completion_of_a_period_counts_on_its_last_day(core: Core, unit) -> None:
    c = core.commitments
    c.add(draft(unit.id, "一", status=S.DONE, completed_on=date(2024, 3, 10)))
    second = c.add(draft(unit.id, "二", target_quarter=2))
    c.set_status(second.id, S.DONE, on=date(2024, 7, 5))  # a quarter late
    third = c.add(draft(unit.id, "三", target_quarter=4))
    c.cancel(third.id, "规划调整", date(2024, 8, 1))
    c.add(draft(unit.id, "四", deadline=date(2024, 5, 31)))  # never done

    q1 = completion_in_round(core, unit.id, Period(2024, 1))
    assert (q1.total, q1.done, q1.cancelled, q1.overdue, q1.rate) == (4, 1, 0, 0, F(1, 4))
    q2 = completion_in_round(core, unit.id, Period(2024, 2))
    # 二 is due on 6-30 and done on 7-5: counted to 6-30 (a day now over) it was late, as 四 was.
    assert (q2.done, q2.cancelled, q2.overdue, q2.rate) == (1, 0, 2, F(1, 4))
    q3 = completion_in_round(core, unit.id, Period(2024, 3))
    assert (q3.done, q3.cancelled, q3.overdue, q3.rate) == (2, 1, 1, F(2, 3))
    assert q3.explain() == "已完成 2 项 ÷（承诺 4 项 − 取消 1 项）= 66.67%"
    assert completion_in_round(core, unit.id, Period(2023, 4)).rate is None  # nothing promised that year


def test_summary_lists_units_with_items_and_units_active_then(core: Core) -> None:
    east = core.villages.add_district("东部管区").value
    busy = make_unit(core, "甲村", district_id=east.id)
    idle = make_unit(core, "乙村")
    gone = make_unit(core, "丙村")
    left = make_unit(core, "丁村")
    core.villages.archive_unit(gone.id, date(2023, 1, 1), "撤并")
    core.commitments.add(draft(busy.id, "一", year=2023, status=S.DONE, completed_on=date(2023, 5, 1)))
    core.commitments.add(draft(busy.id, "二", year=2023, target_quarter=2))
    core.commitments.add(draft(left.id, "三", year=2023, status=S.DONE, completed_on=date(2023, 11, 1)))
    core.villages.archive_unit(left.id, date(2023, 12, 1), "并入甲村")

    rows = core.commitments.summary(2023)  # a past year: on 31 December
    assert [
        (r.unit_name, r.district_name, r.completion.total, r.completion.done, r.completion.overdue, r.rate)
        for r in rows
    ] == [
        ("甲村", "东部管区", 2, 1, 1, F(1, 2)),
        ("乙村", "", 0, 0, 0, None),
        ("丁村", "", 1, 1, 0, F(1)),  # archived before the day, but it has items that year
    ]
    midyear = core.commitments.summary(2023, on=date(2023, 6, 30))
    assert [(r.unit_name, r.completion.done, r.completion.overdue, r.rate) for r in midyear] == [
        ("甲村", 1, 1, F(1, 2)),
        ("乙村", 0, 0, None),
        ("丁村", 0, 0, F(0)),
    ]  # 二 was due on 6-30
    assert idle.id in {r.unit_id for r in rows} and gone.id not in {r.unit_id for r in rows}


# ---------------------------------------------------------------------------- categories


def test_categories_are_editable_and_a_used_one_stays_on_its_items(core: Core, unit) -> None:
    assert core.commitments.categories() == DEFAULT_CATEGORIES
    item = core.commitments.add(draft(unit.id, category="平安治理"))
    for names, message in (
        ([], "不能为空"),
        (["基层党建", " "], "第 2 个类别是空的"),
        (["基层党建", "基层党建"], "重复"),
    ):
        with pytest.raises(ValidationError, match=message):
            core.commitments.save_categories(names)
    saved = core.commitments.save_categories([" 基层党建 ", "产业发展", "民生实事"])
    assert saved == ("基层党建", "产业发展", "民生实事") == core.commitments.categories()
    assert core.audit.entries("settings:commitments.categories")[0].action == "修改承诺类别"
    # The item keeps its category and can still be corrected; new items use the new list.
    assert core.commitments.update(item.id, content="平安村创建").category == "平安治理"
    with pytest.raises(ValidationError, match="可选：基层党建、产业发展、民生实事"):
        core.commitments.add(draft(unit.id, category="平安治理"))
    assert core.commitments.add(draft(unit.id, category="产业发展")).category == "产业发展"


# ---------------------------------------------------------------------------- import


HEADER = ["序号", "村（社区）", "承诺事项", "类别", "目标", "完成时限", "责任人", "状态", "完成日期", "备注"]


def workbook(folder: Path, rows: list[list[object]], name: str = "承诺.xlsx", title: str = "2023年承诺") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(["清河镇2023年度村党组织书记承诺事项"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = folder / name
    book.save(path)
    return path


@pytest.fixture
def units(core: Core):
    return {name: make_unit(core, name) for name in ("张五砦村", "王庄村")}


GOOD = [
    [1, "张五砦村", "硬化村内道路1.2公里", "人居环境·基础设施", "1.2公里", "2023Q3", "李禛", "已完成", "2023.9.26", ""],
    [
        2,
        "张五砦村",
        "村集体经济收入突破30万元",
        "集体经济·产业",
        "30万元",
        "2023年12月31日",
        "李禛",
        "推进中",
        None,
        "",
    ],
    [None, "王庄村", "完成500户不动产登记颁证", "民生实事", "500户", "第二季度", "王永强", "逾期", None, ""],
    [
        None,
        "王庄村",
        "新建日间照料中心1处",
        "民生实事",
        "1处",
        "2023-10-31",
        "王永强",
        "已取消",
        None,
        "县里统一在镇区建设",
    ],
    [None, "王庄村", "调解矛盾纠纷化解率达98%", "平安治理", "98%", None, "王永强", None, None, ""],
]


def test_import_preview_then_apply_writes_every_row(core: Core, units, tmp_path: Path) -> None:
    path = workbook(tmp_path, GOOD)
    preview = core.commitments.preview_import(path, default_year=2023)
    assert preview.ok, preview.problems
    assert [(r.row, r.unit_name, r.action, r.draft.number) for r in preview.rows] == [
        (3, "张五砦村", "新增", 1),
        (4, "张五砦村", "新增", 2),
        (5, "王庄村", "新增", 1),
        (6, "王庄村", "新增", 2),
        (7, "王庄村", "新增", 3),
    ]
    assert (preview.count_new, preview.count_changed, preview.count_unchanged) == (5, 0, 0)
    assert count(core, "commitments") == 0  # a preview writes nothing
    audit_before = count(core, "audit_log")

    assert core.commitments.apply_import(preview) == 5

    items = {c.content: c for c in core.commitments.list_commitments(2023)}
    road = items["硬化村内道路1.2公里"]
    assert (road.target_quarter, road.status, road.completed_on, road.responsible) == (
        3,
        S.DONE,
        date(2023, 9, 26),
        "李禛",
    )
    assert items["村集体经济收入突破30万元"].deadline == date(2023, 12, 31)
    late = items["完成500户不动产登记颁证"]
    assert (late.status, late.target_quarter, late.status_on(date(2023, 7, 1))) == (S.IN_PROGRESS, 2, S.OVERDUE)
    dropped = items["新建日间照料中心1处"]
    assert (dropped.status, dropped.cancel_reason, dropped.cancelled_on) == (
        S.CANCELLED,
        "县里统一在镇区建设",
        date(2023, 12, 31),
    )
    assert items["调解矛盾纠纷化解率达98%"].status is S.NOT_STARTED
    assert count(core, "audit_log") == audit_before + 6  # five items and the import itself
    assert core.audit.entries("commitments:import")[0].action == "导入承诺事项"
    assert any(b.reason == "pre-import" for b in core.folder.list_backups())


def test_reimporting_the_same_file_changes_nothing(core: Core, units, tmp_path: Path) -> None:
    path = workbook(tmp_path, GOOD)
    core.commitments.apply_import(core.commitments.preview_import(path, 2023))
    audit_before = count(core, "audit_log")

    again = core.commitments.preview_import(path, 2023)
    assert again.ok, again.problems
    assert [r.action for r in again.rows] == ["不变"] * 5  # rows without 序号 found by their content
    assert core.commitments.apply_import(again) == 0
    assert count(core, "commitments") == 5
    assert count(core, "audit_log") == audit_before + 1  # only the import's own entry


def test_overdue_in_a_file_keeps_an_open_items_own_status(core: Core, units, tmp_path: Path) -> None:
    core.commitments.apply_import(core.commitments.preview_import(workbook(tmp_path, GOOD), 2023))
    late = next(c for c in core.commitments.list_commitments(2023) if c.content.startswith("完成500户"))
    core.commitments.set_status(late.id, S.NOT_STARTED)
    again = core.commitments.preview_import(workbook(tmp_path, GOOD), 2023)  # the row still says 逾期
    assert again.ok, again.problems
    core.commitments.apply_import(again)
    kept = core.commitments.get(late.id)
    assert kept.status is S.NOT_STARTED and kept.status_on(date(2023, 12, 31)) is S.OVERDUE


def test_reimporting_the_original_file_does_not_undo_an_adjustment(core: Core, units, tmp_path: Path) -> None:
    path = workbook(tmp_path, GOOD)
    core.commitments.apply_import(core.commitments.preview_import(path, 2023))
    income = next(c for c in core.commitments.list_commitments(2023) if c.content.startswith("村集体"))
    core.commitments.adjust(
        income.id,
        content="村集体经济收入突破20万元",
        target="20万元",
        deadline=None,
        target_quarter=4,
        reason="合作社项目延期",
        on=date(2023, 6, 1),
    )

    again = core.commitments.preview_import(path, 2023)  # still the promise as first made

    assert again.ok, again.problems
    assert [r.action for r in again.rows] == ["不变"] * 5
    core.commitments.apply_import(again)
    kept = core.commitments.get(income.id)
    assert (kept.status, kept.content, kept.target, kept.deadline, kept.target_quarter) == (
        S.ADJUSTED,
        "村集体经济收入突破20万元",
        "20万元",
        None,
        4,
    )
    assert (kept.original_content, kept.original_target, kept.original_deadline) == (
        "村集体经济收入突破30万元",
        "30万元",
        date(2023, 12, 31),
    )


def test_reimport_updates_what_changed(core: Core, units, tmp_path: Path) -> None:
    core.commitments.apply_import(core.commitments.preview_import(workbook(tmp_path, GOOD), 2023))
    changed = [list(row) for row in GOOD]
    changed[1][7], changed[1][8] = "已完成", "2023年12月20日"  # now done
    changed[4][5] = "2023Q4"  # a deadline added
    changed.append(
        [None, "王庄村", "安装太阳能路灯50盏", "人居环境·基础设施", "50盏", "2023Q3", "王永强", "", None, ""]
    )
    preview = core.commitments.preview_import(workbook(tmp_path, changed, "新.xlsx"), 2023)
    assert preview.ok, preview.problems
    assert [(r.row, r.action) for r in preview.rows] == [
        (3, "不变"),
        (4, "将替换"),
        (5, "不变"),
        (6, "不变"),
        (7, "将替换"),
        (8, "新增"),
    ]
    assert preview.rows[1].changes == ("状态：推进中 → 已完成",)
    assert (preview.rows[1].matched_by, preview.rows[1].replaced) == ("序号和内容", (("状态", "推进中", "已完成"),))
    assert preview.rows[4].changes == ("完成时限：2023年底 → 2023年第四季度",)
    assert preview.rows[4].matched_by == "内容"
    assert preview.rows[5].draft.number == 4
    assert preview.count_replaced == 2 and [r.row for r in preview.replacing] == [4, 7]
    with pytest.raises(ValidationError, match="有 2 项将替换已有的承诺事项，须核对后确认替换") as refused:
        core.commitments.apply_import(preview)  # not confirmed: nothing written
    assert refused.value.details == [
        "工作表“2023年承诺”第 4 行 张五砦村 2023年第2项（按序号和内容对应）将替换：状态：推进中 → 已完成",
        "工作表“2023年承诺”第 7 行 王庄村 2023年第3项（按内容对应）将替换：完成时限：2023年底 → 2023年第四季度",
    ]
    assert count(core, "commitments") == 5
    assert core.commitments.apply_import(preview, replace=True) == 3
    income = next(c for c in core.commitments.list_commitments(2023) if c.content.startswith("村集体"))
    assert (income.status, income.completed_on) == (S.DONE, date(2023, 12, 20))
    done_entry = core.audit.entries(f"commitment:{income.id}")[0]
    assert (done_entry.action, done_entry.reason) == ("完成承诺事项", "从“新.xlsx”导入")
    lamp = next(c for c in core.commitments.list_commitments(2023) if c.content.startswith("调解"))
    assert core.audit.entries(f"commitment:{lamp.id}")[0].action == "导入更新承诺事项"


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_written(core: Core, units, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "承诺事项"
    sheet.append(["年度", "村（社区）", "承诺内容", "分类", "截止时间", "状态", "完成日期"])
    sheet.append([2023, "张五砦村", "硬化道路", "人居环境·基础设施", "2023.9.26", "已完成", "2023.9.26"])
    sheet.append([2023, "张五砦村", None, "民生实事", "2023Q3", "推进中", None])  # missing content
    sheet.append([2023, "李家寨村", "打机井3眼", "民生实事", "2023年9月26日", "推进中", None])  # unknown unit
    sheet.append([2023, "王庄村", "建广场", "民生实事", 45195, "差不多了", None])  # unknown status, serial date
    sheet.append([2023, "王庄村", "修桥", "招商引资", "2023年9月26日", "已完成", 45195])  # unknown category
    sheet.append([2023, "王庄村", "装路灯", "民生实事", "2023Q2", "已完成", None])  # done without a date
    sheet.append([2023, "王庄村", "建公厕", "民生实事", "2023Q2", "已取消", None])  # cancelled without a reason
    sheet.append([2099, "王庄村", "修水渠", "民生实事", "2099Q2", "逾期", None])  # not due yet
    path = tmp_path / "有问题.xlsx"
    book.save(path)
    audit_before = count(core, "audit_log")

    preview = core.commitments.preview_import(path)

    assert not preview.ok
    assert list(preview.problems) == [
        "工作表“承诺事项”第 3 行“承诺内容”：承诺事项内容不能为空",
        "工作表“承诺事项”第 4 行“村（社区）”：名册中没有村（社区）“李家寨村”，请核对名称",
        "工作表“承诺事项”第 5 行“状态”：无法识别状态“差不多了”，应为：未启动、推进中、已完成、逾期、已调整、已取消",
        "工作表“承诺事项”第 6 行“分类”：类别“招商引资”不在类别列表中，可选：基层党建、集体经济·产业、"
        "人居环境·基础设施、民生实事、平安治理、其他",
        "工作表“承诺事项”第 7 行“完成日期”：状态是“已完成”，请填写完成日期",
        "工作表“承诺事项”第 8 行“状态”：状态是“已取消”，请在“取消原因”或“备注”列写明取消原因",
        "工作表“承诺事项”第 9 行“状态”：完成时限（2099年第二季度）还没到，不能是“逾期”",
    ]
    assert [(r.row, r.action) for r in preview.rows if r.draft is not None] == [(2, "新增")]
    assert preview.rows[0].draft.deadline == date(2023, 9, 26) and preview.rows[0].draft.completed_on == date(
        2023, 9, 26
    )
    with pytest.raises(ValidationError, match="未导入任何数据") as refused:
        core.commitments.apply_import(preview)
    assert len(refused.value.details) == 7
    assert count(core, "commitments") == 0
    assert count(core, "audit_log") == audit_before


def test_import_year_comes_from_the_file_or_the_caller_and_a_renamed_unit_is_found(core: Core, tmp_path: Path) -> None:
    unit = make_unit(core, "小李庄村")
    core.villages.change_unit(unit.id, name="小李庄社区", effective=date(2024, 1, 1), reason="村改社区")
    path = workbook(tmp_path, [[1, "小李庄村", "修路", "人居环境·基础设施", "", "2023Q3", "", "", None, ""]])
    without_year = core.commitments.preview_import(path)
    # The quarter names its year, but the year is never guessed from it.
    assert without_year.problems == (
        "工作表“2023年承诺”：表中没有“年度”列，也没有指定导入年度（命令行用 --year，程序中在导入窗口选择年度），"
        "未导入任何数据",
    )
    assert not without_year.year_column
    assert core.commitments.preview_import(path, 2023).rows[0].draft.year == 2023
    wrong_year = core.commitments.preview_import(path, 2024)
    assert wrong_year.problems == ("工作表“2023年承诺”第 3 行“完成时限”：目标季度在 2023 年，而承诺年度是 2024 年",)
    plain = workbook(tmp_path, [[1, "小李庄村", "修路", "人居环境·基础设施", "", "", "", "", None, ""]], "无年.xlsx")
    assert core.commitments.preview_import(plain).problems == (
        "工作表“2023年承诺”：表中没有“年度”列，也没有指定导入年度（命令行用 --year，程序中在导入窗口选择年度），"
        "未导入任何数据",
    )
    assert core.commitments.apply_import(core.commitments.preview_import(plain, 2023)) == 1
    assert [c.unit_id for c in core.commitments.list_commitments(2023)] == [unit.id]


def test_import_refuses_duplicate_numbers_and_a_closed_item_reopened_by_a_file(
    core: Core, units, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path,
        [
            [1, "张五砦村", "修路", "人居环境·基础设施", "", "", "", "", None, ""],
            [1, "张五砦村", "建广场", "民生实事", "", "", "", "", None, ""],
        ],
    )
    assert core.commitments.preview_import(path, 2023).problems == (
        "工作表“2023年承诺”第 4 行“序号”：与第 3 行是同一村（社区）同一年度的第 1 项，序号重复",
    )
    item = core.commitments.add(
        draft(units["张五砦村"].id, "修路", year=2023, status=S.CANCELLED, cancel_reason="不修了"),
        cancelled_on=date(2023, 4, 1),
    )
    reopen = workbook(
        tmp_path, [[item.number, "张五砦村", "修路", "人居环境·基础设施", "", "", "", "推进中", None, ""]], "重开.xlsx"
    )
    assert core.commitments.preview_import(reopen, 2023).problems == (
        "工作表“2023年承诺”第 3 行：已取消的承诺事项不能再改状态",
    )
    assert core.commitments.get(item.id).status is S.CANCELLED


# ---------------------------------------------------------------------------- demo data


def test_demo_commitments_tell_a_realistic_story(demo_core: Core) -> None:
    from lsb_desktop.demo.commitments import build_demo_commitments

    if not demo_core.commitments.years():  # until the demo itself builds them
        assert build_demo_commitments(demo_core) > 0
    service = demo_core.commitments
    assert service.years() == [2024, 2023]
    for year in (2023, 2024):
        items = service.list_commitments(year)
        active = [u for u in demo_core.villages.list_units(on=date(year, 1, 1)) if u.is_active]
        own: dict[int, int] = {}
        for c in items:
            if c.carried_from_id is None:
                own[c.unit_id] = own.get(c.unit_id, 0) + 1
        assert set(own) == {u.id for u in active}
        assert all(5 <= n <= 8 for n in own.values()), own
        assert {c.category for c in items} == set(DEFAULT_CATEGORIES)
        assert any(c.adjusted and c.adjust_reason and c.original_content != c.content for c in items)
        assert any(c.status is S.CANCELLED and c.cancel_reason for c in items)
        assert any(c.status_on(date(year, 12, 31)) is S.DONE and c.completed_on > c.due for c in items)  # late
        assert any(c.completed_on and Period.of(c.completed_on) < Period.of(c.due) for c in items)  # early
        rates = [row.rate for row in service.summary(year)]
        assert F(1) in rates and min(r for r in rates if r is not None) < F(7, 10)
    first = {c.id: c for c in service.list_commitments(2023)}
    carried = [c for c in service.list_commitments(2024) if c.carried_from_id is not None]
    assert carried
    for c in carried:
        source = first[c.carried_from_id]
        assert source.status_on(date(2023, 12, 31)) not in (S.DONE, S.CANCELLED)
        assert (c.unit_id, c.content) == (source.unit_id, source.content)
    converted = next(u for u in demo_core.villages.list_units() if u.name == "小李庄社区")
    assert {c.unit_name for c in service.list_commitments(2023, converted.id)} == {"小李庄村"}
    sample = next(c for c in service.list_commitments(2024) if c.status is S.DONE and c.carried_from_id is None)
    entries = service.progress(sample.id)
    assert entries and entries[-1].percent == 100 and entries[-1].entry_date == sample.completed_on
    assert [e.percent for e in entries] == sorted(e.percent for e in entries)
    assert demo_core.check().ok
