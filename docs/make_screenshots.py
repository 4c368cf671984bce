"""Regenerate the screenshots kept in docs/ with headless Chromium.

- ``report.png``, ``report-zh.png``: the report of ``kamkit demo`` (English, Chinese);
- ``site-index.png``, ``site-api.png``: the documentation site's landing page and
  the API page of ``kamkit.summarize``, from a built site (default
  ``build/docs/html``; build it first with
  ``python -m sphinx -W --keep-going -b html docs build/docs/html``).

Needs Chromium (Debian: ``apt-get install chromium fonts-noto-cjk``) and Pillow::

    PYTHONPATH=python python docs/make_screenshots.py [report|site|all]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from kamkit.cli import main

DOCS = Path(__file__).resolve().parent
WIDTH, HEIGHT = 1200, 9000


def _chromium_png(url: str, target: Path, width: int, height: int) -> Image.Image:
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
            f"--window-size={width},{height}",
            f"--screenshot={target}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return Image.open(target).convert("RGB")


def shoot_site(html: Path) -> None:
    """The landing page and one API page of the built site: the first screen of each."""
    pages = {
        "site-index.png": html / "index.html",
        "site-api.png": html / "_generated" / "generated" / "kamkit.summarize.html",
    }
    for name, page in pages.items():
        if not page.exists():
            sys.exit(f"{page} is missing: build the site first (see this script's docstring)")
        with tempfile.TemporaryDirectory() as tmp:
            image = _chromium_png(page.as_uri(), Path(tmp) / "raw.png", 1280, 900)
        target = DOCS / name
        image.quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(target, optimize=True)
        print(f"wrote {target} ({image.width}x{image.height}, {target.stat().st_size // 1024} KB)")


def shoot(lang: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        code = main(["demo", "--out", str(out), "--lang", lang])
        if code:
            sys.exit(code)
        image = _chromium_png((out / "report.html").as_uri(), Path(tmp) / "raw.png", WIDTH, HEIGHT)
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("report", "site", "all"), default="all")
    parser.add_argument("--html", type=Path, default=DOCS.parent / "build" / "docs" / "html")
    args = parser.parse_args()
    if args.what in ("report", "all"):
        shoot("en", DOCS / "report.png")
        shoot("zh", DOCS / "report-zh.png")
    if args.what in ("site", "all"):
        shoot_site(args.html)
