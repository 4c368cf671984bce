"""Regenerate docs/report.png and docs/report-zh.png from `kamkit demo`.

Needs Chromium (Debian: ``apt-get install chromium fonts-noto-cjk``) and Pillow::

    PYTHONPATH=python python docs/make_screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from kamkit.cli import main

DOCS = Path(__file__).resolve().parent
WIDTH, HEIGHT = 1200, 9000


def shoot(lang: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        code = main(["demo", "--out", str(out), "--lang", lang])
        if code:
            sys.exit(code)
        raw = Path(tmp) / "raw.png"
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            sys.exit("Chromium is not installed: apt-get install chromium fonts-noto-cjk")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--screenshot={raw}",
                (out / "report.html").as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        image = Image.open(raw).convert("RGB")
        # crop the empty page background below the footer
        background = image.getpixel((5, HEIGHT - 5))
        rows = [
            y
            for y in range(HEIGHT - 1, 0, -8)
            if any(image.getpixel((x, y)) != background for x in range(0, WIDTH, 16))
        ]
        bottom = min(HEIGHT, (rows[0] if rows else HEIGHT) + 40)
        page = image.crop((0, 0, WIDTH, bottom))
        # a 256-colour palette keeps the file small (the page has few colours)
        page.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(target, optimize=True)
        print(f"wrote {target} ({WIDTH}x{bottom})")


if __name__ == "__main__":
    shoot("en", DOCS / "report.png")
    shoot("zh", DOCS / "report-zh.png")
