"""Make moto 5.2.5's Step Functions interpreter cheaper per execution, doing the same work.

Each patch removes work moto repeats for every execution although its result cannot change:

- :func:`cache_json_path_parsers`: moto builds a new JSONPath parser (a PLY grammar) for every
  path it evaluates (``InputPath``, ``$.x`` bindings, ``$$.Execution.Name``, ``ResultPath``...).
  Parsed paths are kept per path string; a parsed path is only read when it is applied.
- :func:`assign_heap_keys`: components name their per-execution counters (retriers' attempt
  numbers, backoff multipliers) with a key each component draws lazily on first use, the only
  write an evaluation makes to the program. Drawing every key when the program is parsed
  lets executions share one program (``models.ProgramCache``) instead of deep-copying it.
- :func:`copy_pass_results`: a Pass state's ``Result`` pushes the very object it holds, so a
  later step that mutated the value would change the shared program; it now pushes a copy.

Every seam has a contract test in ``tests/contracts/test_moto_stepfunctions.py``.
"""

from __future__ import annotations

import copy
import functools
import importlib
from typing import Any

#: How many distinct JSONPath strings each parser cache keeps.
JSON_PATH_CACHE_SIZE = 4096

#: The modules whose ``parse`` (jsonpath_ng's) is replaced by a cached one.
JSON_PATH_MODULES = (
    "moto.stepfunctions.parser.asl.utils.json_path",
    "moto.stepfunctions.parser.asl.component.common.path.result_path",
)


def cache_json_path_parsers() -> None:
    """Parse each JSONPath string once (per module) instead of once per evaluation."""
    for name in JSON_PATH_MODULES:
        module = importlib.import_module(name)
        if hasattr(module.parse, "moto_original"):
            continue
        cached = functools.lru_cache(maxsize=JSON_PATH_CACHE_SIZE)(module.parse)
        cached.moto_original = module.parse
        module.parse = cached


def assign_heap_keys(program: Any) -> Any:
    """Draw the heap key of every component of a parsed ``program`` now; returns ``program``.

    After this, evaluating the program writes nothing into it, so concurrent executions can
    share it.
    """
    from moto.stepfunctions.parser.asl.component.component import Component
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    seen: set[int] = set()
    pending = [program]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, EvalComponent):
            _ = item.heap_key  # drawn and stored on first access
        if isinstance(item, Component):
            pending.extend(getattr(item, "__dict__", {}).values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return program


def copy_pass_results() -> None:
    """A Pass state's ``Result`` hands each execution its own copy of the value."""
    from moto.stepfunctions.parser.asl.component.state.state_pass.result import Result

    if hasattr(Result._eval_body, "moto_original"):
        return
    moto_eval_body = Result._eval_body

    def _eval_body(self, env) -> None:
        env.stack.append(copy.deepcopy(self.result_obj))

    _eval_body.moto_original = moto_eval_body
    Result._eval_body = _eval_body


def apply() -> None:
    """Every patch above. Idempotent."""
    cache_json_path_parsers()
    copy_pass_results()
