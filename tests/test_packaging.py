"""What a utility's procurement and IT department read before they install: the licence, the supported
Pythons, and that the installed package says the same as pyproject.toml."""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SUPPORTED = ("3.11", "3.12", "3.13")


def test_the_licence_file_is_apache_2() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text.splitlines()[0]
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_pyproject_names_the_licence_and_ships_the_file() -> None:
    assert PROJECT["license"] == "Apache-2.0"  # an SPDX expression (PEP 639)
    assert PROJECT["license-files"] == ["LICENSE"]
    # PEP 639: a licence expression and a "License ::" classifier must not both be given
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]


def test_supported_pythons_are_classified_and_required() -> None:
    classified = {
        c.rsplit(" :: ", 1)[1] for c in PROJECT["classifiers"] if c.startswith("Programming Language :: Python :: 3.")
    }
    assert classified == set(SUPPORTED)
    assert PROJECT["requires-python"] == f">={SUPPORTED[0]}"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in SUPPORTED, "this Python is not a supported one"


def test_project_urls_if_given_are_https() -> None:
    for name, url in PROJECT.get("urls", {}).items():
        assert url.startswith("https://"), name


def test_the_installed_distribution_carries_the_licence() -> None:
    meta = metadata.metadata("gas-hotline-bot")
    assert meta["License-Expression"] == "Apache-2.0", "reinstall: make test reinstalls when pyproject.toml changes"
    assert "Programming Language :: Python :: 3.13" in meta.get_all("Classifier", [])
    assert any(name.endswith("LICENSE") for name in meta.get_all("License-File", []))
