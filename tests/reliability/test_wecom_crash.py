"""kill -9 during WeCom callbacks loses nothing: the bot runs as a subprocess with crew A on the WeCom
sandbox; each of the lead's taps is POSTed and the bot is killed right after (or while) it answers, then
started again. What the callback kept before answering is handled at the next start; a callback that saw no
answer is delivered again (as WeCom retries) and acted on once. The ticket ends on site, each step recorded
once, and the lead's card shows the last state."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from bot.cli.demo import RESIDENT
from bot.cli.demo_wecom import ROBOT, ROBOT_KEY, WECOM_LEAD, WECOM_MEMBER
from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wecom import FakeWeCom, Received
from tests.kit.botproc import BotProcess, bot_config, query, toml_dump, wait_until


def has(prefix: str) -> object:
    return lambda received: any(key.startswith(prefix) for key in received.payloads())


async def deliver(wecom: FakeWeCom, bot: BotProcess, received: Received, key: str, *, kill_after_s: float) -> int:
    """Tap ``key``; kill the bot ``kill_after_s`` after the POST starts; start it again; POST the same
    callback again until the new bot answers 200 (WeCom retries what it saw no answer to). Returns how many
    POSTs it took."""
    body, query_ = wecom.encrypt(
        wecom._xml(
            WECOM_LEAD,
            {
                "MsgType": "event",
                "Event": "template_card_event",
                "EventKey": key,
                "TaskId": received.task_id,
                "CardType": "button_interaction",
                "ResponseCode": wecom.world.issue_code(received.task_id, (WECOM_LEAD,)),
            },
        )
    )
    first = asyncio.create_task(wecom.post_raw(body, query_))
    await asyncio.sleep(kill_after_s)
    await bot.kill9()
    await first
    await bot.start()
    posts, status = 1, 0
    while status != 200:  # again, whatever the first POST got: a repeat the bot took already is not acted on
        await asyncio.sleep(0.3)
        status = await wecom.post_raw(body, query_)
        posts += 1
        assert posts < 100, "the bot never took the callback again"
    return posts


async def test_kill_9_during_callbacks_loses_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    rng = random.Random(17)
    async with FakeWeCom() as wecom:
        for userid in (WECOM_LEAD, WECOM_MEMBER):
            wecom.world.member(userid)
        listen = f"127.0.0.1:{free_port()}"
        wecom.callback_url = f"http://{listen}/wecom/callback"
        db = tmp_path / "wecom-crash.sqlite3"
        crews = [
            {
                "name": "A",
                "group_chat_id": ROBOT,
                "group_channel": "wecom",
                "members": [
                    {"user_id": WECOM_LEAD, "name": "Wang Qiang", "role": "lead", "lang": "en", "channel": "wecom"},
                    {"user_id": WECOM_MEMBER, "name": "Li Ming", "lang": "en", "channel": "wecom"},
                ],
            },
            {"name": "B", "members": [{"user_id": "1003", "name": "Zhao Lei", "role": "lead", "lang": "en"}]},
        ]
        wecom_section = wecom.settings(callback_listen=listen, robots={ROBOT: ROBOT_KEY})
        config = tmp_path / "wecom-crash.toml"
        config.write_text(toml_dump(bot_config(sandbox, db, crews=crews, wecom=wecom_section)), encoding="utf-8")
        bot = BotProcess(config, tmp_path / "bot.log")
        await bot.start()
        try:
            await sandbox.send_text(RESIDENT, "There is a strong smell of gas in my kitchen")
            await sandbox.send_location(RESIDENT, 31.2304, 121.4737)
            card = await wecom.wait_for(WECOM_LEAD, has("t:acc:"), timeout_s=30)
            posts = []
            for key, state in (("t:acc:1", "accepted"), ("t:enr:1", "en_route"), ("t:site:1", "on_site")):
                posts.append(await deliver(wecom, bot, card, key, kill_after_s=rng.uniform(0.0, 0.05)))
                await wait_until(
                    lambda s=state: query(db, "SELECT status FROM tickets WHERE id = 1") == [(s,)],  # type: ignore[misc]
                    timeout_s=30,
                    what=f"ticket {state}",
                )
            await wait_until(lambda: "t:res:1" in card.payloads(), timeout_s=30, what="the card's last state")
            kinds = [str(r[0]) for r in query(db, "SELECT kind FROM ticket_events WHERE ticket_id = 1")]
            for kind in ("accepted", "en_route", "on_site"):
                assert kinds.count(kind) == 1, kinds
            assert query(db, "SELECT COUNT(*) FROM wecom_inbox WHERE handled_at IS NULL") == [(0,)]
            rows = query(db, "SELECT COUNT(*) FROM wecom_inbox")[0][0]
            print(f"WeCom kill -9: {bot.kills} kills, POSTs per tap {posts}, inbox rows {rows}")
        finally:
            code = await bot.stop()
        assert code == 0, bot.log_text()[-6000:]
