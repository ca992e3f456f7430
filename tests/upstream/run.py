"""moto's own test suite as the sandbox's regression guard: ``make test-upstream``.

moto 5.2.5's source distribution carries its ``tests/``. For every service the sandbox
patches, this runs those tests twice, in separate processes: against moto as installed
(unpatched) and with the sandbox's extensions applied in-process (``sandbox_plugin``).
A test that passes unpatched and fails patched is a regression; the run fails on any
regression that ``allowlist.ALLOWED`` does not name with its reason (where the sandbox is
deliberately closer to AWS than moto). Every regression is listed (no ``-x``), with a
table per directory, and the wall time.

The distribution is fetched once with pip (``pip download --no-deps --no-binary :all:``)
into ``.lab/upstream/`` (gitignored) and reused. Its ``moto/`` package is removed, so the
tests import the installed moto, the one the sandbox patches.

Written by hand: no tool compares two pytest runs test by test.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from allowlist import ALLOWED  # noqa: E402

MOTO_VERSION = "5.2.5"
#: moto test directories of the services the sandbox patches (lab/sandbox/<service>/, and
#: input_rules.py's kms, logs, iam), whole: the longest first, so that the two processes
#: finish together. test_awslambda is the lambda_ patch's: without Docker, its 24 Docker
#: tests are skipped in both runs, the rest (CreateFunction, configuration, the mocked
#: invoke paths) guard the reserved-variable check. test_awslambda_simple (moto's stub
#: backend, 6 tests, which the sandbox does not use) is left out. Measured 2026-12-05 with
#: ``--jobs 2`` on the shared 2-core machine (load 4-5): 740 s in all, test_ec2's two runs
#: 360 s each; kms, logs, iam and awslambda together about 270 s of the 1480 process-seconds.
DIRECTORIES = (
    "test_ec2",
    "test_iam",
    "test_cloudformation",
    "test_kms",
    "test_sqs",
    "test_awslambda",
    "test_events",
    "test_stepfunctions",
    "test_logs",
    "test_apigateway",
    "test_secretsmanager",
    "test_vpclattice",
)
#: One pytest run may take this long before it is stopped (and counted as failed).
RUN_TIMEOUT_S = 1500


def fetch(cache: Path) -> Path:
    """The unpacked source distribution (tests only), downloading it once."""
    tree = cache / f"moto-{MOTO_VERSION}"
    if (tree / "tests" / "conftest.py").exists():
        return tree
    dist = cache / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    archive = dist / f"moto-{MOTO_VERSION}.tar.gz"
    if not archive.exists():
        subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--no-binary", ":all:", f"moto=={MOTO_VERSION}", "-d", str(dist),
            ],
            check=True,
        )  # fmt: skip
    partial = cache / "unpacking"
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="data")
    unpacked = partial / f"moto-{MOTO_VERSION}"
    shutil.rmtree(unpacked / "moto")  # import the installed moto, not this copy
    shutil.rmtree(tree, ignore_errors=True)
    unpacked.rename(tree)
    shutil.rmtree(partial, ignore_errors=True)
    return tree


#: Whose ``lab`` the patched runs apply (``--lab-root``; default this checkout).
LAB_ROOT = ROOT


def run_pytest(tree: Path, directory: str, patched: bool, out: Path) -> tuple[Path, float]:
    """One pytest run of ``tests/<directory>``; returns its junit XML and wall seconds."""
    junit = out / f"{directory}-{'patched' if patched else 'unpatched'}.xml"
    junit.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), str(LAB_ROOT), str(tree)]),
        "TESTS_SKIP_REQUIRES_DOCKER": "true",
        "MOTO_EC2_LOAD_DEFAULT_AMIS": os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS", "true"),
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    for name in ("LAB_MODE", "LAB_REGION", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        env.pop(name, None)
    command = [
        sys.executable, "-m", "pytest", f"tests/{directory}", "-q", "-p", "no:cacheprovider",
        "-o", "addopts=", "--junitxml", str(junit), "-W", "ignore",
        "--continue-on-collection-errors",
    ]  # fmt: skip
    if patched:
        command += ["-p", "sandbox_plugin"]
    log = out / f"{directory}-{'patched' if patched else 'unpatched'}.log"
    started = time.monotonic()
    with open(log, "wb") as handle:
        try:
            subprocess.run(
                command, cwd=tree, env=env, stdout=handle, stderr=subprocess.STDOUT,
                timeout=RUN_TIMEOUT_S, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            handle.write(f"\nstopped after {RUN_TIMEOUT_S} s\n".encode())
    return junit, time.monotonic() - started


def outcomes(junit: Path) -> dict[str, str]:
    """``{test id: passed|failed|skipped}`` from a junit XML file ({} if there is none)."""
    if not junit.exists():
        return {}
    results = {}
    for case in ET.parse(junit).iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            results[test_id] = "failed"
        elif case.find("skipped") is not None:
            results[test_id] = "skipped"
        else:
            results[test_id] = "passed"
    return results


def compare(unpatched: dict[str, str], patched: dict[str, str]) -> list[str]:
    """Tests that passed unpatched and did not pass patched (missing counts as failed)."""
    return sorted(t for t, o in unpatched.items() if o == "passed" and patched.get(t) != "passed")


def _count(results: dict[str, str], outcome: str) -> int:
    return sum(1 for o in results.values() if o == outcome)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/upstream/run.py")
    parser.add_argument("directories", nargs="*", default=list(DIRECTORIES))
    parser.add_argument("--cache", type=Path, default=ROOT / ".lab" / "upstream")
    parser.add_argument("--jobs", type=int, default=2, help="pytest processes at once")
    parser.add_argument(
        "--lab-root", type=Path, default=ROOT, help="checkout whose lab/ the patched runs apply"
    )
    args = parser.parse_args(argv)
    global LAB_ROOT
    LAB_ROOT = args.lab_root.resolve()

    began = time.monotonic()
    tree = fetch(args.cache)
    out = args.cache / "results"
    out.mkdir(parents=True, exist_ok=True)
    runs = [(d, patched) for d in args.directories for patched in (False, True)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        futures = {run: pool.submit(run_pytest, tree, run[0], run[1], out) for run in runs}
        finished = {run: future.result() for run, future in futures.items()}

    rows, unexpected, allowed = [], [], []
    for directory in args.directories:
        before = outcomes(finished[(directory, False)][0])
        after = outcomes(finished[(directory, True)][0])
        regressions = compare(before, after)
        for test_id in regressions:
            (allowed if test_id in ALLOWED else unexpected).append(test_id)
        rows.append(
            (
                directory,
                f"{_count(before, 'passed')}/{_count(before, 'failed')}",
                f"{_count(after, 'passed')}/{_count(after, 'failed')}",
                str(len(regressions)),
                str(sum(1 for t in regressions if t in ALLOWED)),
                f"{finished[(directory, False)][1]:.0f}+{finished[(directory, True)][1]:.0f}",
            )
        )
    header = ("directory", "unpatched pass/fail", "patched pass/fail", "regressions",
              "allowed", "seconds")  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for test_id in allowed:
        print(f"allowed: {test_id}: {ALLOWED[test_id]}")
    for test_id in unexpected:
        print(f"REGRESSION: {test_id}")
    stale = sorted(t for t in ALLOWED if t.split("::")[0].split(".")[1] in args.directories
                   and t not in allowed)  # fmt: skip
    for test_id in stale:
        print(f"note: allow-listed but no longer regressing: {test_id}")
    print(f"logs and junit files: {out}; wall time {time.monotonic() - began:.0f} s")
    failed = len(unexpected)
    print(f"upstream: {failed} regressions not allowed, {len(allowed)} allowed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
