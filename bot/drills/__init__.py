"""Drills (演练): a scripted report sent to a crew that flows like a real one and ends with a drill report.

``scenarios`` (the scripted reports, data in ``bot/data/drills.toml``), ``start`` (sending a drill, or
waiting behind a real P1), ``report`` (what the drill showed), ``chat`` (``/drill``), ``cli``
(``hotline drill``), ``figures`` (drills for ``hotline figures``). Nothing is imported here, so the
configuration can import ``bot.drills.config`` without the rest.
"""
