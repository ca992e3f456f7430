"""``copy`` for moto's Step Functions interpreter: ``deepcopy`` made for JSON values.

moto's ASL interpreter deep-copies a state's input, its result, the context object, the
frame's stack and each history event's details, with ``copy.deepcopy``: about 15 copies
per execution of the lab's one-state workflows, 13% of the sandbox server's GIL time
under EXPRESS executions (py-spy ``--gil``, concurrency 1). Nearly all of those values are
JSON (dicts, lists, strings, numbers, booleans, None), for which the standard library's
general machinery (a memo of every object, a dispatch by type, ``__reduce_ex__``) is
overhead: on the HTTP Task's 1 KB result, 14.8 µs against 5.1 µs here.

:func:`deepcopy` copies plain ``dict`` and ``list`` trees itself and hands anything else
(another type, a key that is not a string or number, a nested depth past
:data:`MAX_DEPTH`, a ``memo`` from a ``__deepcopy__``) to ``copy.deepcopy``, so the result
is equal to the standard library's. One difference, by design: a container that appears
twice in a JSON tree is copied twice (the standard library would copy it once and share
it). JSON has no shared values, so nothing that is serialised can tell; a state that
changed one place would not change the other, which is what AWS does. (A list or dict that
contains itself, which JSON cannot express, is unrolled :data:`MAX_DEPTH` times before the
standard library copies the rest: the same infinite value.)

The seam (:func:`lab.sandbox.stepfunctions.seams`) sets this module as the ``copy`` name
of every module of moto's interpreter that imports ``copy``; every other name is the
standard library's (module ``__getattr__``).

Written by hand: the copy is a dozen lines over the standard library, and no library
offers a JSON-only deep copy with the standard library's fallback.
"""

from __future__ import annotations

import copy as _stdlib
from typing import Any

#: Immutable leaves: returned as they are (as ``copy.deepcopy`` does).
_ATOMS = frozenset({str, int, float, bool, type(None)})
#: Deeper than this, the rest of the tree goes to ``copy.deepcopy`` (cycles, deep nesting).
MAX_DEPTH = 64


def deepcopy(x: Any, memo: dict | None = None, _nil: Any = None) -> Any:
    """``copy.deepcopy(x)``, faster on JSON values; ``memo`` given: the standard library's."""
    if memo is not None:
        return _stdlib.deepcopy(x, memo)
    return _copy(x, 0)


def _copy(x: Any, depth: int) -> Any:
    kind = type(x)
    if kind in _ATOMS:
        return x
    if depth < MAX_DEPTH:
        if kind is dict:
            out = {}
            for key, value in x.items():
                if type(key) not in _ATOMS:
                    return _stdlib.deepcopy(x)
                out[key] = value if type(value) in _ATOMS else _copy(value, depth + 1)
            return out
        if kind is list:
            return [value if type(value) in _ATOMS else _copy(value, depth + 1) for value in x]
    return _stdlib.deepcopy(x)


def __getattr__(name: str) -> Any:
    # copy.copy, copy.Error, ...: the standard library's own.
    return getattr(_stdlib, name)


#: moto's interpreter modules that ``import copy`` (``tests/contracts/test_json_copy.py``
#: lists them anew from moto's sources). ``parser/provider.py`` imports copy too, but it is
#: LocalStack's provider, which moto never imports (it needs ``localstack``).
_PARSER = "moto.stepfunctions.parser."
MODULES = tuple(
    _PARSER + name
    for name in (
        "asl.eval.states",
        "asl.eval.environment",
        "asl.eval.event.event_manager",
        "asl.component.common.path.result_path",
        "asl.component.common.string.string_expression",
        "asl.component.intrinsic.function.statesfunction.json_manipulation.json_merge",
        "asl.component.state.exec.execute_state",
        "asl.component.state.exec.state_map.state_map",
        "asl.component.state.exec.state_map.result_writer.result_writer_decl",
        "asl.component.state.exec.state_map.item_reader.item_reader_decl",
        "asl.component.state.exec.state_map.iteration.job",
        "asl.component.state.exec.state_parallel.state_parallel",
        "asl.component.state.exec.state_task.service.state_task_service",
        "asl.component.state.exec.state_task.mock_eval_utils",
        "backend.alias",
        "models",
    )
)
NOT_IMPORTED = (_PARSER + "provider",)


def seams():
    """One seam: this module as ``copy`` in every interpreter module that imports it."""
    import sys

    from lab.sandbox.seams import Seam

    first, *others = MODULES
    return (
        Seam(
            __name__,
            f"{first}:copy",
            sys.modules[__name__],
            "moto's interpreter deep-copies JSON values with copy.deepcopy's general machinery",
            "tests/contracts/test_json_copy.py::"
            "test_the_interpreter_modules_that_import_copy_are_the_seams_targets",
            also=tuple(f"{module}:copy" for module in others),
            origin="copy",
        ),
    )
