"""environment.yml (conda) and pyproject.toml (pip) install the same pinned packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_packages(environment: dict) -> list[str]:
    return [entry for entry in environment["dependencies"] if isinstance(entry, str)]


def pip_pins(environment: dict) -> list[str]:
    sections = [entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)]
    assert len(sections) == 1, "environment.yml should have exactly one pip: section"
    return sections[0]


def conda_spec(environment: dict, name: str) -> str | None:
    """The version part of a conda dependency like ``python=3.11`` or ``nodejs>=20``."""
    for entry in conda_packages(environment):
        match = re.fullmatch(rf"{re.escape(name)}\s*([=<>!~].*)?", entry.strip())
        if match:
            return match.group(1) or ""
    return None


def _extras(project: dict) -> list[str]:
    return [pin for extra in project["optional-dependencies"].values() for pin in extra]


def test_pip_pins_equal_pyproject_dependencies_plus_every_extra(pyproject, environment):
    expected = pyproject["project"]["dependencies"] + _extras(pyproject["project"])
    pins = pip_pins(environment)
    assert len(pins) == len(set(pins)), "environment.yml lists a pip package twice"
    assert sorted(pins) == sorted(expected)


def test_every_python_dependency_is_pinned_exactly(pyproject):
    project = pyproject["project"]
    for requirement in project["dependencies"] + _extras(project):
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z,]+\])?==[0-9][0-9A-Za-z.]*", requirement), (
            f"{requirement!r} is not an exact pin (name==version)"
        )


def test_conda_channel_is_conda_forge_only(environment):
    assert environment["channels"] == ["conda-forge"]


def test_conda_python_satisfies_requires_python(pyproject, environment):
    spec = conda_spec(environment, "python")
    assert spec is not None, "environment.yml must list python"
    minimum = pyproject["project"]["requires-python"].removeprefix(">=")
    conda_version = spec.lstrip("=<>~!")
    assert tuple(map(int, conda_version.split("."))) >= tuple(map(int, minimum.split(".")))


def test_conda_lists_nodejs_for_the_cdk(environment):
    # aws-cdk-lib runs its jsii kernel in Node.js; pip cannot install Node
    assert conda_spec(environment, "nodejs") is not None
