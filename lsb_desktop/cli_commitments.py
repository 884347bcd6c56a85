"""The `commitments` commands of the command line: import a commitments file (previewed, all or
nothing) and export the 年度承诺事项公示表 with the township 完成情况汇总表."""

from __future__ import annotations

import sys
from datetime import date

from lsb_desktop.errors import ValidationError

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_commitments_command(core, args) -> int:
    if args.action == "import":
        return _import(core, args)
    if args.action == "export":
        return _export(core, args)
    raise ValidationError(f"未知的操作 {args.action}")


def _import(core, args) -> int:
    preview = core.commitments.preview_import(args.file, args.year)
    for note in preview.notes:
        _err(f"提示：{note}")
    if not preview.ok:
        if preview.problems:
            _err(f"错误：承诺事项表“{args.file.name}”有 {len(preview.problems)} 个问题，未导入任何数据：")
            for line in preview.problems:
                _err(f"  {line}")
        else:
            _err(f"错误：承诺事项表“{args.file.name}”中没有可导入的承诺事项")
        return EXIT_BAD_INPUT
    for row in preview.rows:
        draft = row.draft
        assert draft is not None
        detail = "；".join(row.changes)
        _out(f"工作表“{row.sheet}”第 {row.row} 行 {row.unit_name} {draft.year}年第{draft.number}项："
             f"{row.action}" + (f"（{detail}）" if detail else ""))
    summary = (f"新增 {preview.count_new} 项，更新 {preview.count_changed} 项，"
               f"不变 {preview.count_unchanged} 项")
    if args.dry_run:
        _out(f"预览：{summary}；未写入任何数据（--dry-run）")
        return EXIT_OK
    written = core.commitments.apply_import(preview)
    _out(f"导入完成：{summary}（写入 {written} 项）")
    return EXIT_OK


def _export(core, args) -> int:
    from lsb_desktop.io.commitment_sheets import write_commitment_workbook  # openpyxl: only here

    year = args.year
    commitments = core.commitments.list_commitments(year)
    if not commitments:
        raise ValidationError(f"{year} 年还没有承诺事项，没有可导出的公示表")
    settings = core.settings.township()
    if not settings.township_name:
        _err("提示：尚未设置乡镇名称，使用“XX镇”代替（在程序的 文件 → 乡镇信息 中设置）")
    day = min(date(year, 12, 31), date.today())  # as the summary counts a past year
    summary = core.commitments.summary(year, day)
    secretaries = {unit.id: unit.secretary for unit in core.villages.list_units(on=day) if unit.secretary}
    write_commitment_workbook(
        args.output, year=year, township=settings.township_or_placeholder,
        committee=settings.committee_or_placeholder, commitments=commitments, summary=summary,
        paper=args.paper, on=day, secretaries=secretaries,
    )
    units = len({item.unit_id for item in commitments})
    _out(f"已导出 {year} 年承诺事项公示表（{units} 个村（社区），{len(commitments)} 项）"
         f"和完成情况汇总表到 {args.output.resolve()}")
    return EXIT_OK
