"""The core's routes against the declared authorisation matrix (tests/kit/authz.py): a new command or button
without a declared permission fails ``test_every_command_and_button_is_declared``, so nobody can add an
unprotected staff action; ``test_route_permissions_agree_with_the_matrix`` holds each route's declared permission
(bot.routes, checked in one place) to its row. Every cell is run in test_authz_matrix.py."""

from __future__ import annotations

from bot.routes import PERMISSIONS, Route
from tests.kit.authz import BUTTON_RULES, COMMAND_RULES, ROLES, SELF_SCOPED_PREFIXES, core_tables, crew_actions


def test_every_command_and_button_is_declared() -> None:
    commands, buttons = core_tables()
    undeclared = sorted(set(commands) - set(COMMAND_RULES))
    assert not undeclared, f"commands without a declared permission row: {undeclared}"
    undeclared_buttons = sorted(
        prefix
        for prefix in buttons
        if prefix not in SELF_SCOPED_PREFIXES and not any(key.startswith(prefix) for key in BUTTON_RULES)
    )
    assert not undeclared_buttons, f"button prefixes without a declared permission row: {undeclared_buttons}"
    declared_actions = {key.split(":")[1] for key in BUTTON_RULES if key.startswith("t:")}
    missing = sorted(crew_actions(buttons) - declared_actions)
    assert not missing, f"crew button actions without a declared permission row: {missing}"


# The stored role of each matrix role; and the commands whose row is narrower than their route's permission
# because the handler also checks the data (/msg: only whoever may work that ticket).
STORED_ROLE = {"stranger": "resident", "resident": "resident", "other_crew": "crew", "crew": "crew"}
DATA_SCOPED_COMMANDS = {"msg"}


def _admitted(route: Route) -> frozenset[str]:
    permission = PERMISSIONS[route.permission]
    return frozenset(
        role for role in ROLES if permission.roles is None or STORED_ROLE.get(role, role) in permission.roles
    )


def test_route_permissions_agree_with_the_matrix() -> None:
    """A command's route admits exactly its row's roles (a button's: at least them; its handler checks the
    ticket); so the one check in the dispatcher carries the matrix, not a copy in each handler."""
    commands, buttons = core_tables()
    wrong = [
        f"/{name}: route admits {sorted(_admitted(route))}, row allows {sorted(COMMAND_RULES[name].allowed)}"
        for name, route in commands.items()
        if name in COMMAND_RULES
        and not (
            COMMAND_RULES[name].allowed <= _admitted(route)
            if name in DATA_SCOPED_COMMANDS
            else COMMAND_RULES[name].allowed == _admitted(route)
        )
    ]
    for key, rule in BUTTON_RULES.items():
        route = next((r for prefix, r in buttons.items() if key.startswith(prefix)), None)
        if route is not None and not rule.allowed <= _admitted(route):
            wrong.append(f"{key}: route admits {sorted(_admitted(route))}, row allows {sorted(rule.allowed)}")
    assert not wrong, "\n".join(wrong)
