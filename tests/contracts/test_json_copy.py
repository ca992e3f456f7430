"""The interpreter's ``copy`` (``lab.sandbox.stepfunctions.json_copy``) copies as the stdlib does.

Pins what the seam relies on: which moto modules import ``copy`` and that they use nothing
of it but ``deepcopy`` through the module's own name; and that the JSON copy gives what
``copy.deepcopy`` gives, sharing no container with the original.
"""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path

import moto
import pytest

from lab.sandbox import seams
from lab.sandbox.stepfunctions import json_copy

PARSER = Path(moto.__file__).parent / "stepfunctions" / "parser"


def _module_name(path: Path) -> str:
    relative = path.relative_to(Path(moto.__file__).parent.parent).with_suffix("")
    return ".".join(relative.parts)


def _sources_importing_copy() -> dict[str, str]:
    found = {}
    for path in PARSER.rglob("*.py"):
        text = path.read_text()
        if re.search(r"^(import copy|from copy import)", text, re.MULTILINE):
            found[_module_name(path)] = text
    return found


def test_the_interpreter_modules_that_import_copy_are_the_seams_targets():
    found = _sources_importing_copy()

    assert set(found) == set(json_copy.MODULES) | set(json_copy.NOT_IMPORTED)
    for name, text in found.items():
        assert "from copy import" not in text, name  # a name import would keep the stdlib's
        used = set(re.findall(r"\bcopy\.(\w+)", text))
        assert used <= {"deepcopy"}, (name, used)


def test_the_seam_sets_the_json_copy_in_each_of_them():
    import importlib

    seams.install()

    for name in json_copy.MODULES:
        module = importlib.import_module(name)
        assert module.copy is json_copy, name
        assert module.copy.deepcopy is json_copy.deepcopy
        assert module.copy.copy is copy.copy  # everything else is the stdlib's


def _random_json(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 5 or roll < 0.35:
        return rng.choice(
            [None, True, False, 0, -7, 2**70, 1.5, float("inf"), "", "é", "x" * rng.randint(0, 40)]
        )
    if roll < 0.7:
        return {f"k{i}": _random_json(rng, depth + 1) for i in range(rng.randint(0, 6))}
    return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 6))]


def _containers(value) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *[i for v in value.values() for i in _containers(v)]]
    if isinstance(value, list):
        return [id(value), *[i for v in value for i in _containers(v)]]
    return []


def test_json_values_copy_equal_to_the_stdlib_and_share_nothing():
    rng = random.Random(20261202)
    for _ in range(2000):
        value = _random_json(rng)

        copied = json_copy.deepcopy(value)

        assert copied == copy.deepcopy(value)
        assert type(copied) is type(value)
        assert not set(_containers(copied)) & set(_containers(value))


class _Custom:
    def __init__(self, items):
        self.items = items

    def __eq__(self, other):
        return isinstance(other, _Custom) and other.items == self.items


@pytest.mark.parametrize(
    "value",
    [
        {"a": _Custom([1, {"b": 2}])},
        [(1, 2), {3, 4}, frozenset({5})],
        {(1, 2): "tuple key"},
        {1: "int key", 2.5: "float key"},
        __import__("collections").OrderedDict(a=[1]),
        __import__("datetime").datetime(2026, 12, 2),
    ],
    ids=["object", "tuples-and-sets", "tuple-key", "number-keys", "ordered-dict", "datetime"],
)
def test_anything_else_is_the_stdlib_s_copy(value):
    copied = json_copy.deepcopy(value)

    assert copied == copy.deepcopy(value)
    assert type(copied) is type(value)


def test_a_cycle_and_deep_nesting_go_to_the_stdlib():
    cycle: list = [1]
    cycle.append(cycle)
    deep: list = []
    current = deep
    for _ in range(json_copy.MAX_DEPTH + 10):
        current.append([])
        current = current[0]

    copied = json_copy.deepcopy(cycle)

    # The cycle is unrolled MAX_DEPTH times, then the stdlib copies the rest (a cycle again):
    # the same infinite value, sharing nothing with the original.
    node = copied
    for _ in range(json_copy.MAX_DEPTH + 2):
        assert node[0] == 1 and node is not cycle
        node = node[1]
    assert node[1] is node and node is not cycle
    assert json_copy.deepcopy(deep) == deep


def test_a_memo_means_a_deepcopy_hook_called_it():
    shared = [1]
    memo: dict = {}
    first = json_copy.deepcopy({"a": shared}, memo)

    assert json_copy.deepcopy(shared, memo) is first["a"]
