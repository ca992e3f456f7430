"""Troubleshooting challenges (notebook 09): every mystery is diagnosable with the kit's own
calls, a right answer repairs it, a wrong one nudges, and no break survives.

Against the sandbox server with the lab's real stack (as tests/test_failures.py). The
"player" below looks only with what a learner has: lab.run_once()'s error and cause, the
state machine's definition and the stack's outputs.
"""

from __future__ import annotations

import json

import pytest
from deployed_lab import assert_intact, deployed, drift  # noqa: F401 - a fixture
from solved_notebooks import solved_outputs

import lab
from lab import failures, mysteries
from lab.executions import run_once

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]


@pytest.fixture
def intact(deployed, tmp_path, monkeypatch):  # noqa: F811 - the imported fixture
    """A progress file of its own; fails the test if any link is left broken."""
    from lab.exercises import state

    monkeypatch.setattr(state, "state_path", lambda: tmp_path / "exercises.json")
    yield deployed
    mysteries.repair()
    assert_intact()


def play(outputs: dict) -> str:
    """What a learner concludes from the notebook's calls (run, then look where it points)."""
    result = run_once()
    error, cause = result["error"] or "", result["cause"] or ""
    if error == "Events.ConnectionResource.AccessDenied":
        return "the execution role lost events:RetrieveConnectionCredentials"
    if error.startswith("Events.ConnectionResource."):
        return "the connection is not active"
    if error == "States.Http.Socket":
        return "the gateway's security group" if "Security group" in cause else "the DNS target"
    if error == "States.Http.StatusCode.403":
        if "AccessDeniedException" in cause:
            return "the API's resource policy"
        definition = lab.client("stepfunctions").describe_state_machine(
            stateMachineArn=outputs["StandardStateMachineArn"])["definition"]
        if outputs["ConnectionArn"] not in json.dumps(json.loads(definition)):
            return "the task's connection has no private connectivity"
        return "the api key"
    return f"no idea ({error})"


@pytest.mark.parametrize("name", list(failures.SCENARIOS))
def test_every_mystery_is_diagnosable_from_the_kits_calls(intact, name):
    """Each scenario, broken out of sight, is found with run_once and the stack's own view."""
    mysteries.mystery(name)
    answer = play(intact)
    said = mysteries.diagnose(answer)
    assert said.startswith("right"), f"{name}: the player said {answer!r}, got {said}"
    assert run_once()["status"] == "SUCCEEDED"


def test_a_wrong_answer_gets_a_nudge_and_keeps_the_link_broken(intact):
    mysteries.mystery("gateway_sg_no_egress")
    first = mysteries.diagnose("the api key")
    second = mysteries.diagnose("the api key")
    assert first.startswith("not that link") and "lab.run_once()" in first
    assert "lab.resource_gateway" in second
    assert run_once()["error"] == "States.Http.Socket"


def test_the_mystery_does_not_show_its_link():
    shown = repr(mysteries.Mystery(1, "wrong_dns_target"))
    assert "dns" not in shown.lower() and "wrong_dns_target" not in shown


def test_draws_are_reproducible_per_learner_and_cover_every_scenario():
    assert [mysteries.draw(n, "ann") for n in range(1, 6)] == [
        mysteries.draw(n, "ann") for n in range(1, 6)]
    drawn = {mysteries.draw(n, who) for n in range(1, 30) for who in ("ann", "bo")}
    assert drawn == set(failures.SCENARIOS)


def test_an_interrupted_break_is_repaired(intact, monkeypatch):
    """Ctrl-C (the kernel's interrupt) while the break is applied: nothing stays broken."""
    scenario = failures.scenario_named("wrong_dns_target")
    real = scenario.apply

    def apply_then_interrupt(deployed_lab, undo):
        real(deployed_lab, undo)
        raise KeyboardInterrupt

    patched = failures.Scenario(**{**scenario.__dict__, "apply": apply_then_interrupt})
    monkeypatch.setitem(failures.SCENARIOS, "wrong_dns_target", patched)
    with pytest.raises(KeyboardInterrupt):
        mysteries.mystery("wrong_dns_target")
    assert drift() == {}


def test_leaving_the_with_block_repairs(intact):
    with mysteries.mystery("role_without_credentials"):
        assert run_once()["error"] == "Events.ConnectionResource.AccessDenied"
    assert run_once()["status"] == "SUCCEEDED"


def test_repair_all_repairs_an_open_mystery(intact):
    mysteries.mystery("wrong_api_key")
    failures.repair_all()
    assert drift() == {}
    assert mysteries.repair().endswith("repaired")  # and the mystery's own repair is harmless


def test_notebook_09_solved_finds_its_mystery(deployed, tmp_path):  # noqa: F811
    """What CI injects through the parameters cell (SOLVED=True): the diagnosis is right and
    the path works again at the end (the committed, unsolved run is strict nbval's)."""
    said = solved_outputs("09_troubleshooting.ipynb", tmp_path, "lab.diagnose(")
    assert said and said[0].startswith("right"), said
    assert drift() == {}
