"""Hostile .xlsx files built byte by byte for the import tests: nothing binary is committed.

A minimal but valid workbook is written with zipfile, so a test can put into its XML exactly
what a hostile or damaged file holds (a cell at XFD1048576, a DOCTYPE, `<v>NaN</v>`), which
openpyxl itself would never write."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

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
        cells = "".join(cell_xml(number, column, value)
                        for column, value in enumerate(values, start=1) if value is not None)
        parts.append(f'<row r="{number}">{cells}</row>')
    return "".join(parts)


def sheet_xml(body: str, *, prolog: str = "", dimension: str = "", after: str = "") -> str:
    """A worksheet part around `body` (the <row> elements); `prolog` goes before the root
    element (a DOCTYPE), `after` after </sheetData> (mergeCells, hyperlinks)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">{dim}<sheetData>{body}</sheetData>'
            f"{after}</worksheet>")


def write_xlsx(path: Path, sheets: Sequence[tuple[str, str | bytes]], *,
               shared_strings: str | None = None, extra: Sequence[tuple[str, bytes | str]] = (),
               compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A workbook whose sheets are (title, worksheet XML) in order; `extra` adds parts as
    they are (name, content), e.g. a bloated part or one an .xlsx never holds."""
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>']
    sheet_entries, rels = [], []
    for index, (title, _) in enumerate(sheets, start=1):
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{index}.xml" '
                         f'ContentType="{_CT}.worksheet+xml"/>')
        sheet_entries.append(f'<sheet name={quoteattr(title)} sheetId="{index}" r:id="rId{index}"/>')
        rels.append(f'<Relationship Id="rId{index}" Type="{_REL_NS}/worksheet" '
                    f'Target="worksheets/sheet{index}.xml"/>')
    if shared_strings is not None:
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" '
                         f'ContentType="{_CT}.sharedStrings+xml"/>')
        rels.append(f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL_NS}/sharedStrings" '
                    'Target="sharedStrings.xml"/>')
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>")
    root_rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
                 f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                 "</Relationships>")
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>{"".join(sheet_entries)}</sheets></workbook>')
    workbook_rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     f'<Relationships xmlns="{_PKG_REL}">{"".join(rels)}</Relationships>')
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


def simple_xlsx(path: Path, rows: Sequence[Sequence[object]], title: str = "Sheet1",
                **options: object) -> Path:
    """One sheet holding `rows` from A1 (see cell_xml for how values are written)."""
    return write_xlsx(path, [(title, sheet_xml(rows_xml(rows)))], **options)


def shared_strings_xml(strings: Sequence[str], *, prolog: str = "") -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')
