"""A chat-ordered processor whose keys are the updates themselves: its bookkeeping driven without building
Telegram updates (tests/handlers/test_processor*.py)."""

from collections.abc import Hashable

from handlers.processor import ChatOrderedProcessor


class IntKeyed(ChatOrderedProcessor):
    """Keys are the updates themselves: lets the bookkeeping be driven without building Updates."""

    def key_for(self, update: object) -> Hashable:
        return update
