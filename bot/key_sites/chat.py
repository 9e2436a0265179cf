"""``/site NAME``: a key site's kind, address, pin and contact, for crews and the desk (``bot.authz``);
``/site`` alone lists the key sites in force."""

from __future__ import annotations

import logging

from bot.context import Ctx
from bot.intake.geocode import map_link
from bot.key_sites.model import KeySite
from bot.key_sites.store import sites_in_force
from bot.people.phone import display_phone
from bot.routes import Router

logger = logging.getLogger(__name__)

MAX_LISTED = 30


def site_text(ctx: Ctx, site: KeySite) -> str:
    lines = [
        ctx.t("key_sites.site_title", name=site.name, kind=ctx.t(f"key_sites.kind_{site.kind}")),
        ctx.t("key_sites.site_address", address=site.address or "-"),
        ctx.t("key_sites.site_phone", phone=display_phone(site.phone) if site.phone else "-"),
    ]
    if site.lat is not None and site.lon is not None:
        lines.append(
            ctx.t(
                "key_sites.site_pin",
                lat=f"{site.lat:.5f}",
                lon=f"{site.lon:.5f}",
                link=map_link(ctx.settings, site.lat, site.lon),
            )
        )
    return "\n".join(lines)


async def site_command(ctx: Ctx) -> None:
    sites = await sites_in_force(ctx.tx, ctx.settings)
    query = " ".join(ctx.ev.args).strip().casefold()
    if not query:
        if not sites:
            ctx.say("key_sites.none_configured")
            return
        lines = [ctx.t("key_sites.list_title", count=len(sites))]
        lines += [
            ctx.t("key_sites.list_line", name=s.name, kind=ctx.t(f"key_sites.kind_{s.kind}"))
            for s in sites[:MAX_LISTED]
        ]
        ctx.say_text("\n".join(lines))
        return
    exact = [s for s in sites if s.name.casefold() == query]
    found = exact or [s for s in sites if query in s.name.casefold() or query in s.address.casefold()]
    if not found:
        ctx.say("key_sites.not_found", query=" ".join(ctx.ev.args))
        return
    ctx.say_text("\n\n".join(site_text(ctx, site) for site in found[:5]))


ROUTES = Router("key_sites")
ROUTES.command("site", site_command, "staff", refusal="key_sites.refused")
