"""The board in a real browser: Debian's Chromium, driven by Playwright (``executable_path``: Playwright's
own browser download is never used). One browser, one bot on the sandbox and one board for the module.

Without Chromium these tests are skipped with one line naming the package; ``.ci/run`` installs it.
Set ``HOTLINE_SCREENSHOTS=DIR`` to keep the board's screenshot (README's picture) in DIR.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.board.serve import running_board
from bot.board.tokens import Claims, sign
from bot.cli.demo import DEMO_TOKEN, DISPATCHER, LEAD, MEMBER, OTHER_CREW, RESIDENT, running_bot, sandbox_settings, tap
from bot.config.settings import Settings
from sandbox import Sandbox
from tests.kit.board import LINK, SECRET, board_section, on_board
from tests.kit.chat import fill_report


def _cjk_font() -> bool:
    found = shutil.which("fc-list") and subprocess.run(
        ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=30, check=False
    )
    return bool(found and found.stdout.strip())


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("browser tests: chromium is not installed (Debian package: chromium)", allow_module_level=True)
if not _cjk_font():
    pytest.skip("browser tests: no Chinese font (Debian package: fonts-noto-cjk)", allow_module_level=True)
pytestmark = pytest.mark.asyncio(loop_scope="module")
CJK = "调度看板未结工单"


class Stage:
    def __init__(self, sb: Sandbox, settings: Settings, address: str, browser: Any) -> None:
        self.sb, self.settings, self.address, self.browser = sb, settings, address, browser

    async def link(self) -> str:
        since = len(self.sb.messages(DISPATCHER))
        await self.sb.send_text(DISPATCHER, "/board")
        message = await self.sb.wait_for(
            DISPATCHER, lambda m: bool(LINK.search(m.text or "")), since=since, timeout_s=10
        )
        found = LINK.search(message.text or "")
        assert found is not None
        return on_board(found.group(0), self.address)

    async def signed_in_page(self) -> Any:
        context = await self.browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page = await context.new_page()
        await page.goto(await self.link())
        await page.click("#signin")
        await page.wait_for_url(self.address + "/")
        return page


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stage]:
    # imported here, not at collection: every test process collects this module, few of them run it
    playwright_api = pytest.importorskip("playwright.async_api")
    tmp = tmp_path_factory.mktemp("browser")
    async with Sandbox(DEMO_TOKEN) as sb:
        sb.create_user(RESIDENT, first_name="Zhang Wei", language_code="en")  # fill_report answers in English
        for user_id, name in ((LEAD, "王强"), (MEMBER, "李明"), (OTHER_CREW, "赵磊"), (DISPATCHER, "调度员")):
            sb.create_user(user_id, first_name=name, language_code="zh-hans")
        settings = sandbox_settings(sb, tmp / "browser.sqlite3", lang="zh", board=board_section())
        async with (
            running_bot(settings),
            running_board(settings) as address,
            playwright_api.async_playwright() as pw,
        ):
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                yield Stage(sb, settings, address, browser)
            finally:
                await browser.close()


async def test_signed_out_visitor_is_sent_to_sign_in(stage: Stage) -> None:
    page = await stage.browser.new_page()
    await page.goto(stage.address + "/")
    assert page.url == stage.address + "/signin"
    assert "/board" in await page.inner_text("#ask")
    await page.close()


async def test_reused_and_expired_links_are_refused(stage: Stage) -> None:
    link = await stage.link()
    first = await stage.browser.new_page()
    await first.goto(link)
    await first.click("#signin")
    await first.wait_for_url(stage.address + "/")
    second = await stage.browser.new_page()  # same link again (another tab, or someone it was forwarded to)
    await second.goto(link)
    await second.click("#signin")
    assert await second.is_visible("#refused") and second.url == stage.address + "/signin"
    expired = sign(SECRET, Claims("link", 1, "gone", datetime.now(UTC) - timedelta(seconds=1)))
    await second.goto(stage.address + "/signin?t=" + expired)
    assert await second.is_visible("#refused") and not await second.is_visible("#signin")
    for page in (first, second):
        await page.close()


def keep(path: Path, png: bytes) -> None:
    path.write_bytes(png)


async def _pixels(page: Any, png: bytes) -> int:
    """How many different colours the screenshot has (decoded by the browser's own canvas)."""
    data = base64.b64encode(png).decode("ascii")
    return int(
        await page.evaluate(
            """async (data) => {
                const img = new Image(); img.src = 'data:image/png;base64,' + data; await img.decode();
                const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                const px = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();
                for (let i = 0; i < px.length; i += 4 * 7) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
                return seen.size;
            }""",
            data,
        )
    )


async def test_board_renders_in_chinese_with_the_cjk_font(stage: Stage) -> None:
    await fill_report(stage.sb)
    page = await stage.signed_in_page()
    await page.wait_for_selector('tr[data-ticket="1"]')
    shot = await page.screenshot(full_page=True)
    if folder := os.environ.get("HOTLINE_SCREENSHOTS"):
        keep(Path(folder, "board.png"), shot)
    assert await _pixels(page, shot) > 50, "the screenshot is (nearly) blank"
    # Each character drawn on its own: a font that has them draws each differently; missing glyphs are
    # all the same box ("tofu"), like the unassigned code point drawn last.
    await page.evaluate(
        """(chars) => { const box = document.createElement('div'); box.id = 'glyphs';
            for (const ch of chars) { const s = document.createElement('span'); s.textContent = ch;
              s.style.cssText = 'display:inline-block;width:48px;height:48px;font-size:40px;background:#fff;color:#000';
              box.appendChild(s); }
            document.body.prepend(box); }""",
        [*CJK, "\u0378"],
    )
    spans = await page.query_selector_all("#glyphs span")
    shots = [await span.screenshot() for span in spans]
    assert len(set(shots)) == len(shots), "some Chinese characters are drawn as the same box (tofu)"
    cdp = await page.context.new_cdp_session(page)
    root = await cdp.send("DOM.getDocument")
    node = await cdp.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": "h1"})
    await cdp.send("CSS.enable")
    fonts = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    families = [f["familyName"] for f in fonts["fonts"] if f["glyphCount"] > 0]
    assert any("CJK" in name or "Han" in name for name in families), f"the title is drawn with {families}"
    await page.context.close()


async def test_crew_accepting_shows_within_two_seconds_and_clocks_tick(stage: Stage) -> None:
    page = await stage.signed_in_page()
    state = 'tr[data-ticket="1"] td.state'
    await page.wait_for_selector(state)
    assert "接单" not in await page.inner_text(f".open {state}")
    await page.evaluate("window.notReloaded = true")
    age = await page.inner_text('tr[data-ticket="1"] [data-since]')
    await page.wait_for_function(
        "(before) => document.querySelector('tr[data-ticket=\"1\"] [data-since]').textContent !== before",
        arg=age,
        timeout=5000,
    )
    await tap(stage.sb, None, MEMBER, "t:acc:1")  # pressed, and the bot done with it (committed)
    await page.wait_for_function(
        "() => document.querySelector('.open tr[data-ticket=\"1\"] td.state').textContent.includes('接单')",
        timeout=2000,  # the promise: a change reaches an open page within 2 s, without reloading
    )
    assert await page.evaluate("window.notReloaded === true")
    await page.context.close()


async def test_masked_phone_is_not_in_the_page_source(stage: Stage) -> None:
    page = await stage.signed_in_page()
    source = await page.content()
    assert 'data-ticket="1"' in source
    assert "13812345678" not in source and "1234 5678" not in source and "Flat 501" not in source
    await page.click('a[href$="/ticket/1"]')
    assert "13812345678" in (await page.content()).replace(" ", "")
    await page.context.close()
