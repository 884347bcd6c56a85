"""Fonts for the PDFs: the font chain, per-character checks and drawing text run by run.

The chain (DESIGN decision 9): the font chosen in the settings → the Windows Chinese fonts
(楷体, 仿宋, 黑体, 宋体, 宋体-ExtB, 方正小标宋) → the bundled AR PL UKai. Every character is checked
against the chain before anything is written: a character the first font lacks is drawn in
the next font that has it, and one that no font has is refused by name. Nothing is ever
printed as a box or a blank.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.errors import ValidationError

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_FONT = ROOT / "resources" / "fonts" / "ukai.ttc"
BUNDLED_LABEL = "文鼎PL中楷（程序自带）"

# Roles say what a font is good for, so each kind of text can prefer its own face.
USER, XIAOBIAOSONG, KAI, FANGSONG, HEI, SONG = "user", "xbs", "kai", "fang", "hei", "song"
EXT_B = "extb"  # only a fallback: the rare characters of CJK Extension B (𪚥, 𠀾, …) in names

# (role, label, file names) in chain order. Windows file names are matched without case.
WINDOWS_FONTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (KAI, "楷体", ("simkai.ttf",)),
    (FANGSONG, "仿宋", ("simfang.ttf",)),
    (HEI, "黑体", ("simhei.ttf",)),
    (SONG, "宋体", ("simsun.ttc",)),
    # SimSun-ExtB, on every Windows 10/11: the one Windows font with the Ext-B characters that
    # village and people's names sometimes hold.
    (EXT_B, "宋体-ExtB", ("simsunb.ttf",)),
    (
        XIAOBIAOSONG,
        "方正小标宋",
        ("FZXBSJW.TTF", "方正小标宋简体.ttf", "FZXBSK.TTF", "方正小标宋_GBK.TTF", "FZXBSJW--GB1-0.ttf"),
    ),
)
# Drawn where a blank is to be filled in by hand (整改期限, 责任人): an em of underlined space.
# U+FFF0 is unassigned, so it never comes from real text.
BLANK = "\ufff0"
_SPACES = frozenset(" \u3000\u00a0")


class MissingGlyphsError(ValidationError):
    """Characters that no available font has; `missing` maps each to where it occurs."""

    def __init__(self, missing: dict[str, list[str]]) -> None:
        self.missing = missing
        parts = []
        for char, places in missing.items():
            where = "、".join(f"“{place}”" for place in places)
            parts.append(f"“{char}”（出现在{where}）")
        message = "以下字符在所有可用字体中都没有，无法打印：" + "；".join(parts) + "，请在设置中选择含有这些字的字体"
        details = [f"“{char}” U+{ord(char):04X}" for char in missing]
        super().__init__(message, details)


class FontFileError(ValidationError):
    """A font file that cannot be used for PDFs, with the reason in Chinese."""


@dataclass(frozen=True, eq=False)
class PdfFont:
    """A TrueType font registered with ReportLab under `name`."""

    name: str
    label: str
    role: str
    path: Path
    subfont: int
    codes: frozenset[int] = field(repr=False)

    def has(self, char: str) -> bool:
        return ord(char) in self.codes


@dataclass(frozen=True, eq=False)
class FontChain:
    """Fonts in the order they are tried; `skipped` says which fonts were passed over and why."""

    fonts: tuple[PdfFont, ...]
    skipped: tuple[str, ...] = ()
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.fonts:
            raise FontFileError("没有可用的字体，无法生成 PDF")

    @property
    def primary(self) -> PdfFont:
        return self.fonts[0]

    def pick(self, *roles: str) -> PdfFont:
        """The first font in the chain with the first of `roles` it has; else the primary."""
        for role in roles:
            for font in self.fonts:
                if font.role == role:
                    return font
        return self.primary

    def font_for(self, char: str, first: PdfFont | None = None) -> PdfFont | None:
        first = first or self.primary
        if first.has(char):
            return first
        code = ord(char)
        for font in self.fonts:
            if code in font.codes:
                return font
        return None

    def runs(self, text: str, first: PdfFont | None = None) -> list[tuple[PdfFont | None, str]]:
        """Split text into runs of one font each; a run of BLANKs has font None.
        Call check() first: a character no font has raises MissingGlyphsError here."""
        first = first or self.primary
        key = (text, first.name)
        found = self._memo.get(key)
        if found is not None:
            return found
        runs: list[tuple[PdfFont | None, str]] = []
        current: PdfFont | None = None
        start = 0
        for index, char in enumerate(text):
            if char == BLANK:
                font = None
            elif char in _SPACES and current is not None and current.has(char):
                font = current  # a space stays in the run it is in when that font has it
            else:
                font = self.font_for(char, first)
                if font is None:
                    raise MissingGlyphsError({char: [text]})
            if index == 0:
                current = font
            elif font is not current:
                runs.append((current, text[start:index]))
                current, start = font, index
        if text:
            runs.append((current, text[start:]))
        if len(self._memo) < 20000:
            self._memo[key] = runs
        return runs

    def width(self, text: str, size: float, first: PdfFont | None = None) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        total = 0.0
        for font, run in self.runs(text, first):
            total += size * len(run) if font is None else stringWidth(run, font.name, size)
        return total

    def missing(self, items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        """Characters no font in the chain has, each with up to three places it occurs in.
        `items` are (text, place) pairs; place '' means the text itself."""
        found: dict[str, list[str]] = {}
        codes = [font.codes for font in self.fonts]
        for text, place in items:
            for index, char in enumerate(text):
                code = ord(char)
                if char == BLANK or char in "\n\r\t":
                    continue
                if any(code in c for c in codes):
                    continue
                places = found.setdefault(char, [])
                shown = place or _context(text, index)
                if shown not in places and len(places) < 3:
                    places.append(shown)
        return found

    def check(self, items: Iterable[tuple[str, str]]) -> None:
        """Raise MissingGlyphsError naming each character no available font has."""
        missing = self.missing(items)
        if missing:
            raise MissingGlyphsError(missing)

    def draw(
        self,
        canvas: Canvas,
        x: float,
        y: float,
        text: str,
        size: float,
        first: PdfFont | None = None,
        align: str = "left",
        spacing: float = 0.0,
    ) -> None:
        """Draw one line at baseline y, run by run; align left, centre or right of x; `spacing`
        is added between characters (a letter-spaced title)."""
        runs = self.runs(text, first)
        from reportlab.pdfbase.pdfmetrics import stringWidth

        if align != "left":
            width = self.width(text, size, first) + spacing * max(0, len(text) - 1)
            x -= width / 2 if align == "centre" else width
        last = len(runs) - 1
        for index, (font, run) in enumerate(runs):
            if font is None:
                canvas.setLineWidth(0.6)
                canvas.line(x, y - size * 0.18, x + size * len(run), y - size * 0.18)
                x += size * len(run) + spacing * len(run)
                continue
            canvas.setFont(font.name, size)
            if spacing:
                canvas.drawString(x, y, run, charSpace=spacing)
            else:
                canvas.drawString(x, y, run)
            if index < last:  # only a following run needs to know where this one ends
                x += stringWidth(run, font.name, size) + spacing * len(run)

    def describe(self) -> str:
        return " → ".join(font.label for font in self.fonts)


def _context(text: str, index: int, reach: int = 8) -> str:
    start, end = max(0, index - reach), min(len(text), index + reach + 1)
    snippet = text[start:end].replace("\n", " ").strip()
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


# ----- loading and registering (once per process) -------------------------------------------

_LOCK = threading.Lock()
_REGISTERED: dict[tuple[str, int, int, int], tuple[str, str, frozenset[int]]] = {}
_LOADED: dict[tuple[tuple[str, int, int, int], str, str], PdfFont] = {}


def _sfnt_kind(path: Path, subfont: int) -> bytes:
    """The sfnt version tag of a font (in a .ttc: of the subfont): b'OTTO' means CFF outlines."""
    with path.open("rb") as handle:
        head = handle.read(16)
        if head[:4] == b"ttcf":
            count = int.from_bytes(head[8:12], "big")
            if not 0 <= subfont < count:
                return b""
            handle.seek(12 + 4 * subfont)
            offset = int.from_bytes(handle.read(4), "big")
            handle.seek(offset)
            return handle.read(4)
        return head[:4]


def load_font(path: str | Path, label: str = "", role: str = USER, subfont: int = 0) -> PdfFont:
    """Read and register a TrueType font (cached per file); FontFileError says why not."""
    path = Path(path)
    shown = label or path.name
    try:
        stat = path.stat()
    except OSError:
        raise FontFileError(f"字体“{shown}”无法使用：找不到文件 {path}") from None
    key = (str(path.resolve()), subfont, stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        cached = _LOADED.get((key, label, role))
        if cached is not None:
            return cached
        registered = _REGISTERED.get(key) or _register(path, subfont, shown, key)
        name, family, codes = registered
        loaded = PdfFont(name, label or family or path.stem, role, path, subfont, codes)
        _LOADED[(key, label, role)] = loaded
        return loaded


def _register(path: Path, subfont: int, shown: str, key: tuple[str, int, int, int]) -> tuple[str, str, frozenset[int]]:
    """Parse a font file and register it with ReportLab (once per file and process)."""
    try:
        kind = _sfnt_kind(path, subfont)
    except OSError as error:
        raise FontFileError(f"字体“{shown}”无法使用：文件读不出来（{error}）") from None
    if kind == b"OTTO":
        raise FontFileError(
            f"字体“{shown}”无法使用：它是 PostScript（CFF）轮廓的 OpenType 字体，"
            "PDF 只能嵌入 TrueType 轮廓的字体（.ttf、.ttc），例如 Windows 自带的楷体、仿宋、黑体、宋体"
        )
    if kind not in (b"\x00\x01\x00\x00", b"true"):
        raise FontFileError(f"字体“{shown}”无法使用：不是 TrueType 字体文件")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = f"LSB{len(_REGISTERED) + 1}-" + (re.sub(r"[^A-Za-z0-9]", "", path.stem) or "font")
    try:
        font = TTFont(name, str(path), subfontIndex=subfont)
    except TTFError as error:
        reason = str(error)
        if "subsetting" in reason or "embedding" in reason or "restricted" in reason.lower():
            text = "字体的授权不允许嵌入 PDF"
        elif "postscript" in reason.lower():
            text = "它是 PostScript（CFF）轮廓的字体，PDF 只能嵌入 TrueType 轮廓的字体"
        else:
            text = f"不是可读的 TrueType 字体（{reason}）"
        raise FontFileError(f"字体“{shown}”无法使用：{text}") from None
    except Exception as error:  # noqa: BLE001 - a damaged file fails deep inside the parser in many ways
        raise FontFileError(f"字体“{shown}”无法使用：文件已损坏或格式不对（{type(error).__name__}）") from None
    pdfmetrics.registerFont(font)
    family = font.face.familyName
    if isinstance(family, bytes):
        family = family.decode("latin-1", "replace")
    registered = (name, str(family), frozenset(font.face.charToGlyph))
    _REGISTERED[key] = registered
    return registered


def check_font_file(path: str | Path) -> PdfFont:
    """For the settings dialog: load a font the clerk picked, or say in Chinese why it won't do."""
    return load_font(path, Path(path).name, USER)


def system_font_dirs() -> list[Path]:
    """Where Windows keeps fonts: the system folder and the per-user one (方正 fonts often go
    there). Elsewhere, the places the same files are usually copied to."""
    if sys.platform == "win32":
        folders = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return folders
    home = Path.home()
    return [
        home / ".local" / "share" / "fonts",
        home / ".fonts",
        Path("/usr/share/fonts/truetype/windows"),
        Path("/usr/share/fonts/truetype/msttcorefonts"),
        Path("/usr/share/fonts/windows"),
    ]


# Other Chinese fonts a township PC often has, offered in the font chooser beside the chain's own.
OTHER_CHINESE_FONTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("微软雅黑", ("msyh.ttc", "msyh.ttf")),
    ("隶书", ("simli.ttf",)),
    ("幼圆", ("simyou.ttf",)),
    ("华文楷体", ("stkaiti.ttf",)),
    ("华文仿宋", ("stfangso.ttf",)),
    ("华文宋体", ("stsong.ttf",)),
    ("华文中宋", ("stzhongs.ttf",)),
    ("仿宋_GB2312", ("仿宋_gb2312.ttf", "fs_gb2312.ttf")),
    ("楷体_GB2312", ("楷体_gb2312.ttf", "kaiti_gb2312.ttf")),
)


def installed_fonts(system_dirs: Sequence[Path] | None = None) -> list[tuple[str, Path]]:
    """(name, file) of the Chinese fonts found on this computer, in the chain's order and then
    the others, for the font chooser: the clerk picks a name, never browses C:\\Windows\\Fonts."""
    listings = [_files_in(folder) for folder in (system_font_dirs() if system_dirs is None else system_dirs)]
    found: list[tuple[str, Path]] = []
    known = [(label, names) for _role, label, names in WINDOWS_FONTS] + list(OTHER_CHINESE_FONTS)
    for label, names in known:
        path = next((listing[n.lower()] for listing in listings for n in names if n.lower() in listing), None)
        if path is not None:
            found.append((label, path))
    return found


def _files_in(folder: Path) -> dict[str, Path]:
    try:
        return {entry.name.lower(): Path(entry.path) for entry in os.scandir(folder) if entry.is_file()}
    except OSError:
        return {}


def font_chain(
    font_path: str | Path = "", *, system_dirs: Sequence[Path] | None = None, bundled: bool = True
) -> FontChain:
    """The chain for one export: the chosen font (if any) → Windows fonts found → the bundled font.

    A chosen font that cannot be used is refused (the clerk picked it and must know); a system
    font that cannot be read is passed over and listed in `skipped`."""
    fonts: list[PdfFont] = []
    skipped: list[str] = []
    if str(font_path).strip():
        fonts.append(load_font(Path(str(font_path).strip()), "", USER))
    listings = [_files_in(folder) for folder in (system_font_dirs() if system_dirs is None else system_dirs)]
    for role, label, names in WINDOWS_FONTS:
        for listing in listings:
            found = next((listing[n.lower()] for n in names if n.lower() in listing), None)
            if found is None:
                continue
            if any(font.path == found for font in fonts):
                break
            try:
                fonts.append(load_font(found, label, role))
            except FontFileError as error:
                skipped.append(error.message)
                continue
            break
    if bundled:
        try:
            fonts.append(load_font(BUNDLED_FONT, BUNDLED_LABEL, KAI))
        except FontFileError as error:
            skipped.append(error.message)
    return FontChain(tuple(fonts), tuple(skipped))
