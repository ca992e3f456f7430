"""Shared fixtures: the sandbox server process, a clean-state reset, in-process moto.

- ``sandbox`` (session): starts ``python -m lab.sandbox.server`` on the test
  port (``LAB_TEST_SANDBOX_PORT``, default a free port picked per session, so
  neither a notebook sandbox on 5599 nor another pytest run is touched), yields
  its endpoint URL, stops it at the end. Its log:
  ``.lab/pytest/<worker>/sandbox-<port>.log`` (``main`` without pytest-xdist, else ``gw0``…).
- ``clean_sandbox``: ``sandbox`` after ``POST /lab-api/reset`` (no resources,
  ids reseeded) and with the default settings.
- ``sandbox_client``: ``sandbox_client("vpc-lattice")`` -> a boto3 client built
  the lab's way (``lab.clients.client``), pointed at the test sandbox.
- ``moto_inprocess``: inside ``moto.mock_aws()`` with every extension applied
  and the Step Functions interpreter on; yields a client factory like
  ``sandbox_client``. Fast: no process, no socket.

``tests/`` is on sys.path, so tests can ``from shape_check import checked``.
"""

from __future__ import annotations

import collections
import os
import socket
from pathlib import Path

import pytest
from lab_api_client import lab_api

from lab.sandbox.lazy_imports import DEFERRED, defer_import


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Set before anything reads the lab's config: every test talks to the test
# sandbox in sandbox mode, whatever the developer's shell exports. A port of
# its own per session: two pytest runs in one checkout must not stop each
# other's sandbox.
# Under pytest-xdist (``make test`` runs ``-n``) every worker is a session of its own: its own
# sandbox on its own port (a set LAB_TEST_SANDBOX_PORT is offset by the worker's number) and
# its own state dir, so no worker's pidfile, lock or log is another's.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_NUMBER = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0
TEST_SANDBOX_PORT = (str(int(os.environ["LAB_TEST_SANDBOX_PORT"]) + _WORKER_NUMBER)
                     if os.environ.get("LAB_TEST_SANDBOX_PORT") else str(_free_port()))
TEST_STATE_DIR = Path(__file__).resolve().parent.parent / ".lab" / "pytest" / (
    XDIST_WORKER or "main")
os.environ["LAB_SANDBOX_PORT"] = TEST_SANDBOX_PORT
os.environ["LAB_STATE_DIR"] = str(TEST_STATE_DIR)
os.environ["LAB_MODE"] = "sandbox"
os.environ.pop("LAB_REGION", None)
# No test launches instances: skip moto's AMI catalogue on every fresh EC2 backend
# (in-process and in the sandbox server the fixture starts).
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
TEST_REGION = "us-east-1"

# What the sandbox server defers, the test processes defer too (lab.sandbox.lazy_imports):
# jsonschema, which moto.apigateway and nbformat import, imports rfc3987_syntax, whose import
# builds an Earley parser (about 1 s of CPU in every pytest worker). The stand-in loads the
# real module the first time an ``iri`` format is checked. (``make test-suite`` runs with
# ``-p no:nbval``: the nbval plugin would import nbformat before this file.)
for _module, _functions in DEFERRED.items():
    defer_import(_module, _functions)


@pytest.fixture(scope="session")
def sandbox():
    """The sandbox server on the test port, started once per session; yields its URL."""
    import lab.sandbox

    _forget_old_logs()
    started = lab.sandbox.start()
    endpoint = started.splitlines()[-1]
    # A server left over from an interrupted session would still hold its state.
    lab_api(endpoint, "reset", {})
    yield endpoint
    lab.sandbox.stop()


def _forget_old_logs() -> None:
    """Drop logs and locks of earlier sessions' sandboxes (those with no pidfile left)."""
    for leftover in [*TEST_STATE_DIR.glob("sandbox-*.log"), *TEST_STATE_DIR.glob("sandbox-*.lock")]:
        if not leftover.with_suffix(".pid").exists():
            leftover.unlink(missing_ok=True)


@pytest.fixture
def clean_sandbox(sandbox):
    """The sandbox with no resources, reseeded ids and default settings; yields its URL."""
    lab_api(sandbox, "reset", {})
    lab_api(sandbox, "config", {"connection_warmup_seconds": 2})
    yield sandbox


@pytest.fixture
def sandbox_client(sandbox):
    """A factory: ``sandbox_client("events")`` -> boto3 client on the test sandbox."""
    from lab.clients import client

    return client


_INPROCESS_CLIENTS: dict[tuple[str, str], object] = {}


@pytest.fixture
def moto_inprocess():
    """Inside ``moto.mock_aws()`` with the lab's extensions; yields a client factory."""
    import boto3
    from moto import mock_aws

    from lab.sandbox import control, seams

    seams.install()
    control.reset_settings()
    # Tests here name roles that do not exist; the IAM tests switch evaluation on.
    control.update_settings({"iam_evaluation": False})
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        control.seed_ids()

        def make_client(service: str, region: str = TEST_REGION):
            # One client per service and region for the whole session, as in
            # tests/sandbox/conftest.py: mock_aws resets boto3's default session, so a
            # client made per test re-read botocore's service model (ec2's is 2 MB of JSON)
            # each time. moto's stub hooks into every client made after moto is imported.
            if (service, region) not in _INPROCESS_CLIENTS:
                _INPROCESS_CLIENTS[service, region] = boto3.client(service, region_name=region)
            return _INPROCESS_CLIENTS[service, region]

        yield make_client
    control.reset_settings()


def pytest_collection_modifyitems(config, items):
    """Files with a test marked ``slow`` run first, the rest by size (largest first).

    ``make test`` hands whole files to its pytest-xdist workers (``--dist loadfile
    --no-loadscope-reorder``) in this order: a long file started last kept one worker busy
    long after the others had finished. Within a file the order stays as written (module
    fixtures are shared by a file's tests).
    """
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    sizes = collections.Counter(item.path for item in items)
    items.sort(key=lambda item: (item.path not in slow, -sizes[item.path]))


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    """Collect garbage once, then freeze what is left before the session's process exits.

    A pytest-xdist worker ends holding ~1.5 million objects (moto's backends, botocore's
    models, the CDK's proxies); collecting them again while the interpreter shut down took
    each worker 3-6 s after its last test, and ``make test`` waited for the slowest. The
    collection here still runs while pytest reports what finalizers raised (its own
    ``unraisableexception`` plugin collects right after this hook); frozen objects are left
    to the process's exit (``gc.freeze``, docs.python.org/3/library/gc.html).
    """
    import gc

    gc.collect()
    gc.freeze()
