"""Compare Python JSONata engines on the JSONata reference test suite, and on speed.

    python tools/compare_jsonata_engines.py PATH/TO/jsonata-test-suite [--engines a,b] [--timeout 5]

PATH is the language-neutral suite from the jsonata-js repository (`test/test-suite`:
`groups/<group>/case###.json` and `datasets/`, see its TESTSUITE.md). It lives outside this
repository, so no test runs this script; the table it prints is what the sandbox's engine choice
rests on (lab/sandbox/stepfunctions/jsonata.py).

Each engine runs in its own worker process (two engines install a module called `jsonata`, and a
case may loop forever): the parent sends one case at a time and kills and restarts a worker whose
case runs past --timeout. An engine that is not importable in this interpreter is reported as such;
run the script once per virtual environment when two engines cannot be installed side by side.

Scoring, per case: a `result` case passes when the value equals the expected one (numbers compare
with a relative tolerance of 1e-9, as the jsonata-js runner's deep-equal does for 1 and 1.0); an
`undefinedResult` case passes when the engine says "undefined" (or, for engines that cannot tell
undefined from null, returns None: counted, but the table says which engines can tell them apart,
which Step Functions needs for States.QueryEvaluationError); a `code` (or `error.code`) case
passes when evaluation raises (the "error code ok" column counts those whose error code is the
expected one, where the engine exposes one).

The speed figures are medians of repeated evaluations of four expressions shaped like what a
Step Functions state evaluates (a field read, an object constructor over $states.input, a filter
with an aggregate, a string concatenation), compiled once, evaluated 2,000 times each.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENGINES = ["jsonata-python", "jsonatapy", "jsonata-rs", "zopyx-pyjsonata", "jlens", "jsonata2py"]

UNDEFINED = "__undefined__"


# --------------------------------------------------------------------------- adapters (worker side)


class Adapter:
    """compile(expr) -> handle; run(handle, data, bindings) -> value or UNDEFINED; code(exc)."""

    can_tell_undefined = True

    def code(self, exc: BaseException) -> str | None:
        return (
            getattr(exc, "code", None)
            or getattr(exc, "error_code", None)
            or _code_in_text(str(exc))
        )


def _code_in_text(text: str) -> str | None:
    import re

    match = re.search(r"\b([TSDU]\d{4})\b", text)
    return match.group(1) if match else None


def _input_text(data):
    """The input as JSON text, or None for "no input" (the suite's `"dataset": null`)."""
    return None if data is NO_INPUT else json.dumps(data)


NO_INPUT = object()


def _input_value(data):
    return None if data is NO_INPUT else data


class JsonataPython(Adapter):
    # jsonata-python (a port of jsonata-java) returns None for both null and undefined.
    can_tell_undefined = False

    def __init__(self):
        import jsonata

        self.mod = jsonata
        self.mod.Jsonata  # noqa: B018 - jsonata-rs's module has no such class at this path

    def compile(self, expr):
        return self.mod.Jsonata(expr)

    def run(self, handle, data, bindings):
        value = handle.evaluate(_input_value(data), bindings or None)
        return UNDEFINED if value is None else value

    def code(self, exc):
        return getattr(exc, "error", None) or _code_in_text(str(exc))


class Jsonatapy(Adapter):
    def __init__(self):
        import jsonatapy

        self.mod = jsonatapy

    def compile(self, expr):
        return self.mod.compile(expr)

    def run(self, handle, data, bindings):
        # evaluate() and evaluate_json() map undefined and null alike; this one keeps them apart.
        text = handle.evaluate_json_or_none(_input_text(data), bindings or None)
        return UNDEFINED if text is None else json.loads(text)


class JsonataRs(Adapter):
    def __init__(self):
        import jsonata

        self.mod = jsonata
        self.mod.UNDEFINED  # noqa: B018 - jsonata-python's module has no such sentinel

    def compile(self, expr):
        handle = self.mod.Jsonata(expr)
        handle.set_output_convert_nulls(False)
        return handle

    def run(self, handle, data, bindings):
        # It refuses its own UNDEFINED as input: "no input" can only be None here.
        value = handle.evaluate(_input_value(data), bindings or None)
        return UNDEFINED if value is self.mod.UNDEFINED else value


class ZopyxPyjsonata(Adapter):
    def __init__(self):
        from zopyx import pyjsonata

        self.mod = pyjsonata

    def compile(self, expr):
        return self.mod.Jsonata(expr)

    def run(self, handle, data, bindings):
        data = self.mod.UNDEFINED if data is NO_INPUT else data
        value = handle.evaluate(data, bindings or None)
        return UNDEFINED if isinstance(value, self.mod.Undefined) else value


class Jlens(Adapter):
    def __init__(self):
        import jlens

        self.mod = jlens

    def compile(self, expr):
        return self.mod.Expression(expr)

    def run(self, handle, data, bindings):
        text = handle.evaluate_json(_input_text(data), bindings or None)
        return UNDEFINED if text is None else json.loads(text)


class Jsonata2py(Adapter):
    def __init__(self):
        import jsonata2py

        self.mod = jsonata2py

    def compile(self, expr):
        return self.mod.compile(expr)

    def run(self, handle, data, bindings):
        data = self.mod.MISSING if data is NO_INPUT else data
        value = handle.evaluate(data, bindings or None)
        return UNDEFINED if value is self.mod.MISSING else value


ADAPTERS = {
    "jsonata-python": JsonataPython,
    "jsonatapy": Jsonatapy,
    "jsonata-rs": JsonataRs,
    "zopyx-pyjsonata": ZopyxPyjsonata,
    "jlens": Jlens,
    "jsonata2py": Jsonata2py,
}


def _jsonable(value):
    """The engine's value as plain JSON data (engines may hand back their own list/number types)."""
    if value is UNDEFINED:
        return {"undefined": True}
    try:
        return {"value": json.loads(json.dumps(value, default=_not_json))}
    except (TypeError, ValueError) as exc:
        return {"unserialisable": f"{type(value).__name__}: {exc}"[:200]}


def _not_json(obj):
    if isinstance(obj, (set, tuple)):
        return list(obj)
    if callable(obj):
        return "<function>"
    raise TypeError(type(obj).__name__)


def worker(engine: str) -> None:
    """Answer one JSON line per case read from stdin: {"value"|"undefined"|"error"...}."""
    # Answers go to a private copy of stdout; anything an engine prints goes to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        adapter = ADAPTERS[engine]()
    except Exception as exc:  # noqa: BLE001 - any import failure means "not installed here"
        print(json.dumps({"unavailable": f"{type(exc).__name__}: {exc}"}), file=answers, flush=True)
        return
    print(
        json.dumps({"ready": True, "tells_undefined": adapter.can_tell_undefined}),
        file=answers,
        flush=True,
    )
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("bench"):
            print(
                json.dumps(_bench(adapter, request["bench"], request["n"])),
                file=answers,
                flush=True,
            )
            continue
        try:
            handle = adapter.compile(request["expr"])
            data = NO_INPUT if request.get("no_input") else request.get("data")
            value = adapter.run(handle, data, request.get("bindings"))
            answer = _jsonable(value)
        except RecursionError:
            answer = {"error": "RecursionError", "code": None}
        except BaseException as exc:  # noqa: BLE001 - engines raise all sorts; each is a result
            answer = {"error": f"{type(exc).__name__}"[:100], "code": adapter.code(exc)}
        print(json.dumps(answer), file=answers, flush=True)


def _bench(adapter, cases, n):
    figures = {}
    for name, (expr, data) in cases.items():
        handle = adapter.compile(expr)
        adapter.run(handle, data, None)
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(n // 5):
                adapter.run(handle, data, None)
            samples.append((time.perf_counter() - start) / (n // 5))
        figures[name] = statistics.median(samples) * 1e6
        start = time.perf_counter()
        for _ in range(200):
            adapter.compile(expr)
        figures[name + ":compile"] = (time.perf_counter() - start) / 200 * 1e6
    return figures


# --------------------------------------------------------------------------- suite (parent side)


def load_cases(suite: Path) -> list[dict]:
    datasets = {p.stem: json.loads(p.read_text()) for p in (suite / "datasets").glob("*.json")}
    cases = []
    for path in sorted((suite / "groups").glob("*/*.json")):
        loaded = json.loads(path.read_text())
        for index, case in enumerate(loaded if isinstance(loaded, list) else [loaded]):
            case = dict(case)
            case["id"] = f"{path.parent.name}/{path.stem}" + (
                f"#{index}" if isinstance(loaded, list) else ""
            )
            if "data" not in case:
                name = case.get("dataset")
                case["data"] = datasets[name] if name else None
                case["no_input"] = not name
            expr = case.get("expr")
            if expr is None and "expr-file" in case:
                expr = (path.parent / case["expr-file"]).read_text()
            case["expr"] = expr
            cases.append(case)
    return [c for c in cases if c["expr"] is not None]


def same(expected, actual) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(same, expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            same(expected[k], actual[k]) for k in expected
        )
    return expected == actual


def _expected_code(case: dict) -> str | None:
    """The error code a case expects: `code`, or `error.code` (the suite uses both forms)."""
    if "code" in case:
        return case["code"]
    if isinstance(case.get("error"), dict):
        return case["error"].get("code", "")
    return None


def score(case: dict, answer: dict, tells_undefined: bool) -> tuple[bool, bool]:
    """(passed, error code matched) for one case."""
    expected_code = _expected_code(case)
    if expected_code is not None:
        raised = "error" in answer
        return raised, raised and answer.get("code") == expected_code
    if "error" in answer or "timeout" in answer or "unserialisable" in answer:
        return False, False
    if case.get("undefinedResult"):
        return bool(answer.get("undefined")), False
    if "result" not in case:
        return False, False
    expected = case["result"]
    if answer.get("undefined"):
        return (expected is None and not tells_undefined), False
    return same(expected, answer["value"]), False


class Worker:
    def __init__(self, engine: str, python: str):
        self.engine, self.python = engine, python
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [self.python, __file__, "--worker", self.engine],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.hello = json.loads(self.proc.stdout.readline() or '{"unavailable": "worker died"}')

    def ask(self, request: dict, timeout: float) -> dict:
        import selectors

        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                self.stop()
                self.start()
                return {"timeout": True}
        line = self.proc.stdout.readline()
        if not line:
            self.start()
            return {"error": "worker crashed", "code": None}
        return json.loads(line)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


BENCH = {
    "field": ("$states.input.order.id", {"order": {"id": "o-1", "total": 12.5}}),
    "object": (
        "{'id': $states.input.order.id, 'total': $states.input.order.total * 2, 'ok': true}",
        {"order": {"id": "o-1", "total": 12.5}},
    ),
    "filter+sum": (
        "$sum($states.input.items[price > 10].price)",
        {"items": [{"price": p} for p in range(40)]},
    ),
    "concat": ("'Hello, ' & $states.input.name & '!'", {"name": "World"}),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", nargs="?", type=Path)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--python", default=sys.executable, help="interpreter the workers run in")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per case")
    parser.add_argument("--bench-n", type=int, default=2000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--failures", type=int, default=0, help="list up to N failing case ids")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    if args.suite is None or not (args.suite / "groups").is_dir():
        parser.error(
            "give the path of the JSONata test suite (the folder holding groups/ and datasets/)"
        )
    cases = load_cases(args.suite)
    bindings_for = {c["id"]: c.get("bindings") or None for c in cases}
    print(
        f"suite: {args.suite} - {len(cases)} cases; python {sys.version.split()[0]}; "
        f"per-case timeout {args.timeout:g} s"
    )
    rows, bench_rows = [], []
    for engine in args.engines.split(","):
        w = Worker(engine, args.python)
        if "unavailable" in w.hello:
            print(f"{engine}: not importable here ({w.hello['unavailable'][:80]})")
            w.stop()
            continue
        tells = w.hello["tells_undefined"]
        passed = codes = timeouts = 0
        failing = []
        started = time.perf_counter()
        for case in cases:
            answer = w.ask(
                {
                    "expr": case["expr"],
                    "data": case["data"],
                    "no_input": case.get("no_input", False),
                    "bindings": bindings_for[case["id"]],
                },
                args.timeout,
            )
            timeouts += "timeout" in answer
            ok, code_ok = score(case, answer, tells)
            passed += ok
            codes += code_ok
            if not ok:
                failing.append(case["id"])
        elapsed = time.perf_counter() - started
        n_code = sum(_expected_code(c) is not None for c in cases)
        rows.append((engine, passed, len(cases), codes, n_code, timeouts, tells, elapsed))
        bench = w.ask({"bench": BENCH, "n": args.bench_n}, 120)
        bench_rows.append((engine, bench))
        w.stop()
        if args.failures:
            print(
                f"{engine} failing (first {args.failures}): {', '.join(failing[: args.failures])}"
            )

    print()
    print(
        f"{'engine':<16} {'passed':>14} {'rate':>7} {'error code ok':>14} {'timeouts':>9} "
        f"{'undefined≠null':>15} {'suite time':>10}"
    )
    for engine, passed, total, codes, n_code, timeouts, tells, elapsed in rows:
        print(
            f"{engine:<16} {passed:>6}/{total:<7} {passed / total:>7.1%} {codes:>6}/{n_code:<7} "
            f"{timeouts:>9} {'yes' if tells else 'no':>15} {elapsed:>9.1f}s"
        )
    print()
    names = list(BENCH)
    print("evaluation, µs per call (median of 5 runs; compile in brackets)")
    print(f"{'engine':<16} " + " ".join(f"{n:>20}" for n in names))
    for engine, bench in bench_rows:
        if "error" in bench or "timeout" in bench:
            print(f"{engine:<16} benchmark failed: {bench}")
            continue
        cells = [f"{bench[n]:>9.1f} [{bench[n + ':compile']:>7.1f}]" for n in names]
        print(f"{engine:<16} " + " ".join(f"{c:>20}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
