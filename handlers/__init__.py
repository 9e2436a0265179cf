"""Telegram adapter: Update -> core event, core reply -> Telegram."""
