"""The parse cache: one parsed ASL program per definition, shared by every execution of it.

moto re-runs the ANTLR parse of the definition for every execution (more than half of an
execution's time). The parsed program is kept per definition string and every execution
evaluates that same object; a deep copy per execution cost about a quarter of an EXPRESS
execution's CPU. Sharing is correct only because of what this module also does:

- :func:`assign_heap_keys`: components name their per-execution counters (retriers' attempt
  numbers, backoff multipliers) with a key each component draws lazily on first use, the only
  write an evaluation makes to the program. Drawing every key when the program is parsed
  means evaluating it writes nothing into it.
- the ``Result._eval_body`` seam: a Pass state's ``Result`` pushed the very object it holds,
  so a later step that mutated the value would change the shared program; it pushes a copy.

Its seams (:func:`seams`) put the cache where the worker gets the program to run
(``_get_evaluation_entrypoint``); validating a definition at CreateStateMachine parses it
through the same cache (:func:`lab.sandbox.stepfunctions.definition.validate_definition`).
"""

from __future__ import annotations

import collections
import copy
import threading
from typing import Any

#: How many distinct definitions the parse cache keeps (oldest evicted first).
PARSE_CACHE_SIZE = 128

_CONTRACTS = "tests/contracts/test_moto_stepfunctions.py::"


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


#: Integer-valued fields moto 5.2.5's grammar reads only as decimals (its rule takes a
#: NUMBER token, which an integer is not): ``"ToleratedFailurePercentage": 50`` was refused
#: as "not emulated", though AWS takes any number from 0 to 100.
DECIMAL_ONLY_FIELDS = ("ToleratedFailurePercentage",)


def grammar_readable(definition: str) -> str:
    """``definition`` with each integer in :data:`DECIMAL_ONLY_FIELDS` written as a decimal."""
    if not any(f'"{field}"' in definition for field in DECIMAL_ONLY_FIELDS):
        return definition
    import json

    try:
        document = json.loads(definition)
    except ValueError:
        return definition

    def walk(node):
        if isinstance(node, dict):
            return {
                key: float(value)
                if key in DECIMAL_ONLY_FIELDS and type(value) is int
                else walk(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return json.dumps(walk(document))


class ProgramCache:
    """Parsed ASL programs by definition string, shared by every execution of a definition."""

    def __init__(self, size: int = PARSE_CACHE_SIZE):
        self._programs: collections.OrderedDict[str, Any] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        self.hits = 0
        self.misses = 0

    def template(self, definition: str) -> Any:
        """The cached (never evaluated) program for ``definition``; parses on a miss.

        Raises whatever moto's parser raises for an invalid definition (nothing is cached).
        """
        with self._lock:
            program = self._programs.get(definition)
            if program is not None:
                self._programs.move_to_end(definition)
                self.hits += 1
                return program
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

        # Parse outside the lock: two threads may both parse a new definition; both
        # results are equivalent and the second simply replaces the first.
        from lab.sandbox.stepfunctions import jsonata

        program = assign_heap_keys(
            AmazonStateLanguageParser.parse(grammar_readable(definition))[0]
        )
        jsonata.annotate_field_paths(program)
        with self._lock:
            self.misses += 1
            self._programs[definition] = program
            self._programs.move_to_end(definition)
            while len(self._programs) > self._size:
                self._programs.popitem(last=False)
        return program

    def program(self, definition: str) -> Any:
        """The program for ``definition``, to evaluate (executions share it; see the module doc)."""
        return self.template(definition)

    def clear(self) -> None:
        """Forget every program and the hit/miss counts."""
        with self._lock:
            self._programs.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._programs)


program_cache = ProgramCache()


def _pass_result_copy(self, env) -> None:
    """``Result._eval_body``: push a copy of the value (executions share the program)."""
    env.stack.append(copy.deepcopy(self.result_obj))


def _get_evaluation_entrypoint(self):
    """The worker's program: the cached one for its state machine's definition."""
    definition = self._evaluation_details.state_machine_details.definition
    return program_cache.program(definition)


def seams():
    """The parse cache's seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    owner = __name__
    cache_contract = (
        _CONTRACTS + "test_definitions_are_validated_by_a_static_helper_and_parsed_by_the_worker"
    )
    return (
        Seam(
            owner,
            "moto.stepfunctions.parser.asl.component.state.state_pass.result:Result._eval_body",
            _pass_result_copy,
            "a Pass Result pushes the object it holds, which executions now share",
            _CONTRACTS + "test_a_pass_result_pushes_the_object_it_holds",
        ),
        Seam(
            owner,
            "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_entrypoint",
            _get_evaluation_entrypoint,
            "moto parses the definition again for every execution",
            cache_contract,
        ),
    )
