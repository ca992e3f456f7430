"""The seven failure scenarios, one module each, in the order notebook 06 runs them.

Imports: each scenario imports ``lab.failures.scenario`` and ``lab.failures.stack``, never the
runner or the report, which import the scenarios.
"""

from __future__ import annotations

from lab.errors import LabError
from lab.failures.scenario import Scenario
from lab.failures.scenarios import (
    connection_not_active,
    gateway_sg_no_egress,
    no_private_connectivity,
    policy_other_endpoint,
    role_without_credentials,
    wrong_api_key,
    wrong_dns_target,
)

SCENARIOS: dict[str, Scenario] = {
    module.SCENARIO.name: module.SCENARIO
    for module in (
        wrong_api_key,
        no_private_connectivity,
        gateway_sg_no_egress,
        connection_not_active,
        policy_other_endpoint,
        wrong_dns_target,
        role_without_credentials,
    )
}


def scenario_named(name: str) -> Scenario:
    """The scenario called ``name``; a LabError naming the known ones otherwise."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise LabError(f"unknown failure scenario {name!r}; use one of: {', '.join(SCENARIOS)}.")
    return scenario
