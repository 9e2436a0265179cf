"""Key sites (重点部位): school canteens, restaurants, boiler rooms, hospitals, markets, elderly homes.

``model`` (a site, the ``[key_site_match]`` rule and the matching and raising, pure), ``store`` (the sites
in force: configured and imported), ``sheet`` (reading a CSV/XLSX), ``chat`` (``/site``), ``cli``
(``hotline sites``). Nothing is imported here, so the configuration can import ``bot.key_sites.model``.
"""
