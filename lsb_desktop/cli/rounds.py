"""The `round` commands of the command line (create, list, show, sheets, import, rank, adjust,
correct, finalize); JSON on request, Chinese messages otherwise."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out, township, warn
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import AdjustmentType, RoundDetail, RoundResults
from lsb_desktop.domain.score_files import plain_points
from lsb_desktop.domain.scoring import TiePolicy, display_score
from lsb_desktop.domain.text import canonical_name, canonical_person, parse_date
from lsb_desktop.errors import ExitCode, NotFoundError, ValidationError

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    rounds = sub.add_parser("round", parents=[common], help="观摩评比：建立、导入评分、排名、定稿")
    rounds.set_defaults(run=run_round_command)
    actions = rounds.add_subparsers(dest="action", required=True, metavar="操作", parser_class=Parser)
    create = actions.add_parser("create", parents=[common], help="建立评比活动，最后一行打印编号")
    create.add_argument("--year", type=int, required=True)
    create.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
    create.add_argument("--title", default="")
    create.add_argument("--date", metavar="YYYY-MM-DD", help="观摩（活动）日期，可在下一季度")
    create.add_argument("--judges", default="", help="评委，用逗号或顿号分隔")
    create.add_argument("--red", type=int, default=0, help="红旗面数")
    create.add_argument("--black", type=int, default=0, help="黑旗面数")
    create.add_argument("--scheme", type=Path, metavar="FILE.xlsx", help="评分方案（默认用内置模板）")
    actions.add_parser("list", parents=[common], help="列出评比活动")
    show = actions.add_parser("show", parents=[common], help="显示评比活动")
    show.add_argument("round", metavar="ROUND")
    show.add_argument("--json", action="store_true")
    sheets = actions.add_parser("sheets", parents=[common], help="导出每位评委一张的空白评分表")
    sheets.add_argument("round", metavar="ROUND")
    sheets.add_argument("-o", "--output", type=Path, required=True)
    importing = actions.add_parser("import", parents=[common], help="导入评分（评委评分表或一行一分的表格）")
    importing.add_argument("round", metavar="ROUND")
    importing.add_argument("files", type=Path, nargs="+")
    importing.add_argument("--reason", default="", help="已定稿的评比需写明更正原因")
    ranking = actions.add_parser("rank", parents=[common], help="计算综合排名和红黑旗")
    ranking.add_argument("round", metavar="ROUND")
    ranking.add_argument("--json", action="store_true")
    ranking.add_argument(
        "--tie-policy",
        choices=["extend", "tiebreak"],
        help="未决定的旗位并列怎样处理（默认按评比自己的设置，未设置时 extend）",
    )
    adjust = actions.add_parser("adjust", parents=[common], help="加分、扣分或一票否决")
    adjust.add_argument("round", metavar="ROUND")
    adjust.add_argument("--unit", required=True)
    adjust.add_argument("--kind", required=True, choices=["加分", "扣分", "一票否决"])
    adjust.add_argument("--amount")
    adjust.add_argument("--reason", required=True)
    adjust.add_argument("--correction", default="", help="已定稿的评比需写明更正原因")
    correct = actions.add_parser("correct", parents=[common], help="更正一个评分（已定稿的评比需写明原因）")
    correct.add_argument("round", metavar="ROUND")
    correct.add_argument("--judge", required=True)
    correct.add_argument("--unit", required=True)
    correct.add_argument("--criterion", required=True)
    correct.add_argument("--score", required=True, help="新分数；空字符串表示清除")
    correct.add_argument("--reason", default="")
    finalize = actions.add_parser("finalize", parents=[common], help="定稿：冻结结果")
    finalize.add_argument("round", metavar="ROUND")
    finalize.add_argument(
        "--tie-policy",
        choices=["extend", "tiebreak"],
        help="旗位上有未决定的并列时怎样决定（不写则拒绝定稿并列出并列的单位）",
    )


def _split_names(text: str) -> tuple[str, ...]:
    for separator in ("、", "，", ";", "；", "\n"):
        text = text.replace(separator, ",")
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _unit_id(detail: RoundDetail, name: str) -> int:
    key = canonical_name(name)
    for unit in detail.units:
        if canonical_name(unit.name) == key:
            return unit.id
    raise NotFoundError(f"本次评比没有村（社区）“{name}”")


def _judge_id(detail: RoundDetail, name: str) -> int:
    key = canonical_person(name)
    for judge in detail.judges:
        if judge.name == key:
            return judge.id
    raise NotFoundError(f"本次评比没有评委“{name}”")


def round_json(detail: RoundDetail) -> dict:
    rules = detail.rules
    return {
        "id": detail.id,
        "period": detail.summary.period.short_label,
        "title": detail.summary.title,
        "date": detail.summary.event_date.isoformat() if detail.summary.event_date else None,
        "status": detail.status.label,
        "judges": [j.name for j in detail.judges],
        "units": [u.name for u in detail.units],
        "not_visited": [u.name for u in detail.units if not u.visited],
        "scheme": {
            "components": [
                {
                    "name": c.name,
                    "weight": str(c.weight),
                    "source": c.source.value,
                    "criteria": [{"name": k.name, "max": plain_points(k.max_points)} for k in c.criteria],
                }
                for c in detail.scheme.components
            ]
        },
        "rules": {
            "red": rules.red,
            "black": rules.black,
            "trim_drop": rules.trim_drop,
            "trim_minimum": rules.trim_minimum,
            "tie_policy": rules.tie_policy.value if rules.tie_policy else None,
            "tiebreak": list(rules.tiebreak),
            "veto_last": rules.veto_last,
            "veto_black": rules.veto_black,
        },
    }


def results_json(results: RoundResults) -> dict:
    return {
        "round": results.round_id,
        "final": results.finalised,
        "version": results.version,
        "results": [
            {
                "unit": r.unit.name,
                "rank": r.rank,
                "total": r.total,
                "flag": r.flag.value if r.flag else None,
                "components": {name: display_score(value) for name, value in r.components.items()},
                "bonus": plain_points(r.bonus),
                "deduction": plain_points(r.deduction),
                "notes": list(r.notes),
                **({"basis": dict(r.basis)} if r.basis else {}),
            }
            for r in results.results
        ],
        "not_visited": [u.name for u in results.not_visited],
        "ties": [t.describe() for t in results.ties],
    }


def run_round_command(core: Core, args: argparse.Namespace) -> int:
    rounds = core.rounds
    action = args.action
    # Before the round is looked up, so a missing township name is said even when it is not found.
    township_name = township(core) if action == "sheets" else ""
    if action == "create":
        scheme = None
        if args.scheme:
            from lsb_desktop.io.scheme import read_scheme

            scheme = read_scheme(args.scheme)
        from lsb_desktop.services.rounds import RoundDraft

        detail = rounds.create_round(
            RoundDraft(
                period=Period(args.year, args.quarter),
                title=args.title,
                event_date=parse_date(args.date, "活动日期") if args.date else None,
                judges=_split_names(args.judges),
                red=args.red,
                black=args.black,
                scheme=scheme,
            )
        ).value
        out(f"已建立评比活动：{detail.summary.label}，{len(detail.units)} 个村（社区），{len(detail.judges)} 位评委")
        left_out = rounds.left_out(detail.id)
        if left_out:
            warn(f"提示：{left_out}")
        out(str(detail.id))
        return ExitCode.OK
    if action == "list":
        for summary in rounds.list_rounds():
            out(f"{summary.id}\t{summary.period.short_label}\t{summary.status.label}\t{summary.title}")
        return ExitCode.OK
    round_id = rounds.find_round(args.round)
    detail = rounds.get_round(round_id)
    if action == "show":
        if args.json:
            out(json.dumps(round_json(detail), ensure_ascii=False, indent=2))
        else:
            out(f"{detail.id} {detail.summary.label}（{detail.status.label}）")
            out(f"评委：{'、'.join(j.name for j in detail.judges) or '（未设）'}")
            out(f"参评单位：{len(detail.units)} 个")
            for line in detail.rules.describe():
                out(line)
        return ExitCode.OK
    if action == "sheets":
        rounds.write_blank_sheets(round_id, args.output, township_name)
        out(f"已导出 {len(detail.judges)} 位评委的空白评分表到 {args.output}")
        return ExitCode.OK
    if action == "import":
        preview = rounds.preview_import(round_id, args.files)
        for note in preview.notes:
            out(f"说明：{note}")
        for warning in preview.warnings:
            warn(f"提醒：{warning}")
        if not preview.ok:
            warn(f"错误：评分文件有 {len(preview.problems)} 个问题，未导入任何评分：")
            for problem in preview.problems:
                warn(f"  {problem.where()}：{problem.message}")
            return ExitCode.BAD_INPUT
        written = rounds.apply_import(preview, args.reason).value
        out(
            f"导入完成：新增 {preview.count_new} 个评分，修改 {preview.count_changed} 个，"
            f"未变 {preview.count_unchanged} 个（写入 {written} 个）"
        )
        return ExitCode.OK
    if action == "rank":
        # Undecided ties: the command line's documented default is extend (decisions made in the
        # window always hold).
        policy: TiePolicy | None = (
            TiePolicy(args.tie_policy) if args.tie_policy else (detail.rules.tie_policy or TiePolicy.EXTEND)
        )
        results = rounds.results(round_id, policy)
        if args.json:
            out(json.dumps(results_json(results), ensure_ascii=False, indent=2))
        else:
            for r in results.results:
                flag = r.flag.value if r.flag else ""
                out(f"{r.rank}\t{r.unit.name}\t{r.total}\t{flag}\t{'；'.join(r.notes)}")
            for tie in results.ties:
                out(f"待决定：{tie.describe()}")
        return ExitCode.OK
    if action == "adjust":
        kind = {"加分": AdjustmentType.BONUS, "扣分": AdjustmentType.DEDUCTION, "一票否决": AdjustmentType.VETO}[
            args.kind
        ]
        if kind is not AdjustmentType.VETO and not args.amount:
            raise ValidationError(f"{args.kind}需要 --amount 分值")
        rounds.add_adjustment(round_id, _unit_id(detail, args.unit), kind, args.amount, args.reason, args.correction)
        out(f"已记录{args.kind}：{args.unit}")
        return ExitCode.OK
    if action == "correct":
        value = args.score if args.score.strip() else None
        saved = rounds.set_score(
            round_id, _judge_id(detail, args.judge), _unit_id(detail, args.unit), args.criterion, value, args.reason
        ).value
        shown = "（清除）" if saved is None else plain_points(saved)
        out(f"已更正：评委{args.judge} {args.unit} {args.criterion} → {shown}")
        return ExitCode.OK
    if action == "finalize":
        policy = TiePolicy(args.tie_policy) if args.tie_policy else None
        undecided = rounds.results(round_id).ties if policy is None else ()
        if undecided:
            warn("错误：旗位上有未决定的并列，未定稿：")
            for tie in undecided:
                warn(f"  {tie.describe()}")
            warn("请在程序的“观摩评比 → 结果”中决定，或加 --tie-policy extend|tiebreak")
            return ExitCode.BAD_INPUT
        results = rounds.finalize(round_id, policy).value
        out(f"已定稿：{detail.summary.label}，{len(results.results)} 个村（社区）排名已冻结")
        return ExitCode.OK
    raise ValidationError(f"未知的操作 {action}")
