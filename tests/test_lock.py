"""requirements.lock is the tested set: in step with pyproject.toml's bounds, complete, hashed, and what
this virtual environment runs (``make`` installs from it; ``make lock`` refreshes it)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _locked() -> dict[str, tuple[Version, Marker | None]]:
    pins: dict[str, tuple[Version, Marker | None]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            pins[canonicalize_name(name)] = (Version(version), Marker(marker) if marker else None)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in (*project["dependencies"], *extras["dev"], *extras["bench"])]


def test_every_pin_is_hashed() -> None:
    text = LOCK.read_text(encoding="utf-8")
    pins = [line for line in text.splitlines() if PIN.match(line)]
    assert len(pins) > 30
    for block in re.split(r"\n(?=[A-Za-z0-9])", text)[1:]:
        if PIN.match(block.splitlines()[0]):
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_every_declared_dependency_is_pinned_within_its_bounds() -> None:
    pins = _locked()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is in pyproject.toml but not in requirements.lock: run make lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock has {name}=={version}, outside pyproject.toml's {requirement}: run make lock"
        )


def test_this_environment_runs_the_locked_versions() -> None:
    drift = []
    for name, (version, marker) in _locked().items():
        if marker is not None and not marker.evaluate():
            continue
        installed = Version(metadata.version(name))
        if installed != version:
            drift.append(f"{name}: installed {installed}, locked {version}")
    assert not drift, "the virtual environment is not the locked set (make reinstalls it): " + "; ".join(drift)


def test_libraries_whose_internals_we_use_are_bounded_above() -> None:
    bounded = {canonicalize_name(r.name): r for r in _declared()}
    for name in ("python-telegram-bot", "aiosqlite"):
        assert any(spec.operator in ("<", "<=", "==", "~=") for spec in bounded[name].specifier), name
