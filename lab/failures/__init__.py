"""Failure labs (notebook 06): break one link of the path on purpose, watch it fail, repair it.

Six scenarios, each a one-call break through the public AWS APIs (the same calls in
the sandbox and on AWS) and a repair that always runs::

    with lab.broken("gateway_sg_no_egress"):
        lab.run_once()                         # fails: States.Http.Socket
    lab.run_once()                             # repaired: SUCCEEDED

    row = lab.run_failure("wrong_api_key")     # break, run, repair, run again -> one row
    lab.check_failure(row)                     # as expected? (aws mode: what was observed)
    lab.failure_table([row, ...])              # the rows as a table
    lab.failure_scenarios()                    # what each scenario breaks, and its fix

The package, in the order a break travels:

- :mod:`~lab.failures.stack`: the deployed stack as the breaks see it (outputs, template,
  physical ids, the API key);
- :mod:`~lab.failures.scenario`: what a scenario is, and the undo list a break fills;
- :mod:`~lab.failures.scenarios`: one module per scenario (break, drift check, repair);
- :mod:`~lab.failures.repair`: :func:`broken` and :func:`repair_all`;
- :mod:`~lab.failures.runner`: :func:`run_scenario` and :func:`check`;
- :mod:`~lab.failures.report`: where a failure surfaced, short causes, the tables.

Waits (a connection to re-authorize, a configuration to update) use the mode's
profile from :mod:`lab.waiting`: minutes on AWS, seconds in the sandbox. Secrets: the
real API key is read from API Gateway only to put it back; it is never printed and
every cause shown here is masked.

Imports: ``runner``, ``report`` and ``repair`` -> ``scenarios`` -> ``scenario`` and
``stack`` -> the lab's leaves (``config``, ``errors``, ``clients``, ``deployment``,
``waiting``); ``lab.event_delivery`` imports this package, nothing here imports it back.
"""

from __future__ import annotations

from lab.failures.repair import Broken, broken, interrupts_deferred, repair_all
from lab.failures.report import (
    CAUSE_LIMIT,
    FAILURE_COLUMNS,
    failure_table,
    scenarios,
    short_cause,
    surfaced_at,
)
from lab.failures.runner import check, run_scenario
from lab.failures.scenario import Scenario, Undo
from lab.failures.scenarios import SCENARIOS, scenario_named
from lab.failures.stack import TEMP_PREFIX, DeployedLab

__all__ = [
    "CAUSE_LIMIT",
    "FAILURE_COLUMNS",
    "SCENARIOS",
    "TEMP_PREFIX",
    "Broken",
    "DeployedLab",
    "Scenario",
    "Undo",
    "broken",
    "check",
    "failure_table",
    "interrupts_deferred",
    "repair_all",
    "run_scenario",
    "scenario_named",
    "scenarios",
    "short_cause",
    "surfaced_at",
]
