"""Imports the sandbox pays for at start-up without needing them: deferred to first use.

``rfc3987_syntax`` builds an Earley parser for the whole RFC 3987 grammar when it is
imported: 2-9 s of CPU on this project's 2-core machines, most of a sandbox cold start.
Nothing in the sandbox needs it: ``jsonschema`` imports it (when it is installed, as it is
here for Jupyter) to check the ``iri`` string format, and moto imports ``jsonschema``
through ``openapi_spec_validator`` when ``moto.apigateway`` is imported.

:func:`defer_import` puts a stand-in module in its place that loads the real one the
first time anything uses it, so ``iri`` checks still answer exactly as before. Each
deferral is a ``module`` seam (:func:`seams`), installed first by :mod:`lab.sandbox.seams`.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

#: Module -> the functions importers take from it with ``from module import name``.
DEFERRED = {"rfc3987_syntax": ("is_valid_syntax",)}

_lock = threading.Lock()


def defer_import(module: str, functions: tuple[str, ...]) -> bool:
    """Stand in for ``module`` until it is used; its ``functions`` load it when called.

    Any other attribute loads it at once. Does nothing if the module is loaded already or
    not installed. Returns True if the stand-in is (now) in place.
    """
    current = sys.modules.get(module)
    if current is not None:
        return getattr(current, "lab_stand_in", False)
    spec = importlib.util.find_spec(module)
    if spec is None:
        return False
    stand_in = types.ModuleType(module, f"Stand-in for {module} (lab.sandbox.lazy_imports).")
    stand_in.__path__ = list(spec.submodule_search_locations or [])  # submodules still import

    def real() -> types.ModuleType:
        with _lock:
            loaded = sys.modules.get(module)
            if loaded is stand_in:
                del sys.modules[module]
                try:
                    loaded = importlib.import_module(module)
                except BaseException:
                    sys.modules[module] = stand_in
                    raise
            return loaded

    def delegate(name: str):
        def function(*args: Any, **kwargs: Any) -> Any:
            return getattr(real(), name)(*args, **kwargs)

        function.__name__ = name
        return function

    for name in functions:
        setattr(stand_in, name, delegate(name))

    def module_getattr(name: str) -> Any:  # PEP 562: any other attribute loads the real module
        return getattr(real(), name)

    stand_in.__getattr__ = module_getattr
    stand_in.lab_stand_in = True
    sys.modules[module] = stand_in
    return True


def seams():
    """One ``module`` seam per deferral (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    return tuple(
        Seam(
            __name__,
            module,
            functools.partial(defer_import, functions=functions),
            f"importing {module} costs seconds of start-up the sandbox does not need",
            "tests/contracts/test_moto_server.py::"
            "test_jsonschema_takes_only_is_valid_syntax_from_rfc3987_syntax",
            kind="module",
            origin=module,
        )
        for module, functions in DEFERRED.items()
    )
