"""Every change the sandbox makes to moto (and to what moto imports), in one registry.

A :class:`Seam` is one attribute the sandbox sets on someone else's object: it names the
lab module that owns the replacement, the target (``"module:Object.attribute"``), the
replacement, why it is needed, and the contract test in ``tests/contracts/`` that pins
what the replacement relies on. Each service package declares its seams in a
``seams()`` function; :func:`install` applies them, package by package, in
:data:`PACKAGES` order, once (a second call does nothing). moto's own value of a target
stays reachable as :func:`original`, for replacements that call it and for the contract
tests. ``tests/contracts/test_seams.py`` walks the registry, so a moto upgrade fails in
one obvious place: a target moto no longer has, or one that is no longer moto's own.

Kinds of seam:

- ``replace``: the attribute becomes ``replacement``;
- ``wrap``: the attribute becomes ``replacement(moto's original)``;
- ``add``: an attribute moto does not have (a new backend or response method);
- ``extend``: moto's collection (a url table, a list of url patterns) gets the items of
  ``replacement`` (a dict or a tuple) that it lacks;
- ``module``: a module is replaced in ``sys.modules`` by a stand-in, made by
  ``replacement(module name)`` (:mod:`lab.sandbox.lazy_imports`).

``also`` lists further names the same value must be set under: modules that imported the
target by name (``from x import f``) keep their own reference, so each needs the
replacement too. Their originals must be the very object the target had.

What the server and control plane use of moto without changing it (a subclass of
moto's ``DomainDispatcherApplication``, ``moto_api_backend.set_config``,
``mock_random.seed``) is pinned in ``tests/contracts/test_moto_server.py``, not here; nor
is what the server process alone changes in the standard library
(``http.client.parse_headers``: ``lab.sandbox.process_policy.use_fast_header_parser``).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["PACKAGES", "Seam", "install", "installed", "methods", "original", "registry"]

#: The packages that declare seams, in the order they are installed (CloudFormation last:
#: its handlers call every other service's backend).
PACKAGES = (
    "lab.sandbox.lazy_imports",  # before moto.apigateway pulls jsonschema in
    "lab.sandbox.input_rules",  # every request's model constraints, before any handler
    "lab.sandbox.iam",  # opt-in evaluation of the caller's IAM policies
    "lab.sandbox.vpclattice",  # resource gateways and resource configurations
    "lab.sandbox.ec2",  # VPC endpoint DNS entries and ENIs
    "lab.sandbox.events",  # connections with private connectivity
    "lab.sandbox.sqs",  # a deleted queue's name is refused for 60 s
    "lab.sandbox.secretsmanager",  # secrets from templates, {{resolve:secretsmanager:...}}
    "lab.sandbox.kms",  # key state operations by key ARN
    "lab.sandbox.apigateway",  # what the private API needs (MOCK, stages, usage plans)
    "lab.sandbox.lambda_",  # Lambda functions run in worker processes, not Docker
    "lab.sandbox.stepfunctions",  # http:invoke, StartSyncExecution, the program cache
    "lab.sandbox.cloudformation",  # models for every type the template uses; last
)

KINDS = ("replace", "wrap", "add", "extend", "module")

#: What :func:`original` answers for an ``add`` seam's target: moto has no such attribute.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


@dataclass(frozen=True)
class Seam:
    """One attribute the sandbox sets on moto (or on a module moto imports)."""

    owner: str  #: the lab module the replacement belongs to
    target: str  #: ``"package.module:Object.attribute"`` (``module`` kind: a module name)
    replacement: Any  #: the new value; ``wrap``: a function of moto's original returning it
    why: str  #: what moto lacks or gets wrong, in one sentence
    contract: str  #: ``"tests/contracts/test_x.py::test_name"``, the test pinning the seam
    kind: str = "replace"
    also: tuple[str, ...] = ()  #: more names (``module:attribute``) the value is set under
    origin: str | None = None  #: where moto's original is defined (default: the target's package)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"seam {self.target}: kind {self.kind!r} is not one of {KINDS}")

    @property
    def expected_origin(self) -> str:
        """The module prefix moto's original must come from (``moto`` unless told)."""
        return self.origin or self.target.split(":", 1)[0].split(".", 1)[0]


def methods(
    owner: str,
    target: str,
    functions: Iterable[Callable[..., Any]],
    *,
    why: str,
    contract: str,
    replaces: Iterable[str] = (),
) -> tuple[Seam, ...]:
    """One seam per function, set on ``target`` (``"module:Class"``) under its own name.

    Names in ``replaces`` are moto's own methods (``replace``); the others are new (``add``).
    """
    replaced = set(replaces)
    return tuple(
        Seam(
            owner=owner,
            target=f"{target}.{function.__name__}",
            replacement=function,
            why=why,
            contract=contract,
            kind="replace" if function.__name__ in replaced else "add",
        )
        for function in functions
    )


# --------------------------------------------------------------------------- state

_lock = threading.RLock()
_installed_packages: list[str] = []
_originals: dict[str, Any] = {}  # target (and each ``also`` name) -> moto's value
_values: dict[str, Any] = {}  # target -> what was installed


def resolve(target: str) -> tuple[Any, str]:
    """The object holding ``target``'s attribute, and the attribute's name (imports it)."""
    module_name, _, path = target.partition(":")
    if not path:
        raise ValueError(f"seam target {target!r} is not 'module:attribute'")
    holder: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        holder = getattr(holder, parent)
    return holder, name


def _current(target: str) -> Any:
    holder, name = resolve(target)
    return getattr(holder, name, MISSING)


def original(target: str) -> Any:
    """moto's own value of ``target`` (``MISSING`` if moto has none), installed or not."""
    with _lock:
        if target in _originals:
            return _originals[target]
    if ":" not in target:  # a module seam that is not installed yet
        import sys

        return sys.modules.get(target, MISSING)
    return _current(target)


def installed(target: str) -> Any:
    """What :func:`install` set ``target`` to (``MISSING`` if it is not installed)."""
    with _lock:
        return _values.get(target, MISSING)


def registry(packages: Iterable[str] = PACKAGES) -> tuple[Seam, ...]:
    """Every seam the packages declare, in installation order (imports the packages)."""
    seams: list[Seam] = []
    for package in packages:
        seams.extend(importlib.import_module(package).seams())
    return tuple(seams)


def _install_one(seam: Seam) -> None:
    if seam.target in _values:
        return
    if seam.kind == "module":
        import sys

        _originals[seam.target] = sys.modules.get(seam.target, MISSING)
        seam.replacement(seam.target)
        _values[seam.target] = sys.modules.get(seam.target, MISSING)
        return
    holder, name = resolve(seam.target)
    moto_value = getattr(holder, name, MISSING)
    if seam.kind == "extend":
        _extend(moto_value, seam.replacement)
        value = moto_value
    else:
        value = seam.replacement(moto_value) if seam.kind == "wrap" else seam.replacement
        for other in seam.also:
            other_holder, other_name = resolve(other)
            _originals[other] = getattr(other_holder, other_name, MISSING)
            setattr(other_holder, other_name, value)
        setattr(holder, name, value)
    _originals[seam.target] = moto_value
    _values[seam.target] = value


def _extend(collection: Any, items: Any) -> None:
    if isinstance(collection, dict):
        for key, value in dict(items).items():
            collection.setdefault(key, value)
        return
    for item in items:
        if item not in collection:
            collection.append(item)


def install(*packages: str) -> None:
    """Install the seams of ``packages`` (default: all of :data:`PACKAGES`), once each.

    A package may end with a ``finish()`` that runs after its seams are in place (the
    CloudFormation package clears moto's model caches there).
    """
    with _lock:
        for package in packages or PACKAGES:
            if package in _installed_packages:
                continue
            module = importlib.import_module(package)
            for seam in module.seams():
                _install_one(seam)
            finish = getattr(module, "finish", None)
            if finish is not None:
                finish()
            _installed_packages.append(package)
