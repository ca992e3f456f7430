"""lab.sandbox.lazy_imports: a module stands in until it is used, then loads for real."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from lab.sandbox.lazy_imports import defer_import

_SLOW_MODULE = """
LOADS = __import__("builtins").__dict__.setdefault("lab_test_loads", [])
LOADS.append(1)
VERSION = "1.0"


def is_valid(value):
    return value == "good"
"""


@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """A module 'lab_slow_fake' on sys.path that records each time it is really loaded."""
    import builtins

    (tmp_path / "lab_slow_fake.py").write_text(_SLOW_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    builtins.lab_test_loads = []
    yield builtins.lab_test_loads
    sys.modules.pop("lab_slow_fake", None)
    del builtins.lab_test_loads


def test_importing_a_deferred_function_does_not_load_the_module(fake_module):
    assert defer_import("lab_slow_fake", ("is_valid",)) is True

    from lab_slow_fake import is_valid  # noqa: F401

    assert fake_module == []


def test_calling_a_deferred_function_loads_the_module_once_and_answers_as_it_does(fake_module):
    defer_import("lab_slow_fake", ("is_valid",))
    from lab_slow_fake import is_valid

    answers = [is_valid("good"), is_valid("bad")]

    assert answers == [True, False]
    assert fake_module == [1]
    assert not getattr(sys.modules["lab_slow_fake"], "lab_stand_in", False)


def test_any_other_attribute_loads_the_module(fake_module):
    defer_import("lab_slow_fake", ("is_valid",))
    import lab_slow_fake

    assert lab_slow_fake.VERSION == "1.0"
    assert fake_module == [1]


def test_a_module_already_loaded_or_not_installed_is_left_alone(fake_module):
    import lab_slow_fake  # noqa: F401

    assert defer_import("lab_slow_fake", ("is_valid",)) is False
    assert defer_import("lab_no_such_module_anywhere", ("f",)) is False
    assert "lab_no_such_module_anywhere" not in sys.modules


def test_its_file_is_the_real_modules_and_reading_it_loads_nothing(fake_module, tmp_path):
    """hypothesis' pytest plugin reads every module's ``__file__`` in sys.modules; the seams'
    contract tests ask importlib.util.find_spec."""
    defer_import("lab_slow_fake", ("is_valid",))

    assert sys.modules["lab_slow_fake"].__file__ == str(tmp_path / "lab_slow_fake.py")
    assert importlib.util.find_spec("lab_slow_fake").origin == str(tmp_path / "lab_slow_fake.py")
    assert fake_module == []
