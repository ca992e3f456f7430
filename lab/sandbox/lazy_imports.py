"""Imports the sandbox pays for at start-up without needing them: deferred, or made cheaper.

``rfc3987_syntax`` builds an Earley parser for the whole RFC 3987 grammar when it is
imported: 2-9 s of CPU on this project's 2-core machines, most of a sandbox cold start.
Nothing in the sandbox needs it: ``jsonschema`` imports it (when it is installed, as it is
here for Jupyter) to check the ``iri`` string format, and moto imports ``jsonschema``
through ``openapi_spec_validator`` when ``moto.apigateway`` is imported.

:func:`defer_import` puts a stand-in module in its place that loads the real one the
first time anything uses it, so ``iri`` checks still answer exactly as before. Each
deferral is a ``module`` seam (:func:`seams`), installed first by :mod:`lab.sandbox.seams`.

:func:`import_with_one_session` imports a moto module whose import makes several fresh
``boto3.Session`` objects (each parsing botocore's endpoint data) with one botocore
session shared among them, for the duration of that import only (also a ``module`` seam).
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

#: moto modules that build lists at import from several fresh ``boto3.Session()`` objects:
#: ``RegionsAndZonesBackend`` asks three new sessions for EC2's regions (one per partition),
#: and each new session loads and parses botocore's endpoint data again (~0.5 s of the
#: sandbox's start on a 2-core machine; one session answers all three in ~0.1 s).
SHARED_SESSION_IMPORTS = ("moto.ec2.models.availability_zones_and_regions",)

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
    # Tools that scan sys.modules (hypothesis' ``__file__``, importlib.util.find_spec's
    # ``__spec__``) get the real module's answers without loading it.
    stand_in.__file__ = spec.origin
    stand_in.__spec__ = spec

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


def import_with_one_session(module: str) -> bool:
    """Import ``module`` with its argument-less ``boto3.Session()`` calls sharing one botocore
    session; afterwards every module that took ``Session`` meanwhile has boto3's own again.

    The answers are the same (the same botocore data, read once); only the import is
    cheaper. Does nothing if ``module`` is loaded already. Returns True if it imported it.
    """
    if module in sys.modules:
        return False
    import boto3
    import botocore.session

    core = botocore.session.Session()
    real = boto3.Session

    def shared_session(*args: Any, **kwargs: Any):
        if not args and not kwargs:
            return real(botocore_session=core)
        return real(*args, **kwargs)

    with _lock:
        boto3.Session = shared_session
        try:
            importlib.import_module(module)
        finally:
            boto3.Session = real
            for loaded in list(sys.modules.values()):
                namespace = getattr(loaded, "__dict__", None) or {}
                if namespace.get("Session") is shared_session:
                    loaded.Session = real
    return True


def seams():
    """One ``module`` seam per deferral and per shared-session import (:mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    shared = tuple(
        Seam(
            __name__,
            module,
            import_with_one_session,
            "moto parses botocore's endpoint data once per boto3 Session it makes at import",
            "tests/contracts/test_moto_server.py::"
            "test_ec2_regions_and_zones_are_the_same_with_one_shared_session",
            kind="module",
            origin=module,
        )
        for module in SHARED_SESSION_IMPORTS
    )
    return shared + tuple(
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
