"""Broadcasts: the seasonal calendar, the campaign runner, the broadcaster, subscriptions, chat commands."""
