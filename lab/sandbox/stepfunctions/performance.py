"""Make moto 5.2.5's Step Functions interpreter cheaper per execution, doing the same work.

Each patch removes work moto repeats for every execution although its result cannot change:

- :func:`cache_json_path_parsers`: moto builds a new JSONPath parser (a PLY grammar) for every
  path it evaluates (``InputPath``, ``$.x`` bindings, ``$$.Execution.Name``, ``ResultPath``...).
  Parsed paths are kept per path string; a parsed path is only read when it is applied.

Every seam has a contract test in ``tests/contracts/test_moto_stepfunctions.py``.
"""

from __future__ import annotations

import functools
import importlib

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


def apply() -> None:
    """Every patch above. Idempotent."""
    cache_json_path_parsers()
