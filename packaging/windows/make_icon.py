"""Make resources/app.ico (16–256 px, one image a size) from resources/app.png.

Run once when app.png changes: `uv run --no-project --with pillow python packaging/windows/make_icon.py`.
Pillow is needed here only, never by the program.
"""

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SIZES = [16, 20, 24, 32, 40, 48, 64, 128, 256]

source = Image.open(ROOT / "resources" / "app.png").convert("RGBA")
source.save(ROOT / "resources" / "app.ico", format="ICO", sizes=[(size, size) for size in SIZES])
