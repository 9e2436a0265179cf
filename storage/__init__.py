"""Durable storage on SQLite (aiosqlite)."""
