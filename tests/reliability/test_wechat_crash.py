"""kill -9 during WeChat callbacks: the bot runs as a real subprocess with the WeChat callback beside Telegram;
residents on the WeChat sandbox report leaks (sending again, as people do, when WeChat says the account cannot
answer) while the bot is killed with SIGKILL at random moments and restarted.

At the end: every callback the bot took is handled (none left in the inbox), every resident who sent a pin has
exactly one ticket and saw its receipt, WeChat refused no send (the window ledger survived the kills), and the
outbox is drained.
"""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
from pathlib import Path

from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wechat import WechatSandbox
from tests.kit.botproc import BotProcess, bot_config, query, toml_dump, wait_until

LEAK = "I smell gas, it's strong in the kitchen"


async def keep_trying(step: object, *, tries: int = 40) -> str:
    """A resident repeats until WeChat shows an answer (the bot may be down for a moment)."""
    assert callable(step)
    for _ in range(tries):
        reply = await step()
        if reply:
            return str(reply)
        await asyncio.sleep(0.3)
    raise TimeoutError("no answer after many tries")


async def test_kill9_during_wechat_callbacks_loses_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    residents = [f"oCrash{n:02d}" for n in range(10)]
    rng = random.Random(11)
    db = tmp_path / "wx-crash.sqlite3"
    async with WechatSandbox() as wx:
        callback = f"http://127.0.0.1:{free_port()}/wechat"
        config = tmp_path / "wx-crash.toml"
        config.write_text(toml_dump(bot_config(sandbox, db, wechat=wx.wechat_settings(callback))), encoding="utf-8")
        bot = BotProcess(config, tmp_path / "bot.log")
        await bot.start()
        try:

            def in_hand() -> bool:
                try:
                    return bool(query(db, "SELECT 1 FROM wechat_inbox WHERE handled_at IS NULL LIMIT 1"))
                except sqlite3.Error:
                    return False

            async def killer() -> None:
                for n in range(6):
                    if n % 2:  # at a random moment
                        await asyncio.sleep(rng.uniform(0.5, 2.0))
                    else:  # the moment a callback is taken and not yet handled, if one comes within 3 s
                        for _ in range(1500):
                            if in_hand():
                                break
                            await asyncio.sleep(0.002)
                    await bot.kill9()
                    await bot.start()

            async def resident(openid: str) -> None:
                await asyncio.sleep(rng.uniform(0, 3.0))
                await keep_trying(lambda: wx.text(openid, LEAK))
                await keep_trying(lambda: wx.location(openid, 31.2304, 121.4737))
                await keep_trying(lambda: wx.text(openid, "Building 3, Flat 501"))

            await asyncio.gather(killer(), *(resident(openid) for openid in residents))
            for openid in residents:
                await wx.wait_for(openid, "工单 #", timeout_s=60)
            await wait_until(
                lambda: query(db, "SELECT COUNT(*) FROM wechat_inbox WHERE handled_at IS NULL")[0][0] == 0,
                timeout_s=30,
                what="every callback taken was handled",
            )
            await wait_until(
                lambda: query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0] == 0,
                timeout_s=60,
                what="outbox drained",
            )
        finally:
            code = await bot.stop()
    assert code == 0, bot.log_text()[-3000:]
    per_resident = query(
        db, "SELECT p.external_id, COUNT(t.id) FROM people p JOIN tickets t ON t.resident_id = p.id"
        " WHERE p.channel = 'wechat' GROUP BY p.external_id"
    )  # fmt: skip
    assert sorted(per_resident) == [(openid, 1) for openid in residents], per_resident
    assert not wx.api.errors, wx.api.errors
    taken = query(db, "SELECT COUNT(*) FROM wechat_inbox")[0][0]
    replayed = sum(
        int(m.group(1)) for m in re.finditer(r"wechat: (\d+) callback\(s\) taken before a stop", bot.log_text())
    )
    print(
        f"wechat kill -9: {len(residents)} residents, {bot.kills} kills, {taken} callbacks taken,"
        f" {replayed} handled after a restart, one ticket each"
    )
