"""Issue 12, point 3: hostile .xlsx files through every importer, in-process.

The corpus is built by the tests (tests/hostile_files.py), once per module: zip bombs, many
parts, sizes that lie, billion laughs and external entities, far and wide and long sheets,
merged blocks over the whole sheet, encrypted and renamed files, huge strings, NUL and
control characters, NaN/infinity/1e308 in the XML. Each goes through every reader (roster,
score files, scheme, commitments, 五星 plan) and must end in a Chinese ValidationError (with
sheet, row and column where one applies) with bounded memory: never a traceback.
tests/e2e/test_hostile_import_commands.py runs a subset through the real program."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hostile_files import build_corpus, build_sheet_cases, simple_xlsx
from openpyxl import Workbook

from lsb_desktop.domain.score_files import ScoreContext
from lsb_desktop.domain.scoring import DEFAULT_SCHEME
from lsb_desktop.errors import ValidationError
from lsb_desktop.io import xlsx_guard as limits
from lsb_desktop.io.commitments_import import read_commitments
from lsb_desktop.io.roster import read_roster
from lsb_desktop.io.scheme import read_scheme
from lsb_desktop.io.scores import read_score_file
from lsb_desktop.io.star_sheets import read_star_plan

JUDGES = ("甲", "乙", "丙")
UNITS = ("东关村", "西河社区")
CONTEXT = ScoreContext(JUDGES, UNITS, DEFAULT_SCHEME)
FIRST = DEFAULT_SCHEME.components[0].criteria[0]  # 基层党建, 25 points
# Python allocations while one importer reads one hostile file (tracemalloc). The child
# process's whole RSS is bounded at 300 MB in the e2e test; in-process the guard must keep
# the reading itself to a few MB.
MAX_TRACED_BYTES = 40 * 1024 * 1024

IMPORTERS: dict[str, Callable[[Path], object]] = {
    "roster": read_roster,
    "scores": lambda path: read_score_file(path, CONTEXT),
    "scheme": read_scheme,
    "commitments": read_commitments,
    "stars": read_star_plan,
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


def _read_traced(importer: str, path: Path) -> tuple[object, int]:
    tracemalloc.start()
    try:
        try:
            result = IMPORTERS[importer](path)
        except ValidationError as exc:
            result = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


CASES = [
    "bomb_part",
    "bomb_ratio",
    "many_parts",
    "declared_total",
    "declared_huge",
    "many_sheets",
    "laughs_sheet",
    "laughs_strings",
    "external_entity",
    "undeclared_entity",
    "nul",
    "control",
    "far_cell",
    "far_empty_cell",
    "columns_16384",
    "rows_100000",
    "wide_rectangle",
    "merged_whole_sheet",
    "hyperlink_range",
    "huge_inline_string",
    "huge_shared_string",
    "number_nan",
    "number_inf",
    "number_minus_inf",
    "number_e400",
    "number_digits",
    "encrypted",
    "old_xls",
    "pdf",
    "png",
    "text",
    "empty",
    "truncated",
    "word",
    "opendocument",
    "lzma",
]


def test_the_corpus_lists_every_case(corpus) -> None:
    assert sorted(CASES) == sorted(corpus)
    assert all(path.stat().st_size <= limits.MAX_FILE_BYTES for path, _ in corpus.values())


@pytest.mark.parametrize("case", CASES)
def test_every_importer_refuses_a_hostile_file_in_chinese(corpus, case: str) -> None:
    path, fragment = corpus[case]
    for index, importer in enumerate(IMPORTERS):
        # Every importer opens the file through the same guard: memory is traced once (tracing
        # slows the reading of the largest files several times over).
        if index == 0:
            result, peak = _read_traced(importer, path)
            assert peak <= MAX_TRACED_BYTES, (importer, case, peak)
        else:
            try:
                result = IMPORTERS[importer](path)
            except ValidationError as exc:
                result = exc
        assert isinstance(result, ValidationError), (importer, case, result)
        message = result.message
        assert fragment in message, (importer, case, message)
        assert message.startswith(f"无法读取文件“{path.name}”："), message


@pytest.mark.parametrize(
    "case", ["far_cell", "columns_16384", "rows_100000", "huge_inline_string", "number_nan", "merged_whole_sheet"]
)
def test_a_refusal_inside_a_sheet_names_the_sheet(corpus, case: str) -> None:
    path, _ = corpus[case]
    with pytest.raises(ValidationError, match="工作表“评分”"):
        read_roster(path)


def test_the_far_cell_message_says_what_to_do(corpus) -> None:
    with pytest.raises(ValidationError) as raised:
        read_score_file(corpus["far_cell"][0], CONTEXT)
    assert raised.value.message == (
        f"无法读取文件“case-far_cell.xlsx”：工作表“评分”第 1048576 行、第 XFD 列有内容或格式，超出了本程序"
        f"能读取的范围（最多 {limits.MAX_ROWS} 行、{limits.MAX_COLUMNS} 列），请删去多余的内容后再导入"
    )


# ---------------------------------------------------------------------------- numbers

BAD_SCORES = [
    (1e308, "太大"),
    (-1e308, "太大"),
    (("n", "1E+300"), "太大"),
    (1e-320, "超过两位小数"),
    ("1e999999999999", "太大"),
    ("NaN", "不是数字"),
    ("inf", "不是数字"),
    ("-Infinity", "不是数字"),
    ("9" * 5000, "太长"),
    (25.01, "超过“基层党建”的满分"),
    (-1, "小于 0"),
    ("８５分", "超过"),
]


def _flat(path: Path, value: object) -> Path:
    return simple_xlsx(path, [["评委", "村（社区）", "指标", "得分"], ["甲", "东关村", FIRST.name, value]])


def _judge_sheet(path: Path, value: object) -> Path:
    return simple_xlsx(path, [["村（社区）", f"{FIRST.name}（25分）"], ["东关村", value]], title="甲")


@pytest.mark.parametrize(("layout", "column"), [(_flat, "D"), (_judge_sheet, "B")])
@pytest.mark.parametrize(("value", "fragment"), BAD_SCORES)
def test_a_score_out_of_range_or_not_a_number_is_a_located_problem(
    tmp_path: Path, layout, column: str, value: object, fragment: str
) -> None:
    read = read_score_file(layout(tmp_path / "分数.xlsx", value), CONTEXT)
    assert read.entries == ()
    assert len(read.problems) == 1, read.problems
    problem = read.problems[0]
    assert (problem.row, problem.column) == (2, column)
    assert fragment in problem.message
    assert len(problem.message) < 120  # a 5,000-digit value is not quoted whole


@pytest.mark.parametrize("value", [("n", "-0"), -0.0, "-0", "－０"])
def test_minus_zero_is_the_score_zero(tmp_path: Path, value: object) -> None:
    read = read_score_file(_flat(tmp_path / "分数.xlsx", value), CONTEXT)
    assert read.problems == ()
    assert [str(e.points) for e in read.entries] == ["0.00"]


@pytest.mark.parametrize(
    ("weight", "maximum", "fragment"),
    [
        (1e308, 25, "权重“1e+308”太大"),
        ("NaN", 25, "权重“NaN”不是数字"),
        ("0.7", "1e999999999", "满分“1e999999999”太大"),
        ("0.7", "inf", "满分“inf”不是数字"),
    ],
)
def test_a_scheme_refuses_weights_and_maxima_that_are_no_numbers(
    tmp_path: Path, weight: object, maximum: object, fragment: str
) -> None:
    path = simple_xlsx(
        tmp_path / "方案.xlsx", [["项目", "权重", "指标", "满分"], ["实地观摩", weight, "基层党建", maximum]]
    )
    with pytest.raises(ValidationError) as raised:
        read_scheme(path)
    place = "B列（权重）" if fragment.startswith("权重") else "D列（满分）"
    assert [line for line in raised.value.details if fragment in line] == [
        line for line in raised.value.details if line.startswith(f"工作表“Sheet1”第2行 {place}：")
    ], raised.value.details
    assert any(fragment in line for line in raised.value.details), raised.value.details
    assert not any("没有填写权重" in line for line in raised.value.details)


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("序号", 1e308, "太大，最多 9 位"),
        ("序号", "9" * 5000, "太大，最多 9 位"),
        ("序号", ("n", "-0"), "应为正整数"),
        ("年度", 1e308, "应为 2000–2100"),
        ("完成时限", 1e308, "完成时限"),
        ("完成时限", 10**30, "完成时限"),
        ("完成日期", -1e308, "完成日期"),
    ],
)
def test_commitment_numbers_of_any_size_are_located_problems(
    tmp_path: Path, column: str, value: object, fragment: str
) -> None:
    header = ["村（社区）", "承诺事项", column]
    read = read_commitments(simple_xlsx(tmp_path / "承诺.xlsx", [header, ["东关村", "修路", value]]))
    assert read.rows == ()
    assert [(p.row, p.column) for p in read.problems] == [(2, column)], read.problems
    assert fragment in read.problems[0].message
    assert len(read.problems[0].message) < 120


@pytest.mark.parametrize("value", [1e308, ("n", "1E-300"), 10**30, -1e308])
def test_roster_numbers_of_any_size_are_located_problems(tmp_path: Path, value: object) -> None:
    header = ["序号", "村（社区）名称", "党组织书记", "任职时间"]
    read = read_roster(simple_xlsx(tmp_path / "名册.xlsx", [header, [value, "东关村", "张三", value]]))
    assert read.rows == ()
    assert [(p.row, p.column) for p in read.problems] == [(2, "D")], read.problems
    assert len(read.problems[0].message) < 120


@pytest.mark.parametrize("value", [1e308, 10**30, "9" * 5000, "1e999999999"])
def test_a_roster_order_of_any_size_is_left_out_as_a_sort_hint(tmp_path: Path, value: object) -> None:
    read = read_roster(simple_xlsx(tmp_path / "名册.xlsx", [["序号", "村（社区）名称"], [value, "东关村"]]))
    assert read.problems == ()
    assert [(row.name, row.display_order) for row in read.rows] == [("东关村", None)]


@pytest.mark.parametrize("value", [1e308, ("n", "1E+300"), "9" * 5000])
def test_star_plan_marks_of_any_size_are_located_problems(tmp_path: Path, value: object) -> None:
    read = read_star_plan(simple_xlsx(tmp_path / "计划.xlsx", [["村（社区）", "支部过硬星"], ["东关村", value]]))
    assert read.rows == ()
    assert len(read.problems) == 1 and read.problems[0].startswith("工作表“Sheet1”第 2 行“支部过硬星”")
    assert len(read.problems[0]) < 200


# ---------------------------------------------------------------------------- what passes


def test_a_file_at_the_township_scale_passes_the_limits(tmp_path: Path) -> None:
    """7 judges x 60 units x every criterion, one row per score, and the judge sheets."""
    rows = [["评委", "村（社区）", "指标", "得分"]]
    criteria = [c.name for comp in DEFAULT_SCHEME.components for c in comp.criteria]
    judges = [f"评委{i}" for i in range(7)]
    units = [f"第{i}村" for i in range(60)]
    rows += [[j, u, c, 10] for j in judges for u in units for c in criteria]
    path = simple_xlsx(tmp_path / "一览表.xlsx", rows)
    read = read_score_file(path, ScoreContext(tuple(judges), tuple(units), DEFAULT_SCHEME))
    assert read.problems == ()
    assert len(read.entries) == len(rows) - 1
    assert read.entries[0].points == Decimal(10)


# ---------------------------------------------------------------------------- sheets and names
SHEET_CASES = [
    "judge_header_on_row_30",
    "judge_sheet_hidden",
    "judge_sheet_very_hidden",
    "roster_sheet_hidden",
    "roster_two_sheets",
    "roster_zero_width_space",
    "roster_right_to_left_override",
    "roster_escape",
    "roster_date_as_name",
    "roster_date_as_district",
    "roster_error_as_secretary",
    "scheme_ref",
    "scheme_n_a_text",
    "scheme_date",
    "scheme_control_escape",
    "scheme_32767_name",
    "scheme_100000_name",
    "roster_100000_note",
]
# Issue 19, points 1, 2 and 4: every sheet is read or reported, garbage and look-alike names are
# refused or folded, and a refused value is quoted short. The same files go through the real
# program in tests/e2e/test_hostile_import_commands.py (exit 2, nothing written).

SHEET_READERS: dict[str, Callable[[Path], list[str]]] = {
    "round": lambda path: [f"{p.where()}：{p.message}" for p in read_score_file(path, CONTEXT).problems],
    "villages": lambda path: [f"{p.where()}：{p.message}" for p in read_roster(path).problems],
    "scheme": lambda path: [str(read_scheme(path))],
}


@pytest.fixture(scope="module")
def sheet_cases(tmp_path_factory) -> dict[str, tuple[str, Path, str]]:
    return build_sheet_cases(tmp_path_factory.mktemp("sheets"))


@pytest.mark.parametrize("case", SHEET_CASES)
def test_a_sheet_or_name_case_is_a_located_short_problem(sheet_cases, case: str) -> None:
    importer, path, fragment = sheet_cases[case]
    try:
        lines = SHEET_READERS[importer](path)
    except ValidationError as exc:
        lines = [exc.message, *exc.details]
    assert any(fragment in line for line in lines), lines
    # A 100,000-character value (or a 32,767-character one) is never echoed whole.
    assert all(len(line) < 300 for line in lines), [len(line) for line in lines]


def test_the_sheet_cases_are_all_listed(sheet_cases) -> None:
    assert sorted(sheet_cases) == sorted(SHEET_CASES)


def _judge_sheet_rows(header_row: int = 1) -> list[list[object]]:
    return [[f"说明{i}"] for i in range(1, header_row)] + [
        ["村（社区）", f"{FIRST.name}（25分）"],
        ["东关村", 20],
        ["西河社区", 21],
    ]


def _book(path: Path, sheets: list[tuple[str, list[list[object]], str]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    book.save(path)
    return path


def test_a_judge_sheet_whose_header_is_too_low_blocks_the_whole_file(tmp_path: Path) -> None:
    """920 scores imported as 736 with exit 0: a judge's whole sheet was silently skipped."""
    path = _book(
        tmp_path / "评分.xlsx", [("甲", _judge_sheet_rows(), "visible"), ("乙", _judge_sheet_rows(30), "visible")]
    )
    read = read_score_file(path, CONTEXT)
    assert not read.ok
    assert [(p.sheet, p.row, p.column) for p in read.problems] == [("乙", 31, "A")]
    assert len(read.entries) == 2  # 甲's scores are read, but the file as a whole is refused


def test_a_sheet_named_after_a_judge_without_a_header_blocks(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "评分.xlsx",
        [("甲", _judge_sheet_rows(), "visible"), ("乙", [["（评委乙的表格粘贴在这里）"], [18, 19, 20]], "visible")],
    )
    read = read_score_file(path, CONTEXT)
    assert [p.where() for p in read.problems] == ["工作表“乙”"]
    assert "但工作表名称“乙”是本轮的评委" in read.problems[0].message


def test_empty_and_instruction_sheets_are_left_out_and_said_so(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "评分.xlsx",
        [
            ("填表说明", [["请每位评委填写一个工作表，分数保留一位小数。"]], "visible"),
            ("甲", _judge_sheet_rows(), "visible"),
            ("空表", [], "visible"),
            ("旧说明", [["作废"]], "hidden"),
        ],
    )
    read = read_score_file(path, CONTEXT)
    assert read.ok, read.problems
    assert "工作表“填表说明”不是评分表（没有表头，也没有本轮参评的村（社区）），已忽略" in read.notes
    assert "工作表“空表”是空的，已忽略" in read.notes
    assert any(note.startswith("工作表“旧说明”是隐藏的工作表") and note.endswith("已忽略") for note in read.notes)
    assert "工作表“甲”：评委甲，2 个分数" in read.notes


def test_a_hidden_commitments_or_plan_sheet_is_refused(tmp_path: Path) -> None:
    commitments = _book(
        tmp_path / "承诺.xlsx",
        [
            ("承诺", [["村（社区）", "承诺事项"], ["东关村", "修路"]], "visible"),
            ("旧表", [["村（社区）", "承诺事项"], ["东关村", "建桥"]], "hidden"),
        ],
    )
    read = read_commitments(commitments)
    assert [(p.sheet, p.row) for p in read.problems] == [("旧表", None)]
    assert "隐藏的工作表" in read.problems[0].message and [r.content for r in read.rows] == ["修路"]
    plan = _book(
        tmp_path / "计划.xlsx",
        [("计划", [["村（社区）", "支部过硬星"], ["东关村", "✓"]], "veryHidden"), ("说明", [["见隐藏表"]], "visible")],
    )
    stars = read_star_plan(plan)
    assert stars.rows == () and len(stars.problems) == 1
    assert stars.problems[0].startswith("工作表“计划”是“深度隐藏”的工作表")


def test_an_invisible_character_does_not_make_a_second_name(tmp_path: Path) -> None:
    """Look-alikes fold into the name they look like, in every reader."""
    roster = read_roster(
        simple_xlsx(
            tmp_path / "名册.xlsx", [["村（社区）名称", "党组织书记"], ["\ufeff东关\u200d村\u00ad", "张\u2060三\u200e"]]
        )
    )
    assert roster.problems == ()
    assert [(r.name, r.secretary) for r in roster.rows] == [("东关村", "张三")]
    flat = read_score_file(
        simple_xlsx(
            tmp_path / "分数.xlsx",
            [["评委", "村（社区）", "指标", "得分"], ["甲\u200b", "东\u202e关村", FIRST.name, 20]],
        ),
        CONTEXT,
    )
    assert flat.problems == ()
    assert [(e.judge, e.unit) for e in flat.entries] == [("甲", "东关村")]


def test_two_stored_names_that_look_alike_stop_a_score_import(tmp_path: Path) -> None:
    """Names stored before issue 19 are not rewritten: a round can hold 东关村 twice, once with
    a zero-width space. A score for 东关村 could go to either, so nothing is read."""
    context = ScoreContext(JUDGES, ("东关村", "东关\u200b村", "西河社区"), DEFAULT_SCHEME)
    read = read_score_file(_flat(tmp_path / "分数.xlsx", 20), context)
    assert read.entries == ()
    assert [p.message for p in read.problems] == [
        "本轮参评的村（社区）中有两个名称看起来都是“东关村”（其中一个含有看不见的字符），"
        "无法按名称对应分数：请先把其中一个改名后再导入"
    ]


def test_a_file_whose_only_score_sheet_has_its_header_too_low_says_where(tmp_path: Path) -> None:
    path = _book(tmp_path / "评分.xlsx", [("乙", _judge_sheet_rows(25), "visible")])
    read = read_score_file(path, CONTEXT)
    assert read.entries == ()
    assert [(p.sheet, p.row, p.column) for p in read.problems] == [("", None, ""), ("乙", 26, "A")]
    assert read.problems[0].message.startswith("没有找到评分数据")
