"""The `check` command of the command line: the data file's integrity, audit log, data rows,
evidence files and data version, in Chinese lines or JSON; exit 2 when a problem is found."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out
from lsb_desktop.errors import ExitCode

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    check = sub.add_parser("check", parents=[common], help="检查数据文件完整性和数据版本")
    check.set_defaults(run=run_check)
    check.add_argument("--json", action="store_true", help="以 JSON 输出")


def run_check(core: Core, args: argparse.Namespace) -> int:
    report = core.check()
    if args.json:
        out(
            json.dumps(
                {
                    "ok": report.ok,
                    "database": str(report.database),
                    "integrity": "ok" if not report.problems else list(report.problems),
                    "revision": report.revision,
                    "head": report.head,
                    "version": report.version,
                    "problems": report.problem_objects(),
                    "finalised_rounds": [
                        {
                            "round_id": seal.round_id,
                            "round": seal.round_name,
                            "version": seal.version,
                            "code": seal.code,
                            "sealed_at": seal.at,
                        }
                        for seal in report.seals
                    ],
                    "checked": {
                        "integrity": not report.integrity,
                        "audit_entries": report.audit_entries,
                        "audit_ok": not report.audit,
                        "data_rows": report.data_rows,
                        "data_ok": not report.data,
                        "evidence_files": report.evidence_files,
                        "evidence_ok": not report.evidence,
                    },
                    "summary": report.checked(),
                    "technical": list(report.technical),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for line in report.lines():
            out(line)
    return ExitCode.OK if report.ok else ExitCode.BAD_INPUT
