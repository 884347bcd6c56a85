"""The `round` commands of the command line (create, list, show, sheets, import, rank, adjust,
correct, finalize); JSON on request, Chinese messages otherwise."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import AdjustmentType, RoundDetail, RoundResults
from lsb_desktop.domain.score_files import plain_points
from lsb_desktop.domain.scoring import TiePolicy, display_score
from lsb_desktop.domain.text import canonical_name, canonical_person, parse_date
from lsb_desktop.errors import ExitCode, NotFoundError, ValidationError

if TYPE_CHECKING:
    from lsb_desktop.core import Core



def _out(text: str = "") -> None:
    print(text, flush=True)


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
        "scheme": {"components": [
            {"name": c.name, "weight": str(c.weight), "source": c.source.value,
             "criteria": [{"name": k.name, "max": plain_points(k.max_points)} for k in c.criteria]}
            for c in detail.scheme.components
        ]},
        "rules": {
            "red": rules.red, "black": rules.black, "trim_drop": rules.trim_drop,
            "trim_minimum": rules.trim_minimum,
            "tie_policy": rules.tie_policy.value if rules.tie_policy else None,
            "tiebreak": list(rules.tiebreak), "veto_last": rules.veto_last, "veto_black": rules.veto_black,
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


def run_round_command(core: Core, args: argparse.Namespace, township: str = "") -> int:
    rounds = core.rounds
    action = args.action
    if action == "create":
        scheme = None
        if args.scheme:
            from lsb_desktop.io.scheme import read_scheme

            scheme = read_scheme(args.scheme)
        from lsb_desktop.services.rounds import RoundDraft

        detail = rounds.create_round(RoundDraft(
            period=Period(args.year, args.quarter), title=args.title,
            event_date=parse_date(args.date, "活动日期") if args.date else None,
            judges=_split_names(args.judges), red=args.red, black=args.black, scheme=scheme,
        )).value
        _out(f"已建立评比活动：{detail.summary.label}，{len(detail.units)} 个村（社区），{len(detail.judges)} 位评委")
        left_out = rounds.left_out(detail.id)
        if left_out:
            print(f"提示：{left_out}", file=sys.stderr)
        _out(str(detail.id))
        return ExitCode.OK
    if action == "list":
        for summary in rounds.list_rounds():
            _out(f"{summary.id}\t{summary.period.short_label}\t{summary.status.label}\t{summary.title}")
        return ExitCode.OK
    round_id = rounds.find_round(args.round)
    detail = rounds.get_round(round_id)
    if action == "show":
        if args.json:
            _out(json.dumps(round_json(detail), ensure_ascii=False, indent=2))
        else:
            _out(f"{detail.id} {detail.summary.label}（{detail.status.label}）")
            _out(f"评委：{'、'.join(j.name for j in detail.judges) or '（未设）'}")
            _out(f"参评单位：{len(detail.units)} 个")
            for line in detail.rules.describe():
                _out(line)
        return ExitCode.OK
    if action == "sheets":
        rounds.write_blank_sheets(round_id, args.output, township)
        _out(f"已导出 {len(detail.judges)} 位评委的空白评分表到 {args.output}")
        return ExitCode.OK
    if action == "import":
        preview = rounds.preview_import(round_id, args.files)
        for note in preview.notes:
            _out(f"说明：{note}")
        for warning in preview.warnings:
            print(f"提醒：{warning}", file=sys.stderr)
        if not preview.ok:
            print(f"错误：评分文件有 {len(preview.problems)} 个问题，未导入任何评分：", file=sys.stderr)
            for problem in preview.problems:
                print(f"  {problem.where()}：{problem.message}", file=sys.stderr)
            return ExitCode.BAD_INPUT
        written = rounds.apply_import(preview, args.reason).value
        _out(f"导入完成：新增 {preview.count_new} 个评分，修改 {preview.count_changed} 个，"
             f"未变 {preview.count_unchanged} 个（写入 {written} 个）")
        return ExitCode.OK
    if action == "rank":
        # Undecided ties: the command line's documented default is extend (decisions made in the
        # window always hold).
        policy: TiePolicy | None = (TiePolicy(args.tie_policy) if args.tie_policy
                                    else (detail.rules.tie_policy or TiePolicy.EXTEND))
        results = rounds.results(round_id, policy)
        if args.json:
            _out(json.dumps(results_json(results), ensure_ascii=False, indent=2))
        else:
            for r in results.results:
                flag = r.flag.value if r.flag else ""
                _out(f"{r.rank}\t{r.unit.name}\t{r.total}\t{flag}\t{'；'.join(r.notes)}")
            for tie in results.ties:
                _out(f"待决定：{tie.describe()}")
        return ExitCode.OK
    if action == "adjust":
        kind = {"加分": AdjustmentType.BONUS, "扣分": AdjustmentType.DEDUCTION, "一票否决": AdjustmentType.VETO}[args.kind]
        if kind is not AdjustmentType.VETO and not args.amount:
            raise ValidationError(f"{args.kind}需要 --amount 分值")
        rounds.add_adjustment(round_id, _unit_id(detail, args.unit), kind, args.amount, args.reason, args.correction)
        _out(f"已记录{args.kind}：{args.unit}")
        return ExitCode.OK
    if action == "correct":
        value = args.score if args.score.strip() else None
        saved = rounds.set_score(round_id, _judge_id(detail, args.judge), _unit_id(detail, args.unit),
                                 args.criterion, value, args.reason).value
        shown = "（清除）" if saved is None else plain_points(saved)
        _out(f"已更正：评委{args.judge} {args.unit} {args.criterion} → {shown}")
        return ExitCode.OK
    if action == "finalize":
        policy = TiePolicy(args.tie_policy) if args.tie_policy else None
        undecided = rounds.results(round_id).ties if policy is None else ()
        if undecided:
            print("错误：旗位上有未决定的并列，未定稿：", file=sys.stderr)
            for tie in undecided:
                print(f"  {tie.describe()}", file=sys.stderr)
            print("请在程序的“观摩评比 → 结果”中决定，或加 --tie-policy extend|tiebreak", file=sys.stderr)
            return ExitCode.BAD_INPUT
        results = rounds.finalize(round_id, policy).value
        _out(f"已定稿：{detail.summary.label}，{len(results.results)} 个村（社区）排名已冻结")
        return ExitCode.OK
    raise ValidationError(f"未知的操作 {action}")
