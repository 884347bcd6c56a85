"""The font chain: loading, refusing unusable fonts, per-character fallback and missing glyphs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lsb_desktop.errors import ValidationError
from lsb_desktop.io.pdf_fonts import (
    BLANK,
    BUNDLED_FONT,
    KAI,
    FontChain,
    FontFileError,
    MissingGlyphsError,
    check_font_file,
    font_chain,
    load_font,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# U+2A6A5 (CJK Ext-B, 𪚥): not in AR PL UKai CN, so no bundled font can print it.
ABSENT = "\U0002a6a5"
needs_dejavu = pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVuSans (a font without Chinese) is not installed")


def test_the_bundled_font_and_its_licence_are_in_the_resources() -> None:
    assert BUNDLED_FONT.is_file()
    licence = BUNDLED_FONT.with_name("LICENSE-ARPHIC.txt").read_text(encoding="utf-8")
    assert "ARPHIC PUBLIC LICENSE" in licence


def test_the_bundled_font_has_the_rare_name_characters_of_the_seeds() -> None:
    font = load_font(BUNDLED_FONT)
    # 禛 堃 喆 堌 are missing from 仿宋_GB2312: the reason a font of our own is bundled.
    for char in "禛堃喆堌镛砦〇一二三四五六七八九十0123456789：“”（）、。，":
        assert font.has(char), char
    assert not font.has(ABSENT)


def test_a_font_is_read_and_registered_once_per_process() -> None:
    assert load_font(BUNDLED_FONT) is load_font(BUNDLED_FONT)
    from reportlab.pdfbase import pdfmetrics

    assert pdfmetrics.getFont(load_font(BUNDLED_FONT).name).fontName == load_font(BUNDLED_FONT).name


def test_without_system_fonts_the_chain_is_the_bundled_font() -> None:
    chain = font_chain("", system_dirs=())
    assert [f.path for f in chain.fonts] == [BUNDLED_FONT]
    assert chain.primary.role == KAI
    assert "程序自带" in chain.describe()


def test_windows_fonts_are_found_by_file_name_in_chain_order(tmp_path: Path) -> None:
    # Stand-ins named like the Windows files: any TrueType font will do for the lookup.
    shutil.copy(BUNDLED_FONT, tmp_path / "SIMHEI.TTF")  # Windows names are matched without case
    shutil.copy(BUNDLED_FONT, tmp_path / "simkai.ttf")
    chain = font_chain("", system_dirs=[tmp_path])
    assert [(f.label, f.role) for f in chain.fonts[:2]] == [("楷体", "kai"), ("黑体", "hei")]
    assert chain.fonts[-1].path == BUNDLED_FONT
    assert chain.pick("hei").label == "黑体"
    assert chain.pick("xbs", "hei").label == "黑体"  # no 方正小标宋: the next choice
    assert chain.pick("fang") is chain.primary  # no 仿宋 at all: the primary


def test_simsun_extb_follows_simsun_for_the_rare_characters_of_names(tmp_path: Path) -> None:
    shutil.copy(BUNDLED_FONT, tmp_path / "simsun.ttc")
    shutil.copy(BUNDLED_FONT, tmp_path / "SimSunB.ttf")
    chain = font_chain("", system_dirs=[tmp_path])
    assert [(f.label, f.role) for f in chain.fonts[:2]] == [("宋体", "song"), ("宋体-ExtB", "extb")]
    assert chain.pick("song").label == "宋体" and chain.fonts[-1].path == BUNDLED_FONT


def test_an_unreadable_system_font_is_passed_over_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "simfang.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 200)
    chain = font_chain("", system_dirs=[tmp_path])
    assert [f.path for f in chain.fonts] == [BUNDLED_FONT]
    assert len(chain.skipped) == 1 and "仿宋" in chain.skipped[0]


def test_a_cff_font_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    cff = tmp_path / "NotoSansCJKsc-Regular.otf"
    cff.write_bytes(b"OTTO" + b"\x00" * 100)
    with pytest.raises(FontFileError, match="CFF") as caught:
        check_font_file(cff)
    assert "TrueType" in caught.value.message
    # A chosen font that cannot be used stops the export: the clerk picked it and must know.
    with pytest.raises(FontFileError, match="NotoSansCJKsc-Regular.otf"):
        font_chain(cff, system_dirs=())


def test_a_cff_subfont_inside_a_collection_is_refused(tmp_path: Path) -> None:
    ttc = tmp_path / "cff.ttc"
    header = b"ttcf" + b"\x00\x01\x00\x00" + (1).to_bytes(4, "big") + (16).to_bytes(4, "big")
    ttc.write_bytes(header + b"OTTO" + b"\0" * 64)  # one subfont, at offset 16, with CFF outlines
    with pytest.raises(FontFileError, match="CFF"):
        check_font_file(ttc)


def test_damaged_and_missing_font_files_are_refused_not_crashed_on(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 300)
    with pytest.raises(FontFileError, match="broken.ttf"):
        check_font_file(broken)
    text = tmp_path / "notes.ttf"
    text.write_text("not a font", encoding="utf-8")
    with pytest.raises(FontFileError, match="不是 TrueType"):
        check_font_file(text)
    with pytest.raises(FontFileError, match="找不到文件"):
        check_font_file(tmp_path / "nowhere.ttf")
    assert issubclass(FontFileError, ValidationError)


def test_text_is_split_into_runs_of_the_font_that_has_each_character() -> None:
    chain = font_chain("", system_dirs=())
    runs = chain.runs("张五砦村2024年")
    assert runs == [(chain.primary, "张五砦村2024年")]
    blanks = chain.runs("责任人：" + BLANK * 3 + "。")
    assert [(font is None, text) for font, text in blanks] == [(False, "责任人："), (True, BLANK * 3), (False, "。")]


@needs_dejavu
def test_a_character_the_first_font_lacks_comes_from_the_next_font() -> None:
    chain = font_chain(DEJAVU, system_dirs=())
    dejavu, ukai = chain.fonts
    assert dejavu.role == "user" and not dejavu.has("禛")
    runs = chain.runs("No.1 李禛 (92.5)")
    # A space stays in the run it follows when that font has one.
    assert runs == [(dejavu, "No.1 "), (ukai, "李禛 "), (dejavu, "(92.5)")]
    assert chain.missing([("No.1 李禛", "")]) == {}
    # A preferred first font is tried before the chain.
    assert chain.runs("A李", first=ukai) == [(ukai, "A李")]
    assert chain.width("李禛", 10) == pytest.approx(chain.width("李禛", 10, ukai))


def test_characters_no_font_has_are_named_with_where_they_are() -> None:
    chain = font_chain("", system_dirs=())
    name = f"张{ABSENT}村"
    missing = chain.missing([("南岗村", ""), (name, ""), (f"{name}党支部：在清河镇", "")])
    assert missing == {ABSENT: [name, f"{name}党支部：在清河…"]}
    with pytest.raises(MissingGlyphsError) as caught:
        chain.check([(name, ""), ("\ue000", "第3行")])
    error = caught.value
    assert error.message == (
        f"以下字符在所有可用字体中都没有，无法打印：“{ABSENT}”（出现在“{name}”）；“\ue000”（出现在“第3行”），"
        "请在设置中选择含有这些字的字体"
    )
    assert error.details == ["“𪚥” U+2A6A5", "“\ue000” U+E000"]
    assert isinstance(error, ValidationError)


def test_runs_never_fall_back_to_a_box_for_a_missing_character() -> None:
    chain = font_chain("", system_dirs=())
    with pytest.raises(MissingGlyphsError, match=ABSENT):
        chain.runs(f"张{ABSENT}村")


def test_a_chain_needs_at_least_one_font() -> None:
    with pytest.raises(FontFileError):
        FontChain(())
