"""Break a link for the length of a ``with`` block, and always put it back.

The repair runs when the block ends however it ends: normally, with an exception,
or with a KeyboardInterrupt (the kernel's "interrupt" button, Ctrl-C, or SIGTERM,
which acts as Ctrl-C while a link is broken), and then says so; a second interrupt
during the repair is held back until the repair is done. If the
kernel died in the middle, :func:`repair_all` compares every link with the deployed
template's intent and puts back whatever differs.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from cdk_app.names import Output
from lab.errors import LabError
from lab.failures.scenario import Scenario, Undo
from lab.failures.scenarios import SCENARIOS, scenario_named
from lab.failures.stack import DeployedLab


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C / the kernel's interrupt until the block is done, then raise it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While a link is broken, SIGTERM acts as Ctrl-C, so the repair runs.

    It is handed to whatever handles SIGINT at that moment: KeyboardInterrupt normally,
    held back while the repair itself runs (:func:`interrupts_deferred`). Where SIGINT is
    ignored (a shell's background job), SIGTERM raises KeyboardInterrupt itself.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):  # Python's KeyboardInterrupt, or held back during the repair
            handler(signal.SIGINT, frame)
        else:  # SIGINT ignored (a background job, nohup): SIGTERM still stops the block
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class Broken:
    """What :func:`broken` yields: the scenario and the workflow whose path is broken."""

    scenario: Scenario
    workflow: str


@contextlib.contextmanager
def broken(name: str, workflow: str = "standard") -> Iterator[Broken]:
    """Break the link ``name`` for the duration of the block; the repair always runs.

    ``workflow`` is the state machine a break that edits one (``no_private_connectivity``)
    changes. Raises :class:`LabError` if the stack is not deployed, or if the repair
    could not finish (then :func:`repair_all` puts everything back). Interrupted, it
    prints that the repair ran before the KeyboardInterrupt goes on.
    """
    scenario = scenario_named(name)
    lab = DeployedLab(workflow)
    undo = Undo(name)
    interrupted = False
    # A stack deployed moments ago still has a warming-up connection: wait for it, so
    # what fails inside the block is the broken link, not the warm-up.
    lab.wait_connection(lab.outputs[Output.ConnectionName])
    with sigterm_as_interrupt():
        try:
            scenario.apply(lab, undo)
            yield Broken(scenario, lab.workflow)
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            repaired = False
            try:
                with interrupts_deferred():
                    undo.run()
                repaired = True
            except KeyboardInterrupt:  # held back until the repair was done
                repaired = interrupted = True
                raise
            finally:
                if interrupted and repaired:
                    print(f"interrupted: the repair of {name} ran, so the link is as deployed "
                          "again (lab.repair_all() checks every link).", file=sys.stdout,
                          flush=True)


def repair_all(workflow: str = "standard") -> pd.DataFrame:
    """Compare every link with the deployed template's intent and repair what differs.

    For a kernel that died inside :func:`broken`. Idempotent: on an intact stack it
    changes nothing. Returns one row per scenario: what was found, what was done.
    """
    lab = DeployedLab(workflow)
    rows = []
    with interrupts_deferred():
        for scenario in SCENARIOS.values():
            found = scenario.drift(lab)
            if found:
                scenario.restore(lab)
                still = scenario.drift(lab)
                if still:
                    raise LabError(f"{scenario.name} could not be repaired ({still}); "
                                   "redeploy with `python -m lab deploy`.")
            rows.append({"scenario": scenario.name, "found": found or "as deployed",
                         "action": "repaired" if found else "none"})
    return pd.DataFrame(rows, columns=["scenario", "found", "action"])
