"""Certificate PDF benchmark: 30 荣誉证书 in one PDF with lsb_desktop.io.certificates against the
same pages drawn with bare ReportLab calls (same font, strings and positions), in the same run.

Run: uv run python -m bench.paper_pdf [--runs N]. The font is registered once
beforehand for both sides. Prints the medians and the ratio (goal: within 1.5×).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

GOAL_RATIO = 1.5
PAGES = 30
# Real names, the rare characters of the seeds among them.
NAMES = (
    "张五砦村",
    "刘堌堆村",
    "王庄村",
    "东关社区",
    "小李庄村",
    "马垌村",
    "西杨庄村",
    "后营村",
    "郭店村",
    "黄岗村",
    "西苑社区",
    "冯寨村",
    "南岗村",
    "白沙村",
    "韩岭村",
    "毛庄村",
    "滨河社区",
    "三官庙村",
    "北坡村",
    "石佛寺村",
    "常庄村",
    "新城社区",
    "贾鲁河村",
    "牛王庙村",
    "杨堌村",
    "李喆村",
    "金堃社区",
    "孙寨村",
    "周庄村",
    "吴岗村",
)
SECRETARIES = ("李禛", "刘喆", "王永强", "赵丽娟", "李红军", "马国庆", "杨金堃", "孙建设", "郭振华", "黄海涛")


def paper_data():
    from lsb_desktop.domain.paper import PaperData, SheetRow
    from lsb_desktop.domain.period import Period
    from lsb_desktop.domain.rounds import RoundRules, RoundUnit, UnitResult
    from lsb_desktop.domain.scoring import DEFAULT_SCHEME, Flag

    rows = []
    for number, name in enumerate(NAMES[:PAGES], start=1):
        kind = "社区" if name.endswith("社区") else "村"
        org = "党委" if kind == "社区" else "党支部"
        unit = RoundUnit(
            number, number, name, "东部管区", SECRETARIES[number % len(SECRETARIES)], kind, org, True, number
        )
        result = UnitResult(unit, number, Fraction(100 - number), {}, {}, Flag.RED, (), Decimal(0), Decimal(0))
        rows.append(SheetRow(result, {}))
    return PaperData(
        "清河镇",
        "中共清河镇委员会",
        Period(2024, 4),
        "村党组织书记“亮赛比”逐村观摩评比",
        date(2025, 1, 20),
        (),
        DEFAULT_SCHEME,
        RoundRules(red=PAGES),
        tuple(rows),
        (),
        True,
    )


def bare_plan(data, settings, chain):
    """The strings and positions our module draws, worked out once outside the timing."""
    from lsb_desktop.io import certificates as c

    frame = c._frame(settings)
    font = chain.primary
    day_text = settings.format_date(c._issue_date(data, settings))
    texts = c._certificate_texts(data, settings, data.rows, day_text)
    widths = c._Widths(chain)
    pages = []
    for text in texts:
        pages.append(c._layout_certificate(widths, frame, font, text))
    size = frame.body_size
    centre = frame.issuer_right - max(chain.width(data.committee, size), chain.width(day_text, size)) / 2
    return frame, font.name, pages, (centre, frame.issuer_y, data.committee, size), (centre, frame.date_y, day_text)


def draw_bare(path: Path, plan) -> None:
    """The same pages with nothing but ReportLab canvas calls."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    frame, font, pages, issuer, day = plan
    w, h, k = frame.width, frame.height, frame.k
    canvas = Canvas(str(path), pagesize=(w, h), initialFontName=font, pageCompression=1)
    for lines in pages:
        canvas.saveState()
        canvas.setStrokeColorRGB(0.62, 0.09, 0.09)
        canvas.setLineWidth(3.2 * k)
        canvas.rect(10 * mm, 10 * mm, w - 20 * mm, h - 20 * mm)
        canvas.setLineWidth(0.9 * k)
        canvas.rect(14 * mm, 14 * mm, w - 28 * mm, h - 28 * mm)
        canvas.setStrokeColorRGB(0.8, 0.62, 0.22)
        canvas.setFillColorRGB(0.8, 0.62, 0.22)
        canvas.setLineWidth(1.6 * k)
        for x, y, dx, dy in (
            (17 * mm, 17 * mm, 1, 1),
            (w - 17 * mm, 17 * mm, -1, 1),
            (17 * mm, h - 17 * mm, 1, -1),
            (w - 17 * mm, h - 17 * mm, -1, -1),
        ):
            canvas.lines([(x, y, x + dx * 16 * mm, y), (x, y, x, y + dy * 16 * mm)])
            path_ = canvas.beginPath()
            cx, cy, r = x + dx * 3.2 * mm, y + dy * 3.2 * mm, 1.6 * mm
            path_.moveTo(cx, cy + r)
            path_.lineTo(cx + r, cy)
            path_.lineTo(cx, cy - r)
            path_.lineTo(cx - r, cy)
            path_.close()
            canvas.drawPath(path_, stroke=0, fill=1)
        y = frame.title_y - 9 * mm
        canvas.line(w / 2 - 52 * mm, y, w / 2 - 4 * mm, y)
        canvas.line(w / 2 + 4 * mm, y, w / 2 + 52 * mm, y)
        canvas.restoreState()
        canvas.setFillColorRGB(0.74, 0.07, 0.07)
        canvas.setFont(font, frame.title_size)
        canvas.drawCentredString(w / 2, frame.title_y, "荣誉证书", charSpace=frame.title_size * 0.55)
        canvas.setFillColorRGB(0, 0, 0)
        for x, y, line, size in lines:
            canvas.setFont(font, size)
            canvas.drawString(x, y, line)
        x, y, text, size = issuer
        canvas.setFont(font, size)
        canvas.drawCentredString(x, y, text)
        x, y, text = day
        canvas.drawCentredString(x, y, text)
        canvas.showPage()
    canvas.save()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="荣誉证书 PDF 基准：30 张证书，本程序与直接调用 ReportLab 对比")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args(argv)
    from lsb_desktop.domain.paper_settings import CertificateSettings
    from lsb_desktop.io.certificates import write_certificates
    from lsb_desktop.io.pdf_fonts import font_chain

    start = time.perf_counter()
    chain = font_chain("", system_dirs=())  # the bundled font: the same on every machine
    register_ms = (time.perf_counter() - start) * 1000
    data, settings = paper_data(), CertificateSettings()
    plan = bare_plan(data, settings, chain)
    ours, bare = [], []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_certificates(folder / "warm.pdf", data, settings, fonts=chain)  # warm both once
        draw_bare(folder / "warm-bare.pdf", plan)
        for run in range(args.runs):  # alternate, so drift in the machine's speed hits both
            started = time.perf_counter()
            pages = write_certificates(folder / f"ours{run}.pdf", data, settings, fonts=chain)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            draw_bare(folder / f"bare{run}.pdf", plan)
            bare.append((time.perf_counter() - started) * 1000)
        ours_size = (folder / "ours0.pdf").stat().st_size
        bare_size = (folder / "bare0.pdf").stat().st_size
    ours_ms, bare_ms = statistics.median(ours), statistics.median(bare)
    ratio = ours_ms / bare_ms
    print(f"{pages} 张荣誉证书写成一个 PDF（中位数，{args.runs} 次；字体注册一次 {register_ms:.0f} ms，不计入）")
    print(f"  直接调用 ReportLab（同样的字、位置和边框）：{bare_ms:8.1f} ms  {bare_size / 1024:.0f} KB")
    print(f"  亮赛比（逐字检查、套模板、排版、写文件）：  {ours_ms:8.1f} ms  {ours_size / 1024:.0f} KB")
    print(f"  比值：{ratio:.2f}×（目标 ≤ {GOAL_RATIO}×）{'达标' if ratio <= GOAL_RATIO else '未达标'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
