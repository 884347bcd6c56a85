"""Hostile .xlsx files built byte by byte for the import tests: nothing binary is committed.

A minimal but valid workbook is written with zipfile, so a test can put into its XML exactly
what a hostile or damaged file holds (a cell at XFD1048576, a DOCTYPE, `<v>NaN</v>`), which
openpyxl itself would never write."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

from lsb_desktop.io import xlsx_guard as limits

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def cell_xml(row: int, column: int, value: object) -> str:
    """One <c> element: str as an inline string, int/float as a number, a raw tuple
    ("n", "NaN") as the exact text of <v> with that type."""
    ref = f"{get_column_letter(column)}{row}"
    if value is None:
        return f'<c r="{ref}"/>'
    if isinstance(value, tuple):
        kind, text = value
        return f'<c r="{ref}" t="{kind}"><v>{text}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[Sequence[object]], first_row: int = 1) -> str:
    parts = []
    for number, values in enumerate(rows, start=first_row):
        cells = "".join(
            cell_xml(number, column, value) for column, value in enumerate(values, start=1) if value is not None
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    return "".join(parts)


def sheet_xml(body: str, *, prolog: str = "", dimension: str = "", after: str = "") -> str:
    """A worksheet part around `body` (the <row> elements); `prolog` goes before the root
    element (a DOCTYPE), `after` after </sheetData> (mergeCells, hyperlinks)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">{dim}<sheetData>{body}</sheetData>'
        f"{after}</worksheet>"
    )


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, str | bytes]],
    *,
    shared_strings: str | None = None,
    extra: Sequence[tuple[str, bytes | str]] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A workbook whose sheets are (title, worksheet XML) in order; `extra` adds parts as
    they are (name, content), e.g. a bloated part or one an .xlsx never holds."""
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>']
    sheet_entries, rels = [], []
    for index, (title, _) in enumerate(sheets, start=1):
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="{_CT}.worksheet+xml"/>')
        sheet_entries.append(f'<sheet name={quoteattr(title)} sheetId="{index}" r:id="rId{index}"/>')
        rels.append(f'<Relationship Id="rId{index}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{index}.xml"/>')
    if shared_strings is not None:
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>')
        rels.append(
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>{"".join(sheet_entries)}</sheets></workbook>'
    )
    workbook_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_PKG_REL}">{"".join(rels)}</Relationships>'
    )
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for index, (_, xml) in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{index}.xml", xml)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        for name, content in extra:
            archive.writestr(name, content)
    return path


def simple_xlsx(path: Path, rows: Sequence[Sequence[object]], title: str = "Sheet1", **options: object) -> Path:
    """One sheet holding `rows` from A1 (see cell_xml for how values are written)."""
    return write_xlsx(path, [(title, sheet_xml(rows_xml(rows)))], **options)


def shared_strings_xml(strings: Sequence[str], *, prolog: str = "") -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


# ---------------------------------------------------------------------------- the corpus

# A header every importer reads from (a flat score table, a roster's name column, commitments,
# a star plan, a scheme), so that without the limits each would go on to read the rows.
HEADER = ["评委", "村（社区）", "指标", "得分", "承诺事项", "支部过硬星", "项目", "权重", "满分"]
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


# A million different-looking characters: a real long text, not one a zip squeezes 1000 times.
def _megabyte_of_text() -> str:
    return "".join(chr(0x4E00 + (i * 7919) % 20_000) for i in range(1_000_000))


XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _patch_sizes(path: Path, declared: int, *, compressed: bool = False) -> Path:
    """Make every part's declared inflated size (and with `compressed` its compressed size
    too) `declared`, in the central directory and the local headers, as a crafted file would."""
    data = bytearray(path.read_bytes())
    fields = [(b"PK\x01\x02", 24), (b"PK\x03\x04", 22)]
    if compressed:
        fields += [(b"PK\x01\x02", 20), (b"PK\x03\x04", 18)]
    for signature, offset in fields:
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset : start + offset + 4] = declared.to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    return path


def _sheet_with(body: str, **options: str) -> list[tuple[str, str]]:
    return [("评分", sheet_xml(rows_xml([HEADER]) + body, **options))]


def build_corpus(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a fragment the message must hold)."""
    files: dict[str, tuple[Path, str]] = {}

    def add(name: str, fragment: str, make: Callable[[Path], Path]) -> None:
        # "case-" first: names such as nul, con or aux are devices on Windows, never files.
        files[name] = (make(folder / f"case-{name}.xlsx"), fragment)

    # -- the zip
    add(
        "bomb_part",
        "解压后有",
        lambda p: write_xlsx(p, _sheet_with(""), extra=[("xl/media/bomb.bin", b"\0" * (limits.MAX_PART_BYTES + 1))]),
    )
    add(
        "bomb_ratio",
        "压缩炸弹",
        lambda p: write_xlsx(p, _sheet_with(""), extra=[("xl/worksheets/sheet9.xml", b" " * (8 * 1024 * 1024))]),
    )
    add(
        "many_parts",
        "个部分组成",
        lambda p: write_xlsx(
            p, _sheet_with(""), extra=[(f"xl/extra/{i}.xml", b"<a/>") for i in range(limits.MAX_PARTS + 1)]
        ),
    )
    add(
        "declared_total",
        "解压后共有",
        lambda p: _patch_sizes(
            write_xlsx(
                p,
                _sheet_with(""),
                extra=[(f"xl/extra/{i}.bin", b"x") for i in range(6)],
                compression=zipfile.ZIP_STORED,
            ),
            limits.MAX_PART_BYTES - 1,
            compressed=True,
        ),
    )
    add("declared_huge", "解压后有", lambda p: _patch_sizes(simple_xlsx(p, [HEADER]), 3 * 1024**3))
    add(
        "many_sheets",
        "工作表超过",
        lambda p: write_xlsx(p, [(f"表{i}", sheet_xml("")) for i in range(limits.MAX_SHEETS + 1)]),
    )
    # -- XML
    add(
        "laughs_sheet",
        "DTD",
        lambda p: write_xlsx(
            p, _sheet_with(f'<row r="2">{cell_xml(2, 1, "&lol9;")}</row>'.replace("&amp;", "&"), prolog=LAUGHS)
        ),
    )
    add(
        "laughs_strings",
        "DTD",
        lambda p: write_xlsx(
            p,
            _sheet_with('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
            shared_strings=shared_strings_xml(["&lol9;"], prolog=LAUGHS).replace("&amp;", "&"),
        ),
    )
    add(
        "external_entity",
        "DTD",
        lambda p: write_xlsx(
            p, _sheet_with(f'<row r="2">{cell_xml(2, 1, "&xxe;")}</row>'.replace("&amp;", "&"), prolog=XXE)
        ),
    )
    add(
        "undeclared_entity",
        "未声明的实体",
        lambda p: write_xlsx(p, _sheet_with(f'<row r="2">{cell_xml(2, 1, "&xxe;")}</row>'.replace("&amp;", "&"))),
    )
    add(
        "nul",
        "不允许的字符",
        lambda p: write_xlsx(p, [("评分", sheet_xml(rows_xml([HEADER, ["东关村"]])).replace("东关村", "东关\0村"))]),
    )
    add(
        "control",
        "不允许的字符",
        lambda p: write_xlsx(p, _sheet_with(""), shared_strings=shared_strings_xml(["甲\x01"])),
    )
    # -- what a sheet holds
    add(
        "far_cell",
        "第 1048576 行、第 XFD 列",
        lambda p: write_xlsx(
            p, _sheet_with(f'<row r="1048576">{cell_xml(1048576, 16384, 1)}</row>', dimension="A1:XFD1048576")
        ),
    )
    add(
        "far_empty_cell",
        "第 1048576 行、第 XFD 列",
        lambda p: write_xlsx(p, _sheet_with('<row r="1048576"><c r="XFD1048576" s="0"/></row>')),
    )
    add(
        "columns_16384",
        f"第 2 行、第 {limits.column_letters(limits.MAX_COLUMNS + 1)} 列",
        lambda p: write_xlsx(
            p, _sheet_with('<row r="2">' + "".join(f"<c><v>{i}</v></c>" for i in range(16384)) + "</row>")
        ),
    )
    add(
        "rows_100000",
        f"第 {limits.MAX_ROWS + 1} 行",
        lambda p: write_xlsx(
            p, _sheet_with("".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(2, 100_001)))
        ),
    )
    add(
        "wide_rectangle",
        "个单元格",
        lambda p: write_xlsx(
            p, _sheet_with(f'<row r="{limits.MAX_ROWS}"><c r="GR{limits.MAX_ROWS}"><v>1</v></c></row>')
        ),
    )
    add(
        "merged_whole_sheet",
        "合并单元格 A1:XFD1048576",
        lambda p: write_xlsx(
            p, _sheet_with("", after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')
        ),
    )
    add(
        "hyperlink_range",
        "超链接范围",
        lambda p: write_xlsx(
            p, _sheet_with("", after='<hyperlinks><hyperlink ref="A1:XFD1048576" display="x"/></hyperlinks>')
        ),
    )
    add(
        "huge_inline_string",
        "第 2 行、第 A 列的单元格超过 32767 个字",
        lambda p: write_xlsx(p, _sheet_with(f'<row r="2">{cell_xml(2, 1, _megabyte_of_text())}</row>')),
    )
    add(
        "huge_shared_string",
        "第 2 行、第 A 列的单元格超过 32767 个字",
        lambda p: write_xlsx(
            p,
            _sheet_with('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
            shared_strings=shared_strings_xml([_megabyte_of_text()]),
        ),
    )
    for label, text in (
        ("nan", "NaN"),
        ("inf", "inf"),
        ("minus_inf", "-INF"),
        ("e400", "1e400"),
        ("digits", "9" * 400),
    ):
        add(
            f"number_{label}",
            "第 2 行、第 E 列的数值",
            lambda p, text=text: write_xlsx(p, _sheet_with(f'<row r="2">{cell_xml(2, 5, ("n", text))}</row>')),
        )
    # -- not an .xlsx at all
    add(
        "encrypted",
        "密码",
        lambda p: _write(
            p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 500
        ),
    )
    add("old_xls", ".xls", lambda p: _write(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000))
    add("pdf", "不是有效的 Excel 文件", lambda p: _write(p, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"))
    add("png", "不是有效的 Excel 文件", lambda p: _write(p, b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    add("text", "不是有效的 Excel 文件", lambda p: _write(p, "村（社区）名称,得分\n东关村,85\n".encode()))
    add("empty", "不是有效的 Excel 文件", lambda p: _write(p, b""))
    add(
        "truncated",
        "不是有效的 Excel 文件",
        lambda p: _write(p, simple_xlsx(folder / "whole.xlsx", [HEADER]).read_bytes()[:300]),
    )
    add("word", "Word 文档", lambda p: _zip(p, {"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"}))
    add(
        "opendocument",
        "OpenDocument",
        lambda p: _zip(p, {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
    )
    add("lzma", "压缩方式", lambda p: write_xlsx(p, _sheet_with(""), compression=zipfile.ZIP_LZMA))
    return files


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path, parts: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


# ---------------------------------------------------------------------------- sheets and names

# Issue 19, points 1, 2 and 4: files that open but must not be half-imported or let garbage and
# look-alike names in. Plain workbooks (openpyxl writes them as Excel would), except where a
# cell is longer than openpyxl writes (it cuts at 32,767 characters without a word).
# name -> (importer, file, a fragment the located message must hold)
SheetCase = tuple[str, Path, str]

JUDGE_HEADER = ["序号", "村（社区）", "基层党建（25分）", "产业发展（25分）"]
LONG_TEXT = "长" * 100_000


def _workbook(path: Path, sheets: Sequence[tuple[str, Sequence[Sequence[object]], str]]) -> Path:
    """Sheets as (title, rows from A1, state: visible | hidden | veryHidden)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        sheet.sheet_state = state
    book.save(path)
    return path


def _judge_rows(header_row: int = 1) -> list[list[object]]:
    """A judge's sheet for the units 东关村 and 西河社区, its header on `header_row`."""
    title = [[f"说明第{i}行"] for i in range(1, header_row)]
    return title + [JUDGE_HEADER, [1, "东关村", 20, 21], [2, "西河社区", 22, 23]]


def _roster(path: Path, *rows: Sequence[object], header: Sequence[str] = ("村（社区）名称", "管区")) -> Path:
    return _workbook(path, [("名册", [list(header), *rows], "visible")])


def _scheme(path: Path, component: object, criterion: object) -> Path:
    return _workbook(path, [("方案", [["项目", "权重", "指标", "满分"], [component, 1, criterion, 25]], "visible")])


def build_sheet_cases(folder: Path) -> dict[str, SheetCase]:
    """The round's judges are 甲、乙、丙 and its units 东关村 and 西河社区; the register holds
    both (管区 东部管区)."""
    from datetime import datetime

    cases: dict[str, SheetCase] = {}

    def add(name: str, importer: str, fragment: str, make: Callable[[Path], Path]) -> None:
        cases[name] = (importer, make(folder / f"case-{name}.xlsx"), fragment)

    # -- point 1: every sheet read or reported
    add(
        "judge_header_on_row_30",
        "round",
        "工作表“乙” 第31行 B列：前 20 行中找不到评分表的表头，但表中有参评的村（社区）“东关村”：这个工作表的分数无法导入",
        lambda p: _workbook(
            p, [("甲", _judge_rows(), "visible"), ("乙", _judge_rows(30), "visible"), ("丙", _judge_rows(), "visible")]
        ),
    )
    add(
        "judge_sheet_hidden",
        "round",
        "工作表“乙”：工作表“乙”是隐藏的工作表（在 Excel 中右键点工作表标签，选“取消隐藏”可以看到），其中有评分表",
        lambda p: _workbook(p, [("甲", _judge_rows(), "visible"), ("乙", _judge_rows(), "hidden")]),
    )
    add(
        "judge_sheet_very_hidden",
        "round",
        "工作表“丙”：工作表“丙”是“深度隐藏”的工作表",
        lambda p: _workbook(p, [("甲", _judge_rows(), "visible"), ("丙", _judge_rows(), "veryHidden")]),
    )
    add(
        "roster_sheet_hidden",
        "villages",
        "工作表“旧名册”：工作表“旧名册”是隐藏的工作表",
        lambda p: _workbook(
            p,
            [
                ("名册", [["村（社区）名称"], ["东关村"]], "visible"),
                ("旧名册", [["村（社区）名称"], ["北岗村"]], "hidden"),
            ],
        ),
    )
    add(
        "roster_two_sheets",
        "villages",
        "工作表“二管区”：工作表“二管区”也是村（社区）名册",
        lambda p: _workbook(
            p,
            [
                ("一管区", [["村（社区）名称"], ["东关村"]], "visible"),
                ("二管区", [["村（社区）名称"], ["北岗村"]], "visible"),
            ],
        ),
    )
    # -- point 2: look-alike and garbage names
    add(
        "roster_zero_width_space",
        "villages",
        "工作表“名册” 第3行 A列（村（社区）名称）：村（社区）名称“东关村”与第2行重名",
        lambda p: _roster(p, ["东关村", "东部管区"], ["东关\u200b村", "东部管区"]),
    )
    add(
        "roster_right_to_left_override",
        "villages",
        "工作表“名册” 第3行 A列（村（社区）名称）：村（社区）名称“西河社区”与第2行重名",
        lambda p: _roster(p, ["西河社区", "东部管区"], ["\u202e西河社区\u202c", "东部管区"]),
    )
    add(
        "roster_escape",
        "villages",
        "工作表“名册” 第2行 A列（村（社区）名称）：村（社区）名称“东关_x0000_村”中有转义文字“_x0000_”",
        lambda p: _roster(p, ["东关_x0000_村", "东部管区"]),
    )
    add(
        "roster_date_as_name",
        "villages",
        "工作表“名册” 第2行 A列（村（社区）名称）：村（社区）名称是一个日期（2025-01-01）",
        lambda p: _roster(p, [datetime(2025, 1, 1), "东部管区"]),
    )
    add(
        "roster_date_as_district",
        "villages",
        "工作表“名册” 第2行 B列（管区）：管区名称是一个日期（2025-03-01）",
        lambda p: _roster(p, ["东关村", datetime(2025, 3, 1)]),
    )
    add(
        "roster_error_as_secretary",
        "villages",
        "工作表“名册” 第2行 B列（党组织书记）：党组织书记姓名是 Excel 的错误值“#NAME?”",
        # Typed text, not an error cell: openpyxl would store a bare "#NAME?" as one; the
        # zero-width space keeps it text, and the name check drops it before judging.
        lambda p: _roster(p, ["东关村", "#NAME?\u200b"], header=("村（社区）名称", "党组织书记")),
    )
    add(
        "scheme_ref",
        "scheme",
        "工作表“方案”第2行 C列（指标）：单元格是公式错误“#REF!”",
        lambda p: _scheme(p, "实地观摩", "#REF!"),
    )
    add(
        "scheme_n_a_text",
        "scheme",
        "工作表“方案”第2行 A列（项目）：项目名称是 Excel 的错误值“#N/A”",
        lambda p: _scheme(p, "#N/A\u200b", "基层党建"),
    )
    add(
        "scheme_date",
        "scheme",
        "工作表“方案”第2行 C列（指标）：指标名称是一个日期（2025-01-01）",
        lambda p: _scheme(p, "实地观摩", datetime(2025, 1, 1)),
    )
    add(
        "scheme_control_escape",
        "scheme",
        "工作表“方案”第2行 C列（指标）：指标名称“基层_x0001_党建”中有转义文字",
        lambda p: _scheme(p, "实地观摩", "基层_x0001_党建"),
    )
    add(
        "scheme_32767_name",
        "scheme",
        "工作表“方案”第2行 C列（指标）：指标名称“党党党党党党党党党党党党党党党党党党党党…”太长（32767 个字",
        lambda p: _scheme(p, "实地观摩", "党" * 32_767),
    )
    add(
        "scheme_100000_name",
        "scheme",
        "工作表“方案”第 2 行、第 C 列的单元格超过 32767 个字",
        lambda p: write_xlsx(
            p, [("方案", sheet_xml(rows_xml([["项目", "权重", "指标", "满分"], ["实地观摩", 1, LONG_TEXT, 25]])))]
        ),
    )
    # -- points 3 and 4: a 100,000-character note is refused before it is read, never echoed
    add(
        "roster_100000_note",
        "villages",
        "工作表“名册”第 2 行、第 B 列的单元格超过 32767 个字",
        lambda p: write_xlsx(p, [("名册", sheet_xml(rows_xml([["村（社区）名称", "备注"], ["东关村", LONG_TEXT]])))]),
    )
    return cases
