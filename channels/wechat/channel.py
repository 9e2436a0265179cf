"""WeChat as a channel of the hotline: its name, its sender, how fast one resident may be sent to.

WeChat's own limits on a resident are counted by the window ledger (``channels.wechat.window``); the pace
here only keeps a burst of replies in order and unhurried (every chat is private on an Official Account).
"""

from __future__ import annotations

from bot.outbound.channels import Channel
from bot.outbound.delivery import Pace, Sender
from channels.wechat.convert import WECHAT

RESIDENT_PACE = Pace(5.0, 1.0)


class WechatPacing:
    def pace(self, chat: str) -> Pace:
        return RESIDENT_PACE


def wechat_channel(sender: Sender) -> Channel:
    return Channel(WECHAT, sender, WechatPacing(), concurrency=16)
