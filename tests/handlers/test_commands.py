"""The command menus each client shows (handlers.commands): derived from the routes and their permissions."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import BotCommandScopeChat

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.core import FEATURES
from bot.routes import PERMISSIONS, RESIDENT, ROLES, RouteError, Router, Routes
from handlers.commands import register_commands
from sandbox.testing import sandbox_and_bot
from storage.db import Database
from tests.kit.crew import ROLES as USERS
from tests.kit.crew import crew_settings, harness


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


@pytest.mark.parametrize("role", ROLES)
def test_every_command_route_is_in_exactly_the_menus_of_the_roles_allowed_to_use_it(role: str) -> None:
    routes = Routes(FEATURES)
    menu = routes.command_menu(role)
    assert len(menu) == len(set(menu))
    wrong = [
        name
        for name, route in routes.commands.items()
        if (name in menu) != PERMISSIONS[route.permission].admits_role(role)
    ]
    assert not wrong, f"{role}'s menu and the routes' permissions disagree on {wrong}"


def test_a_role_sees_its_own_work_first() -> None:
    routes = Routes(FEATURES)
    assert routes.command_menu("admin")[0] == "broadcast"
    assert routes.command_menu("dispatcher")[:3] == ["open", "ticket", "assign"]
    assert routes.command_menu("crew")[0] == "duty" and routes.command_menu(RESIDENT)[0] == "start"
    assert "msg" not in routes.command_menu(RESIDENT)  # only staff write to a ticket's resident


def test_a_command_without_its_menu_text_fails_at_start_up() -> None:
    async def nothing(ctx: object) -> None:
        return None

    router = Router("test")
    router.command("frobnicate", nothing)
    with pytest.raises(RouteError, match="no menu text 'commands.frobnicate'"):
        Routes([router])


async def test_each_staff_member_gets_the_menu_of_their_role(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    await harness(settings, db, clock)
    routes = Routes(FEATURES)
    async with sandbox_and_bot() as (sb, bot):
        for user_id in USERS.values():
            sb.create_user(int(user_id))
        await register_commands(bot, db, routes)
        assert [c.command for c in await bot.get_my_commands()] == routes.command_menu(RESIDENT)
        for who, user_id in USERS.items():  # a resident (and a stranger) keeps the default menu
            role = "crew" if who == "other_crew" else who if who in ROLES else RESIDENT
            shown = [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(int(user_id)))]
            assert shown == (routes.command_menu(role) if role != RESIDENT else []), who
