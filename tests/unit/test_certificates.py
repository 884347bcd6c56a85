"""Certificates, notices and the calibration page: real PDFs read back with pypdf; the settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from lsb_desktop.domain.paper import PaperData, SheetRow
from lsb_desktop.domain.paper_settings import (
    DEFAULT_CERTIFICATE,
    CertificateSettings,
    chinese_date,
    chinese_number,
    render_template,
)
from lsb_desktop.domain.period import Period
from lsb_desktop.domain.rounds import RoundRules, RoundUnit, UnitResult
from lsb_desktop.domain.scoring import DEFAULT_SCHEME, Flag
from lsb_desktop.errors import ValidationError
from lsb_desktop.io.certificates import write_calibration_page, write_certificates, write_notices
from lsb_desktop.io.pdf_fonts import MissingGlyphsError, font_chain

MM = 72 / 25.4
A4L = (841.89, 595.28)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ABSENT = "\U0002a6a5"  # 𪚥: in no font of the chain (checked below)


# ----- helpers ------------------------------------------------------------------------------------


def unit(
    number: int, name: str, secretary: str, org: str = "党支部", kind: str = "村", district: str = "东部管区"
) -> RoundUnit:
    return RoundUnit(number, number, name, district, secretary, kind, org, True, number)


def row(u: RoundUnit, rank: int, score: str, flag: Flag | None = None, veto: str = "") -> SheetRow:
    result = UnitResult(u, rank, Fraction(Decimal(score)), {}, {}, flag, (), Decimal(0), Decimal(0), veto)
    return SheetRow(result, {})


def paper(rows: list[SheetRow], event: date | None = date(2025, 1, 20)) -> PaperData:
    return PaperData(
        "清河镇",
        "中共清河镇委员会",
        Period(2024, 4),
        "村党组织书记“亮赛比”逐村观摩评比",
        event,
        (),
        DEFAULT_SCHEME,
        RoundRules(red=3, black=2),
        tuple(rows),
        (),
        True,
    )


@pytest.fixture
def hand_made() -> PaperData:
    return paper(
        [
            row(unit(1, "张五砦村", "李禛"), 1, "95.10", Flag.RED),
            row(unit(2, "南岗村", "张镛"), 2, "93.05", Flag.RED),
            row(unit(3, "东关社区", "赵丽娟", "党委", "社区"), 3, "90.00", Flag.RED),
            row(unit(4, "王庄村", "王永强", "党总支"), 4, "80.00"),
            row(unit(5, "白沙村", "白玉山"), 5, "70.55", Flag.BLACK),
            row(unit(6, "马垌村", "马国庆"), 6, "96.00", Flag.BLACK, veto="发生一起较大安全生产事故"),
        ]
    )


@pytest.fixture
def bundled():
    """The chain without any system font: the same on every machine."""
    return font_chain("", system_dirs=())


def text_of(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(texts: list[str]) -> str:
    """Extracted text with line breaks and spaces removed (a name may wrap onto the next line)."""
    return "".join("".join(texts).split())


def fonts_of(path: Path) -> list[tuple[str, str, bool]]:
    """(BaseFont, Subtype, embedded) for every font any page uses."""
    found = []
    for page in PdfReader(path).pages:
        resources = page["/Resources"]
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found.append((str(font["/BaseFont"]), str(font["/Subtype"]), embedded))
    return found


def position_of(path: Path, needle: str, page: int = 0) -> tuple[float, float]:
    """Where on the page (points, from the bottom left) the text run containing needle starts."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if needle in text and not found:
            x, y = tm[4], tm[5]
            found.append((x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]))

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    assert found, f"{needle} not drawn"
    return found[0]


def drawing_ops(path: Path, page: int = 0) -> int:
    reader = PdfReader(path)
    stream = ContentStream(reader.pages[page].get_contents(), reader)
    return sum(1 for _operands, op in stream.operations if op in (b"re", b"l", b"m", b"S", b"f", b"b", b"B"))


# ----- certificates -------------------------------------------------------------------------------


def test_certificates_for_the_demo_round_name_every_red_flag(demo_core, tmp_path: Path) -> None:
    round_id = max(r.id for r in demo_core.rounds.list_rounds())
    data = demo_core.rounds.paper_data(round_id, "清河镇", "中共清河镇委员会")
    red = data.flagged(Flag.RED)
    assert len(red) == 4
    calls = []
    path = tmp_path / "荣誉证书.pdf"
    pages = write_certificates(path, data, CertificateSettings(), lambda done, total: calls.append((done, total)))
    assert pages == 4 and calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    reader = PdfReader(path)
    assert len(reader.pages) == 4
    texts = text_of(path)
    for page_text, sheet_row in zip(texts, red):
        page = flat([page_text])
        assert sheet_row.result.unit.organisation_title + "：" in page  # one page each, in rank order
        assert f"综合排名第{chinese_number(sheet_row.result.rank)}名" in page
        assert "中共清河镇委员会" in page and "二〇二五年一月二十日" in page  # the round's event date
        assert "特发此证，以资鼓励。" in page
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4L, abs=0.01)
    fonts = fonts_of(path)
    assert fonts and all(embedded and subtype == "/TrueType" for _name, subtype, embedded in fonts), fonts
    assert not any("Helvetica" in name for name, _s, _e in fonts)


def test_certificates_to_the_secretaries_carry_their_rare_names(hand_made, bundled, tmp_path: Path) -> None:
    path = tmp_path / "c.pdf"
    settings = CertificateSettings(recipient="secretary")
    assert write_certificates(path, hand_made, settings, fonts=bundled) == 3
    texts = [flat([t]) for t in text_of(path)]
    assert "张五砦村党支部书记李禛同志：" in texts[0]
    assert "南岗村党支部书记张镛同志：" in texts[1]
    assert "东关社区党委书记赵丽娟同志：" in texts[2]
    assert all("白沙村" not in t and "马垌村" not in t for t in texts)  # black flags get no honour


def test_certificates_to_the_organisations_use_the_organisation_title(hand_made, bundled, tmp_path: Path) -> None:
    path = tmp_path / "c.pdf"
    write_certificates(path, hand_made, CertificateSettings(), fonts=bundled)
    text = flat(text_of(path))
    for name in ("张五砦村党支部：", "南岗村党支部：", "东关社区党委："):
        assert name in text
    assert "李禛" not in text


def test_a_secretary_certificate_for_a_unit_without_a_secretary_is_refused(hand_made, bundled, tmp_path) -> None:
    rows = list(hand_made.rows)
    rows[1] = row(unit(2, "南岗村", ""), 2, "93.05", Flag.RED)
    path = tmp_path / "c.pdf"
    with pytest.raises(ValidationError, match="南岗村"):
        write_certificates(path, paper(rows), CertificateSettings(recipient="secretary"), fonts=bundled)
    assert not path.exists()


def test_the_issue_date_and_its_style_are_settings(hand_made, bundled, tmp_path: Path) -> None:
    path = tmp_path / "c.pdf"
    write_certificates(
        path, hand_made, CertificateSettings(date_style="arabic", issue_date=date(2022, 12, 14)), fonts=bundled
    )
    assert "2022年12月14日" in flat(text_of(path))
    write_certificates(path, hand_made, CertificateSettings(issue_date=date(2022, 12, 14)), fonts=bundled)
    assert "二〇二二年十二月十四日" in flat(text_of(path))


@pytest.mark.parametrize(
    ("settings", "size_mm"),
    [
        (CertificateSettings(page="A3L"), (420, 297)),
        (CertificateSettings(page="custom", width_mm=260, height_mm=185), (260, 185)),
    ],
)
def test_page_sizes(hand_made, bundled, tmp_path: Path, settings, size_mm) -> None:
    path = tmp_path / "c.pdf"
    write_certificates(path, hand_made, settings, fonts=bundled)
    for page in PdfReader(path).pages:
        assert float(page.mediabox.width) == pytest.approx(size_mm[0] * MM, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(size_mm[1] * MM, abs=0.01)
    assert "张五砦村党支部：" in flat(text_of(path))


def test_the_printer_offset_moves_everything_right_and_down(hand_made, bundled, tmp_path: Path) -> None:
    plain, shifted = tmp_path / "0.pdf", tmp_path / "10.pdf"
    write_certificates(plain, hand_made, CertificateSettings(), fonts=bundled)
    write_certificates(shifted, hand_made, CertificateSettings(offset_x_mm=10, offset_y_mm=-4.5), fonts=bundled)
    for needle in ("张五砦村党支部", "中共清河镇委员会"):
        (x0, y0), (x1, y1) = position_of(plain, needle), position_of(shifted, needle)
        assert x1 - x0 == pytest.approx(10 * MM, abs=0.01)
        assert y1 - y0 == pytest.approx(4.5 * MM, abs=0.01)  # negative Y: up


def test_text_only_leaves_out_the_border_and_the_title(hand_made, bundled, tmp_path: Path) -> None:
    full, bare = tmp_path / "full.pdf", tmp_path / "bare.pdf"
    write_certificates(full, hand_made, CertificateSettings(), fonts=bundled)
    write_certificates(bare, hand_made, CertificateSettings(text_only=True), fonts=bundled)
    assert drawing_ops(bare) == 0
    assert drawing_ops(full) > 10
    assert flat(text_of(full)[:1]).startswith("荣誉证书张五砦村党支部：")
    assert flat(text_of(bare)[:1]).startswith("张五砦村党支部：")
    # The words sit at the same place on both, so stock and plain paper line up.
    assert position_of(full, "张五砦村") == position_of(bare, "张五砦村")


def test_the_seal_room_stays_empty(hand_made, bundled, tmp_path: Path) -> None:
    """The seal (about 42 mm across) is pressed by hand over the issuer and the date: no other
    text comes within 20 mm above the issuer, and no seal or circle is ever drawn."""
    path = tmp_path / "c.pdf"
    write_certificates(path, hand_made, CertificateSettings(), fonts=bundled)
    _issuer_x, issuer_y = position_of(path, "中共清河镇委员会")
    runs = []
    PdfReader(path).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, f, s: runs.append((text, tm[5] + cm[5])) if text.strip() else None
    )
    others = [(text, y) for text, y in runs if "中共清河镇委员会" not in text and "二〇二五年" not in text]
    assert len(others) >= 4
    for text, y in others:
        assert y >= issuer_y + 20 * MM, f"{text!r} is printed where the seal goes"
    reader = PdfReader(path)
    operators = {op for _operands, op in ContentStream(reader.pages[0].get_contents(), reader).operations}
    assert b"c" not in operators and b"v" not in operators and b"y" not in operators  # no curves at all


def test_no_red_flags_no_certificates(bundled, tmp_path: Path) -> None:
    data = paper([row(unit(1, "王庄村", "王永强"), 1, "80.00")])
    path = tmp_path / "c.pdf"
    with pytest.raises(ValidationError, match="没有红旗"):
        write_certificates(path, data, CertificateSettings(), fonts=bundled)
    assert not path.exists()


def test_a_name_no_font_can_print_is_refused_by_name_and_nothing_is_written(tmp_path: Path) -> None:
    chain = font_chain("")  # whatever this machine has: the character must be in none of it
    assert all(not font.has(ABSENT) for font in chain.fonts)
    name = f"张{ABSENT}村"
    data = paper(
        [row(unit(1, "南岗村", "张镛"), 1, "95.00", Flag.RED), row(unit(2, name, "李禛"), 2, "94.00", Flag.RED)]
    )
    path = tmp_path / "c.pdf"
    path.write_bytes(b"the previous export")
    with pytest.raises(MissingGlyphsError) as caught:
        write_certificates(path, data, CertificateSettings(), fonts=chain)
    assert f"“{ABSENT}”（出现在“{name}”" in caught.value.message
    assert "U+2A6A5" in str(caught.value)
    assert path.read_bytes() == b"the previous export"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.pdf"]  # and no partial file left
    with pytest.raises(MissingGlyphsError, match=ABSENT):
        write_notices(
            tmp_path / "n.pdf",
            paper([row(unit(1, name, "李禛"), 1, "60.00", Flag.BLACK)]),
            CertificateSettings(),
            fonts=chain,
        )
    assert not (tmp_path / "n.pdf").exists()


def test_a_character_in_the_wording_is_checked_too(hand_made, bundled, tmp_path: Path) -> None:
    settings = CertificateSettings(certificate_template="{recipient}：\n    在{event}中表现突出\ue000。")
    with pytest.raises(MissingGlyphsError, match="表现突出"):
        write_certificates(tmp_path / "c.pdf", hand_made, settings, fonts=bundled)


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVuSans (a font without Chinese) is not installed")
def test_characters_the_chosen_font_lacks_are_printed_from_the_fallback(hand_made, tmp_path: Path) -> None:
    path = tmp_path / "c.pdf"
    settings = CertificateSettings(recipient="secretary", font_path=str(DEJAVU), date_style="arabic")
    write_certificates(path, hand_made, settings, fonts=font_chain(settings.font_path, system_dirs=()))
    text = flat(text_of(path))
    assert "张五砦村党支部书记李禛同志：" in text and "2025年1月20日" in text
    names = {name.split("+")[-1] for name, _subtype, _embedded in fonts_of(path)}
    assert names == {"DejaVuSans", "UKaiCN-0"}, names  # digits from the chosen font, Chinese from UKai
    assert all(embedded for _n, _s, embedded in fonts_of(path))


def test_long_wording_is_set_smaller_and_too_long_wording_is_refused(hand_made, bundled, tmp_path: Path) -> None:
    long_body = (
        "{recipient}：\n"
        + "    在{event}中，该党组织"
        + "带领群众苦干实干，" * 12
        + "综合排名第{rank}名。\n    特发此证。"
    )
    path = tmp_path / "c.pdf"
    write_certificates(path, hand_made, CertificateSettings(certificate_template=long_body), fonts=bundled)
    assert "综合排名第1名。" in flat(text_of(path))
    with pytest.raises(ValidationError, match="太长"):
        write_certificates(
            path,
            hand_made,
            CertificateSettings(certificate_template="{recipient}：\n    " + "苦干实干，" * 120),
            fonts=bundled,
        )


# ----- notices ------------------------------------------------------------------------------------


def test_the_notice_lists_both_flags_and_a_rectification_notice_per_black_flag(hand_made, bundled, tmp_path) -> None:
    path = tmp_path / "通报.pdf"
    calls = []
    pages = write_notices(path, hand_made, CertificateSettings(), lambda d, t: calls.append((d, t)), fonts=bundled)
    reader = PdfReader(path)
    assert pages == len(reader.pages)
    assert calls == [(1, 3), (2, 3), (3, 3)]
    texts = [flat([t]) for t in text_of(path)]
    notices = [i for i, t in enumerate(texts) if t.startswith("整改通知书")]
    report = "".join(texts[: notices[0]])
    assert report.startswith("关于清河镇2024年第四季度村党组织书记“亮赛比”逐村观摩评比结果的通报")
    assert "一、红旗单位（3个）张五砦村、南岗村、东关社区。" in report
    assert "二、黑旗单位（2个）白沙村、马垌村。其中，马垌村因发生一起较大安全生产事故被一票否决。" in report
    assert "三、综合排名" in report and "4王庄村东部管区80.00" in report
    assert "6马垌村东部管区一票否决黑旗" in report
    assert "中共清河镇委员会2025年1月20日" in report  # GB/T 9704: Arabic date
    assert len(notices) == 2
    first, second = texts[notices[0]], texts[notices[1]]
    assert first.startswith("整改通知书白沙村党支部：") and "你村综合得分70.55分，综合排名第5名" in first
    assert second.startswith("整改通知书马垌村党支部：") and "你村因发生一起较大安全生产事故被一票否决" in second
    assert "整改期限：责任人：" in first  # blank lines to fill in by hand
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.01)
    assert all(embedded for _n, _s, embedded in fonts_of(path))


def test_deadline_and_responsible_person_are_filled_in_when_set(hand_made, bundled, tmp_path: Path) -> None:
    path = tmp_path / "n.pdf"
    settings = CertificateSettings(deadline=date(2025, 3, 31), responsible="刘建国")
    write_notices(path, hand_made, settings, fonts=bundled)
    notice = flat(text_of(path)[-1])
    assert "整改期限：2025年3月31日" in notice and "责任人：刘建国" in notice
    assert drawing_ops(path, page=-1) == 0  # no blank underlines left


def test_a_community_is_addressed_as_a_community(bundled, tmp_path: Path) -> None:
    data = paper(
        [
            row(unit(1, "王庄村", "王永强"), 1, "90.00", Flag.RED),
            row(unit(2, "滨河社区", "何晓燕", "党委", "社区"), 2, "70.00", Flag.BLACK),
        ]
    )
    path = tmp_path / "n.pdf"
    write_notices(path, data, CertificateSettings(), fonts=bundled)
    notice = flat(text_of(path)[-1])
    assert notice.startswith("整改通知书滨河社区党委：") and "你社区综合得分" in notice


def test_the_demo_notice_states_the_veto(demo_core, tmp_path: Path) -> None:
    rounds = {r.period: r.id for r in demo_core.rounds.list_rounds()}
    data = demo_core.rounds.paper_data(rounds[Period(2024, 1)], "清河镇", "中共清河镇委员会")
    path = tmp_path / "n.pdf"
    pages = write_notices(path, data, CertificateSettings())
    text = flat(text_of(path))
    assert "马垌村因发生一起较大安全生产事故被一票否决" in text
    for sheet_row in data.flagged(Flag.BLACK) + data.flagged(Flag.RED):
        assert sheet_row.result.unit.name in text
    assert pages == len(PdfReader(path).pages)
    assert sum(1 for t in text_of(path) if flat([t]).startswith("整改通知书")) == len(data.flagged(Flag.BLACK))


# ----- calibration --------------------------------------------------------------------------------


def test_the_calibration_page_shows_the_offsets_and_moves_with_them(bundled, tmp_path: Path) -> None:
    plain, shifted = tmp_path / "0.pdf", tmp_path / "1.pdf"
    write_calibration_page(plain, CertificateSettings(), fonts=bundled)
    write_calibration_page(shifted, CertificateSettings(offset_x_mm=2.5, offset_y_mm=-1), fonts=bundled)
    reader = PdfReader(shifted)
    assert len(reader.pages) == 1
    text = flat(text_of(shifted))
    assert "证书纸校准页" in text and "向右+2.5mm，向下-1.0mm" in text and "A4横向297×210mm" in text
    assert "距左30mm，距上30mm" in text
    (x0, y0), (x1, y1) = position_of(plain, "距左 30 mm，距上 30 mm"), position_of(shifted, "距左 30 mm，距上 30 mm")
    assert (x1 - x0, y1 - y0) == (pytest.approx(2.5 * MM, abs=0.01), pytest.approx(1 * MM, abs=0.01))
    # The crosshair labelled 30/30 mm is drawn 30 mm from the left edge (label 2 mm right of it).
    assert x0 == pytest.approx(32 * MM, abs=0.01)
    assert all(embedded for _n, _s, embedded in fonts_of(shifted))


# ----- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2022, 12, 14), "二〇二二年十二月十四日"),
        (date(2025, 1, 20), "二〇二五年一月二十日"),
        (date(2020, 10, 1), "二〇二〇年十月一日"),
        (date(2023, 11, 30), "二〇二三年十一月三十日"),
        (date(2024, 3, 31), "二〇二四年三月三十一日"),
        (date(2019, 2, 10), "二〇一九年二月十日"),
    ],
)
def test_chinese_dates(day: date, text: str) -> None:
    assert chinese_date(day) == text


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99, 100, 101, 110, 1005)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
        "一百",
        "一百零一",
        "一百一十",
        "一千零五",
    ]


def test_render_template_fills_known_placeholders() -> None:
    filled = render_template("{a}：第{b}名，{{不是占位符}}", a="张五砦村党支部", b=1)
    assert filled == "张五砦村党支部：第1名，{不是占位符}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{recipient}：{奖项}", "无法识别的占位符：{奖项}"),
        ("{recipient.__class__}", "写法不对"),
        ("{recipient:>10}", "写法不对"),
        ("{recipient", "花括号"),
        ("recipient}", "花括号"),
    ],
)
def test_render_template_refuses_unknown_or_malformed_placeholders(template: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        render_template(template, recipient="x")


def test_settings_refuse_a_template_with_a_placeholder_it_cannot_fill() -> None:
    with pytest.raises(ValidationError, match=r"荣誉证书正文：模板中有无法识别的占位符：\{deadline\}"):
        CertificateSettings(certificate_template="{recipient}：{deadline}")
    assert CertificateSettings().certificate_template == DEFAULT_CERTIFICATE


@pytest.mark.parametrize(
    "values",
    [
        {"recipient": "everyone"},
        {"date_style": "roman"},
        {"page": "A5"},
        {"offset_x_mm": 80},
        {"offset_y_mm": "abc"},
        {"page": "custom", "width_mm": 10, "height_mm": 100},
        {"notice_title": " "},
    ],
)
def test_settings_refuse_bad_values_in_chinese(values: dict) -> None:
    with pytest.raises(ValidationError):
        CertificateSettings(**values)


def test_settings_round_trip_through_json_values() -> None:
    import json

    settings = CertificateSettings(
        recipient="secretary",
        issue_date=date(2025, 1, 20),
        page="custom",
        width_mm=260,
        height_mm=185.5,
        offset_x_mm=-1.5,
        text_only=True,
        deadline=date(2025, 3, 31),
        responsible="刘建国",
    )
    data = json.loads(json.dumps(settings.to_dict(), ensure_ascii=False))
    assert CertificateSettings.from_dict(data) == settings
    assert CertificateSettings.from_dict({}) == CertificateSettings()
    assert CertificateSettings.from_dict({"newer_setting": 1, "offset_y_mm": 2}).offset_y_mm == 2.0
    with pytest.raises(ValidationError, match="发证日期"):
        CertificateSettings.from_dict({"issue_date": "2025-13-01"})
    assert CertificateSettings(page="A3L").page_size_mm == (420.0, 297.0)


def test_a_long_recipient_wraps_inside_the_text_area(bundled, tmp_path: Path) -> None:
    name = "郑州市中原区须水街道办事处西岗村第一村民组合并后新社区"  # 27 characters
    data = paper([row(unit(1, name, "欧阳禛堃", "党总支", "社区"), 1, "95.00", Flag.RED)])
    path = tmp_path / "c.pdf"
    write_certificates(path, data, CertificateSettings(recipient="secretary"), fonts=bundled)
    assert f"{name}党总支书记欧阳禛堃同志：" in flat(text_of(path))
    runs = []
    PdfReader(path).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, f, s: runs.append(text) if text.strip() else None
    )
    assert not any(f"{name}党总支书记欧阳禛堃同志" in run for run in runs)  # on two lines, not one
