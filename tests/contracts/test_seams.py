"""Contracts: every seam in the registry (``lab.sandbox.seams``) against moto 5.2.5.

One place for a moto upgrade to fail first: a seam whose target moto no longer has, one
whose original is no longer moto's own (or was already replaced), an ``add`` seam for an
attribute moto now has itself, or a seam naming a contract test that does not exist.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import types
from pathlib import Path

import pytest

from lab.sandbox import seams

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = seams.registry()


@pytest.fixture(scope="module", autouse=True)
def installed():
    seams.install()


def _ids(seam: seams.Seam) -> str:
    return seam.target


def _defined_in(value) -> str | None:
    """The module a function, class, property or module comes from (None for plain data)."""
    if isinstance(value, types.ModuleType):
        return value.__name__
    if isinstance(value, property):
        value = value.fget
    if isinstance(value, staticmethod | classmethod):
        value = value.__func__
    value = inspect.unwrap(value) if callable(value) else value
    if inspect.isfunction(value) or inspect.isclass(value) or inspect.isbuiltin(value):
        return value.__module__
    return None


def test_the_registry_is_not_empty_and_names_each_target_once():
    targets = [seam.target for seam in REGISTRY]
    assert len(targets) > 50
    assert len(targets) == len(set(targets))


@pytest.mark.parametrize("seam", REGISTRY, ids=_ids)
def test_the_seam_replaces_what_moto_has(seam):
    """Not an ``add``: moto has the target, and its original is moto's (not the lab's)."""
    moto_value = seams.original(seam.target)
    if seam.kind == "add":
        assert moto_value is seams.MISSING, f"moto now has {seam.target}: compare, then drop ours"
        return
    if seam.kind == "module":
        assert importlib.util.find_spec(seam.target) is not None
        return
    assert moto_value is not seams.MISSING, f"moto has no {seam.target} any more"
    origin = _defined_in(moto_value)
    if origin is not None:
        assert origin.startswith(seam.expected_origin), (seam.target, origin)
        assert not origin.startswith("lab."), seam.target


@pytest.mark.parametrize("seam", [s for s in REGISTRY if s.also], ids=_ids)
def test_names_imported_by_name_held_the_same_original(seam):
    """``also``: the modules that imported the target by name held moto's very object."""
    for other in seam.also:
        assert seams.original(other) is seams.original(seam.target), other


@pytest.mark.parametrize("seam", REGISTRY, ids=_ids)
def test_the_seam_is_installed(seam):
    value = seams.installed(seam.target)
    assert value is not seams.MISSING
    if seam.kind == "module":
        import sys

        assert sys.modules[seam.target] is value
        return
    holder, name = seams.resolve(seam.target)
    current = inspect.getattr_static(holder, name)
    if seam.kind == "extend":
        items = seam.replacement.items() if isinstance(seam.replacement, dict) else None
        if items is not None:
            assert all(current.get(key) is item for key, item in items)
        else:
            assert all(item in current for item in seam.replacement)
        return
    assert current is value or getattr(holder, name) is value
    for other in seam.also:
        other_holder, other_name = seams.resolve(other)
        assert getattr(other_holder, other_name) is value, other
    if seam.kind == "replace" or seam.kind == "add":
        assert value is seam.replacement


def test_installing_again_changes_nothing():
    before = {seam.target: seams.installed(seam.target) for seam in REGISTRY}
    seams.install()
    seams.install(*seams.PACKAGES)
    assert {seam.target: seams.installed(seam.target) for seam in REGISTRY} == before


@pytest.mark.parametrize("seam", REGISTRY, ids=_ids)
def test_the_seam_names_an_existing_contract_test(seam):
    path, _, name = seam.contract.partition("::")
    assert path.startswith("tests/contracts/"), seam.contract
    tree = ast.parse((ROOT / path).read_text())
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert name in tests, seam.contract


@pytest.mark.parametrize("seam", REGISTRY, ids=_ids)
def test_the_seam_belongs_to_a_lab_module_that_defines_the_replacement(seam):
    module = importlib.import_module(seam.owner)
    assert seam.why.strip(), seam.target
    origin = _defined_in(seam.replacement)
    if origin is not None and not isinstance(seam.replacement, types.ModuleType):
        assert origin == module.__name__ or origin.startswith("functools"), (seam.target, origin)


def test_no_patch_bypasses_the_registry():
    """The markers of the old ways (one per package) are gone from lab/."""
    markers = re.compile(r"__lab_patched__|\.moto_original\b|lab_shim|_original\[|__lab_original__")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "lab").rglob("*.py")
        if markers.search(path.read_text())
    ]
    assert offenders == []
