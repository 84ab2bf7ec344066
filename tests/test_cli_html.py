"""``inspect --html`` rendered by a real browser: headless Chromium, one page per dialect.

Each dialect's first bundled recording is inspected; its page is shot at
1400×900 and at a phone's width, and the screenshots are read back
(``tests/png.py``): the page is not blank, the chart spans the width, and
every lane the page draws shows in its own colour inside the chart.

CI installs Debian's ``chromium`` (``.ci/run``): there this test never
skips, and a missing browser fails it.  Elsewhere it skips without one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from streamkit import dialects
from streamkit.cli import _style
from streamkit.dialects._face import EVENT_KINDS

from .cli_helpers import RECORDINGS, check_html, run_batch
from .png import Image, read_png

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = (1400, 900)
PHONE = (390, 1200)  # a phone's width; tall enough to hold the chart below the summary
STRIP = bytes.fromhex("f3f6fa")  # the lanes' background (--strip in the page's style)
CURVE = bytes.fromhex(_style.CURVE[1:])


def test_every_lane_has_its_own_colour() -> None:
    """No two lanes alike, and none the colour of the text curve or of the shading."""
    assert set(_style.PALETTE) == set(EVENT_KINDS) == set(_style.LANE_NAMES)
    colours = [*_style.PALETTE.values(), _style.CURVE, _style.STALL, _style.GAP]
    assert len(set(colours)) == len(colours)
    assert "--strip: #f3f6fa" in _style.CSS


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"no {CHROMIUM} (CI installs it; with CI set this test fails instead)")


def shoot(browser: Path, page: Path, size: tuple[int, int], out: Path) -> Image:
    """A screenshot of *page* in a *size* window, read back."""
    with tempfile.TemporaryDirectory(prefix="streamkit-chromium-") as profile:
        result = subprocess.run(
            [
                str(browser),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                f"--screenshot={out}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    assert out.exists(), result.stderr.decode(errors="replace")[-2000:]
    return read_png(out.read_bytes())


def box_of(image: Image, colour: bytes) -> tuple[int, int, int, int]:
    """The smallest box (x0, y0, x1, y1) holding every pixel of *colour*."""
    pattern = re.compile(re.escape(colour))
    step = image.channels
    xs, ys = [], []
    for y, row in enumerate(image.rows):
        found = [m.start() // step for m in pattern.finditer(row) if m.start() % step == 0]
        if found:
            xs += [found[0], found[-1]]
            ys.append(y)
    assert xs, "no lane drawn: the strips' background is nowhere in the screenshot"
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


def check_screenshot(
    image: Image, size: tuple[int, int], lanes: dict[str, str], text: bool
) -> None:
    assert (image.width, image.height) == size
    colours = image.colours()
    assert len(colours) > 50, "the page rendered blank"
    assert colours.get(b"\xff\xff\xff", 0) < 0.97 * size[0] * size[1], "the page rendered blank"
    x0, y0, x1, y1 = box_of(image, STRIP)  # the lanes (less what stalls and gaps shade)
    wide = 0.75 if size[0] >= 1000 else 0.55
    assert x1 - x0 > wide * size[0], f"the chart does not span the page: {x0}..{x1}"
    assert x0 < 0.3 * size[0]
    chart = image.colours((x0, y0, x1, min(y1 + 200, size[1])))
    for lane, colour in lanes.items():
        drawn = chart.get(bytes.fromhex(colour[1:]), 0)
        assert drawn >= 10, f"lane {lane} ({colour}) is not drawn: {drawn} pixels"
    if text:
        assert chart.get(CURVE, 0) >= 50, "the answer text curve is not drawn"


def first_recordings() -> list[tuple[str, Path]]:
    out = []
    for name in dialects.names():
        found = sorted((RECORDINGS / name).glob("*.ndjson"))
        if found:
            out.append((name, found[0]))
    return out


def test_the_page_of_every_dialect_in_chromium(chromium: Path, tmp_path: Path) -> None:
    chosen = first_recordings()
    assert {name for name, _ in chosen} == set(dialects.names())
    calls = [
        (["inspect", "--json", "--html", str(tmp_path / f"{name}.html"), str(path)], None)
        for name, path in chosen
    ]
    reports: dict[str, Any] = {}
    lanes: dict[str, dict[str, str]] = {}
    for (name, _), result in zip(chosen, run_batch(calls), strict=True):
        assert result.returncode == 0, result.stderr.decode()
        reports[name] = json.loads(result.stdout)
        page = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        check_html(page, reports[name])
        found = re.findall(r'class="strip" data-lane="(\w+)" data-colour="(#[0-9a-f]{6})"', page)
        lanes[name] = dict(found)
        assert set(lanes[name]) == set(reports[name]["lanes"])
    jobs = [(name, size) for name, _ in chosen for size in (DESKTOP, PHONE)]

    def job(item: tuple[str, tuple[int, int]]) -> Image:
        name, size = item
        out = tmp_path / f"{name}-{size[0]}.png"
        return shoot(chromium, tmp_path / f"{name}.html", size, out)

    with ThreadPoolExecutor(max_workers=2) as pool:
        images = list(pool.map(job, jobs))
    for (name, size), image in zip(jobs, images, strict=True):
        check_screenshot(image, size, lanes[name], reports[name]["text_chars"] > 0)
