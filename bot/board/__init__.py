"""The live dispatch board: ``hotline board --config PATH``, a web page of its own process.

It reads the database read-only, signs staff in with one-time links the bot sends (/board), and
pushes changes to open pages by server-sent events. ``command`` is the chat side (the /board command);
the rest is the board's process. Nothing here is imported by the bot's safety path but ``command``.
"""
