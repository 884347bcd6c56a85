"""检查数据 on a real data file that was changed by hand: every problem names the round, judge,
village, item, star or file in Chinese, never an id, a table or a migration; the all-clear says
what was checked."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from factories import make_unit

from db.engine import KNOWN_REVISIONS
from lsb_desktop.core import Core
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.stars import StarStep
from lsb_desktop.errors import ValidationError
from lsb_desktop.services.commitments import CommitmentDraft
from lsb_desktop.services.rounds import RoundDraft
from lsb_desktop.services.storage import version_text
from tests.integration.dbfiles import query, sql

# What a clerk must never be shown: an internal id ("progress:1154", "round:3"), a table's or a
# migration's name, an English word of SQLite's.
INTERNAL = re.compile(
    r"(?:round|commitment|progress|star|unit|judge|criterion):\w|audit_log|evidence_files"
    r"|secretary_terms|unit_versions|\b000\d_|foreign key|rowid|audit\.head"
)


def assert_plain(lines: list[str] | tuple[str, ...]) -> None:
    for line in lines:
        if line.startswith("数据文件："):
            continue  # the path of the file is what it is
        assert not INTERNAL.search(line), line


@pytest.fixture
def township(core: Core) -> Core:
    """Two villages and a community, a scored round, commitments with progress, a star under way."""
    for name in ("王庄村", "刘堌堆村", "东关社区"):
        make_unit(core, name)
    detail = core.rounds.create_round(
        RoundDraft(Period(2024, 1), "村党组织书记“亮赛比”逐村观摩评比", date(2024, 4, 20), ("王建军", "李红"), 0, 0)
    ).value
    for judge in detail.judges:
        for unit in detail.units:
            for points in ("20", "21.5"):
                core.rounds.set_score(detail.id, judge.id, unit.id, "基层党建", points)
    for unit in core.villages.list_units():
        for year, content in ((2023, "修建村文化广场一处"), (2024, "硬化村内道路1.2公里，安装路灯40盏")):
            item = core.commitments.add(
                CommitmentDraft(unit_id=unit.id, year=year, content=content, category="人居环境·基础设施")
            )
            core.commitments.record_progress(item.id, Period(year, 1), 30, "已完成设计和招标", date(year, 3, 28))
        core.commitments.add(
            CommitmentDraft(
                unit_id=unit.id, year=2024, content="发展集体经济，村集体收入达到20万元", category="集体经济·产业"
            )
        )
    wang = next(u for u in core.villages.list_units() if u.name == "王庄村")
    core.stars.set_planned(wang.id, 2024, "产业兴旺星", True)
    core.stars.record_step(wang.id, 2024, "产业兴旺星", StarStep.DECLARED, True, date(2024, 3, 10))
    return core


def attach_files(core: Core, tmp_path: Path) -> dict[str, object]:
    """A photo on a commitment's quarterly progress, a document on a commitment, a scan on a star."""
    item = next(c for c in core.commitments.list_commitments(2024) if core.commitments.progress(c.id))
    other = next(c for c in core.commitments.list_commitments(2024) if c.id != item.id)
    entry = core.commitments.progress(item.id)[0]
    photo = tmp_path / "文化广场现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"square" * 300)
    document = tmp_path / "支部会议记录.docx"
    document.write_bytes(b"PK" + b"minutes" * 300)
    scan = tmp_path / "授牌照片.png"
    scan.write_bytes(b"\x89PNG" + b"plaque" * 300)
    unit = next(u for u in core.stars.year_view(2024).units if u.unit_name == "王庄村")
    star = "产业兴旺星"
    return {
        "item": item,
        "other": other,
        "entry": entry,
        "unit": unit,
        "star": star,
        "photo": core.commitments.attach(item.id, photo, entry.period),
        "document": core.commitments.attach(other.id, document),
        "scan": core.stars.attach(unit.unit_id, 2024, star, scan),
    }


def round_label(core: Core, round_id: int) -> str:
    ((year, quarter, title),) = query(
        core.folder.database.path, f"SELECT year, quarter, title FROM rounds WHERE id = {round_id}"
    )
    return Period(year, quarter).label + title


def test_the_all_clear_says_what_was_checked(township: Core, tmp_path: Path) -> None:
    attach_files(township, tmp_path)
    (entries,) = query(township.folder.database.path, "SELECT count(*) FROM audit_log")[0]
    report = township.check()
    assert report.ok and report.problems == ()
    assert (report.audit_entries, report.evidence_files) == (entries, 3)
    lines = report.lines()
    assert lines[1] == "检查结果：通过，未发现问题"
    assert "  数据库完整性、外键：通过" in lines
    assert f"  审计日志：{entries} 条审计记录哈希相连，未被改动" in lines
    assert "  附件：3 个附件文件校验一致" in lines
    assert f"  数据版本 {len(KNOWN_REVISIONS)}（最新）" in lines
    assert_plain(lines)


def test_a_score_edited_in_the_audit_log_names_the_round_judge_village_and_item(township: Core) -> None:
    path = township.folder.database.path
    ((entry_id, entity, at),) = query(
        path, "SELECT id, entity, at FROM audit_log WHERE action = '评分' ORDER BY id LIMIT 1 OFFSET 5"
    )
    round_id, judge, unit, criterion = re.fullmatch(r"round:(\d+)/judge:(.+)/unit:(.+)/criterion:(.+)", entity).groups()
    sql(path, f"UPDATE audit_log SET new = '25.00' WHERE id = {entry_id}")

    report = township.check()
    assert not report.ok
    (problem,) = report.problems
    assert problem == (
        f"审计日志第 {entry_id} 条的内容被改动：{at[:19]} “评分”，{round_label(township, int(round_id))}"
        f"中评委{judge}给{unit}的“{criterion}”评分"
    )
    assert "  审计日志：共" in "\n".join(report.lines()) and "发现 1 处改动或缺失" in "\n".join(report.lines())
    assert_plain(report.lines())


def test_an_audit_entry_deleted_names_the_entries_on_either_side(township: Core) -> None:
    path = township.folder.database.path
    item = next(c for c in township.commitments.list_commitments(2023) if c.unit_name == "王庄村")
    ids = [row[0] for row in query(path, f"SELECT id FROM audit_log WHERE entity = 'commitment:{item.id}' ORDER BY id")]
    gone = ids[0]
    sql(path, f"DELETE FROM audit_log WHERE id = {gone}")

    (problem,) = township.check().problems
    assert problem.startswith(f"审计日志第 {gone + 1} 条之前的记录被删除或改动：缺少的记录在第 {gone - 1} 条（")
    assert f"、第 {gone + 1} 条（" in problem and "王庄村 2023年第 1 项承诺“修建村文化广场一处”" in problem
    assert_plain([problem])


def test_entries_removed_from_the_end_of_the_log_are_counted(township: Core) -> None:
    path = township.folder.database.path
    ((count,),) = query(path, "SELECT count(*) FROM audit_log")
    sql(path, "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    report = township.check()
    (problem,) = report.audit
    assert problem.startswith(
        f"审计日志应有 {count} 条记录，现有 {count - 1} 条：末尾的 1 条记录被删除，现在的最后一条是第 "
    )
    # The last entry recorded 王庄村's 自评申报: with it gone, the log no longer accounts for that step.
    (unaccounted,) = report.data
    assert unaccounted.kind == "unrecorded"
    assert unaccounted.message.startswith("王庄村 2024年产业兴旺星的“自评申报”步骤没有审计记录")
    assert_plain([problem, unaccounted.message])


@pytest.mark.parametrize(
    "head, expected",
    [
        (
            "{count}:{other}",
            "审计日志的记录数与末尾的校验记录一致（{count} 条），但最后一条记录的哈希值与校验记录不符："
            "最后一条记录被替换，或末尾的校验记录被改动，现在的最后一条是第 ",
        ),
        ("{more}:{last}", "审计日志末尾的校验记录中的记录数被改动（应为 {count} 条）"),
        (
            "{less}:{other}",
            "审计日志应有 {less} 条记录，现有 {count} 条：末尾多出 1 条记录，不是由本程序写入的，现在的最后一条是第 ",
        ),
        ("乱码", "审计日志末尾的校验记录被改动，已无法读取，无法确认末尾的记录是否完整"),
    ],
)
def test_the_head_of_the_log_changed_says_what_was_found(township: Core, head: str, expected: str) -> None:
    path = township.folder.database.path
    ((count,),) = query(path, "SELECT count(*) FROM audit_log")
    ((last,),) = query(path, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    values = {"count": count, "more": count + 3, "less": count - 1, "last": last, "other": "f" * 64}
    sql(path, f"UPDATE settings SET value = '{head.format(**values)}' WHERE key = 'audit.head'")
    (problem,) = township.check().audit
    assert problem.startswith(expected.format(**values)), problem
    assert_plain([problem])


def test_a_commitment_audit_entry_names_the_village_year_and_item(township: Core) -> None:
    path = township.folder.database.path
    item = next(c for c in township.commitments.list_commitments(2024) if c.unit_name == "东关社区" and c.number == 1)
    ((entry_id,),) = query(path, f"SELECT min(id) FROM audit_log WHERE entity = 'commitment:{item.id}'")
    sql(path, f"UPDATE audit_log SET reason = '改过' WHERE id = {entry_id}")
    (problem,) = township.check().problems
    assert f"东关社区 2024年第 {item.number} 项承诺“{item.content[:16]}" in problem
    assert problem.startswith(f"审计日志第 {entry_id} 条的内容被改动：")
    assert_plain([problem])


def test_evidence_files_changed_or_gone_are_named_with_what_they_belong_to(township: Core, tmp_path: Path) -> None:
    files = attach_files(township, tmp_path)
    item, other, entry = files["item"], files["other"], files["entry"]
    Path(files["photo"].path).write_bytes(b"saved over by an image editor")
    Path(files["document"].path).unlink()
    Path(files["scan"].path).unlink()

    report = township.check()
    assert not report.ok
    photo, document, scan = report.problems
    assert photo.startswith(f"附件“文化广场现场照片.jpg”（{item.unit_name} 2024年第 {item.number} 项承诺“")
    assert f"的{entry.period.label}进度，" in photo and "的内容与登记时的校验值不一致" in photo
    assert document.startswith(f"附件“支部会议记录.docx”（{other.unit_name} 2024年第 {other.number} 项承诺“")
    assert "的文件不见了" in document
    assert scan.startswith(f"附件“授牌照片.png”（王庄村 2024年{files['star']}，") and "的文件不见了" in scan
    lines = report.lines()
    assert "  附件：共 3 个附件文件，0 个校验一致，3 个有问题" in lines
    assert lines[-1].startswith("建议：")
    assert_plain(lines)


@pytest.mark.parametrize("how", ["up and out", "absolute", "symbolic link"])
def test_an_evidence_path_pointing_outside_the_folder_is_refused_and_named(
    township: Core, tmp_path: Path, how: str
) -> None:
    files = attach_files(township, tmp_path)
    photo = files["photo"]
    path = township.folder.database.path
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(Path(photo.path).read_bytes())  # the same bytes: the checksum alone would pass
    if how == "symbolic link":
        Path(photo.path).unlink()
        Path(photo.path).symlink_to(outside)
    else:
        stored = "../../../outside.jpg" if how == "up and out" else str(outside)
        sql(path, f"UPDATE evidence_files SET stored_path = '{stored}' WHERE id = {photo.id}")

    report = township.check()
    (problem,) = report.evidence
    assert problem.startswith("附件“文化广场现场照片.jpg”（")
    assert "登记的存放位置被改动，指向附件文件夹以外（或经过快捷方式），程序不会打开它" in problem
    with pytest.raises(ValidationError, match="指向附件文件夹以外"):
        township.commitments.evidence_path(photo.id)
    assert_plain([problem])


def test_stored_names_with_invisible_characters_and_look_alikes_are_named(township: Core) -> None:
    """Names saved before they were cleaned (or written into the file by hand) are not rewritten:
    check says where they are, so the clerk can rename them."""
    path = township.folder.database.path
    sql(
        path,
        "UPDATE round_judges SET name = '王建\u200b军' WHERE name = '王建军'",
        "INSERT INTO units (id, display_order, note, created_at) VALUES (900, 90, '', '2022-01-01 08:00:00')",
        "INSERT INTO unit_versions (unit_id, valid_from, name, kind, org_type, district_id, status, merged_into_id, "
        "reason, recorded_at) VALUES (900, '1900-01-01', '王庄\u202e村', '村', '党支部', NULL, 'active', NULL, "
        "'建档', '2022-01-01 08:00:00')",
    )
    report = township.check()
    names = [p for p in report.problem_objects() if p["kind"] == "name"]
    assert [p["message"] for p in names] == [
        "村（社区）名称“王庄村”中有看不见的字符（U+202E），看起来和“王庄村”一样却不是同一个名称：请在村（社区）页中改正",
        "评委姓名“王建军”中有看不见的字符（U+200B），看起来和“王建军”一样却不是同一个名称：请在观摩评比页的参评单位与评委中改正",
        "名册中有 2 个村（社区）的名称看起来都是“王庄村”（写法只差全角半角、空格或看不见的字符）：导入时无法区分，"
        "请把其中一个改名或合并",
    ]
    assert "  名称：发现 3 处看不见的字符或看起来相同的名称" in report.lines()


def test_a_row_whose_village_is_gone_is_named_in_words(township: Core) -> None:
    sql(
        township.folder.database.path,
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO secretary_terms (unit_id, person, start_date, end_date, note, recorded_at) "
        "VALUES (999, '张三', '2022-01-01', NULL, '', '2022-01-01 00:00:00')",
    )
    report = township.check()
    assert report.problems == ("一条书记任职记录“张三”所属的村（社区）已不存在（数据之间的对应关系断开）",)
    assert "  数据库完整性、外键：发现 1 个问题" in report.lines()
    assert report.technical  # SQLite's own words are kept for the support staff
    assert_plain(report.lines())


@pytest.mark.parametrize(
    ("revision", "expected"),
    [
        ("0003_rounds", "数据版本 3（本程序使用数据版本 4，打开时会自动升级）"),
        ("0004_commitments_stars", "数据版本 4（最新）"),
        (None, "数据版本：（空白数据文件）"),
    ],
)
def test_the_data_version_reads_as_a_number(revision: str | None, expected: str) -> None:
    assert version_text(revision, "0004_commitments_stars") == expected


def test_a_score_whose_judge_is_gone_names_the_round(township: Core) -> None:
    path = township.folder.database.path
    ((judge_id,),) = query(path, "SELECT id FROM round_judges ORDER BY id LIMIT 1")
    sql(path, "PRAGMA foreign_keys = OFF", f"DELETE FROM round_judges WHERE id = {judge_id}")
    (problem,) = township.check().integrity
    label = "2024年第一季度村党组织书记“亮赛比”逐村观摩评比"
    assert problem == (
        f"3 条评分“{label} 王庄村 基层党建”、“{label} 刘堌堆村 基层党建”、“{label} 东关社区 基层党建”"
        "所属的评委已不存在（数据之间的对应关系断开）"
    )
    assert_plain([problem])
