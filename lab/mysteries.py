"""Troubleshooting challenges (notebook 09): one link broken out of sight; find it, name it.

``lab.mystery()`` draws one of the failure scenarios (:mod:`lab.failures`), reproducibly per
learner (``LAB_LEARNER``, else the login name, and how many mysteries they had), and breaks
that link of the deployed stack without saying which. The learner looks with the calls of
02-07 (``lab.run_once()``, ``lab.execution_events``, ``lab.connection()``,
``lab.resource_gateway_enis()``, ``lab.resource_configuration()``, ``lab.check_dns_target``,
``lab.private_api_requests()``...) and answers ``lab.diagnose("<link or fix>")``: right (and the
link is repaired), or a nudge naming what to look at next.

The break is always repaired: when the answer is right; on leaving ``with lab.mystery():``;
when applying it is interrupted or fails; when the kernel exits (``atexit``); and by
``lab.repair_all()`` (which compares every link with the deployed template, so it also
repairs a break whose kernel died).
"""

from __future__ import annotations

import atexit
import getpass
import os
import random
import re
import socket
from dataclasses import dataclass, field

from lab.errors import LabError

#: Words that name each scenario's link or its fix (any one is a right answer).
ANSWERS: dict[str, tuple[str, ...]] = {
    "wrong_api_key": ("api key", "api-key", "x-api-key", "wrong key", "key value"),
    "no_private_connectivity": ("private connectivity", "public connection",
                                "temporary connection", "connectivity parameters",
                                "not private"),
    "gateway_sg_no_egress": ("security group", "egress", "gateway sg", "sg rule"),
    "connection_not_active": ("not active", "warm-up", "warmup", "authorizing", "updating",
                              "connection state"),
    "policy_other_endpoint": ("resource policy", "sourcevpce", "other endpoint",
                              "another endpoint", "api policy"),
    "wrong_dns_target": ("dns", "domain name", "resource configuration's name", "sts"),
    "role_without_credentials": ("retrieveconnectioncredentials", "execution role", "iam",
                                 "deny", "role policy"),
}

#: What to look at next, in order, for each scenario (the nudges ``diagnose`` gives).
CLUES: dict[str, tuple[str, ...]] = {
    "wrong_api_key": (
        "run lab.run_once(): a 403 means API Gateway answered, so the network path works.",
        "lab.private_api_requests() shows what API Gateway saw: which endpoint, and whether "
        "the key it got is the usage plan's.",
    ),
    "no_private_connectivity": (
        "run lab.run_once(): a 403 means something answered; was it your API, through your "
        "endpoint?",
        "lab.http_task_state() shows which connection the task uses now; lab.connection() "
        "the one the stack made, with its InvocationConnectivityParameters.",
    ),
    "gateway_sg_no_egress": (
        "run lab.run_once(): States.Http.Socket means no HTTP answer came back at all.",
        "lab.resource_gateway_enis() and lab.resource_gateway() show the gateway's security "
        "group; what may it send, and where?",
    ),
    "connection_not_active": (
        "run lab.run_once(): an Events.ConnectionResource.* error comes from the connection "
        "itself, before any network.",
        "lab.connection_timeline() shows the connection's state over time.",
    ),
    "policy_other_endpoint": (
        "run lab.run_once(): a 403 means API Gateway answered; who was refused, and why?",
        "the API's resource policy decides which VPC endpoint may call it: compare its "
        "aws:SourceVpce with lab.outputs()['VpcEndpointId'].",
    ),
    "wrong_dns_target": (
        "run lab.run_once(): States.Http.Socket means no HTTP answer came back at all.",
        "lab.resource_configuration() and lab.check_dns_target(lab.resolve_dns_target()) "
        "show where the configuration sends the traffic.",
    ),
    "role_without_credentials": (
        "run lab.run_once(): Events.ConnectionResource.AccessDenied names who was denied what.",
        "the execution role's policies (IAM console, or `aws iam list-role-policies`) decide "
        "what the task may do with the connection.",
    ),
}


@dataclass
class Mystery:
    """The active mystery: its scenario (hidden from ``repr``), its undo, the nudges given."""

    number: int
    scenario: str = field(repr=False)
    undo: object = field(repr=False, default=None)
    nudges: int = 0
    solved: bool = False

    def __repr__(self) -> str:
        state = "solved, repaired" if self.solved else "one link is broken"
        return (f"mystery #{self.number}: {state}. Look with the calls of 02-07 (start with "
                "lab.run_once()), then answer lab.diagnose(\"<the link or the fix>\").")

    def __enter__(self) -> Mystery:
        return self

    def __exit__(self, *exc) -> None:
        repair()


_active: Mystery | None = None


def learner() -> str:
    """Who the draws are reproducible for: ``LAB_LEARNER``, else login name and host.

    In a room of identical containers everyone is ``root`` or ``jovyan``: the host name
    (one per container) keeps their mysteries apart.
    """
    name = os.environ.get("LAB_LEARNER", "").strip()
    if name:
        return name
    try:
        user = getpass.getuser()
    except Exception:  # no login name
        user = "learner"
    return f"{user}@{socket.gethostname()}"


def draw(number: int, who: str | None = None) -> str:
    """The scenario of mystery ``number`` for ``who``: the same every time, for them."""
    from lab.failures import SCENARIOS

    return random.Random(f"{who or learner()}:{number}").choice(sorted(SCENARIOS))


def mystery(scenario: str | None = None, workflow: str = "standard") -> Mystery:
    """Break one link of the deployed stack out of sight; returns the :class:`Mystery`.

    ``scenario`` picks one on purpose (tests, a facilitator); by default it is drawn for
    this learner. A mystery still open is repaired first.
    """
    from lab.exercises import state
    from lab.failures import DeployedLab, Undo, interrupts_deferred, scenario_named

    global _active
    repair()
    data = state.load()
    number = int(data.get("_mysteries", {}).get("drawn", 0)) + 1
    name = scenario or draw(number)
    chosen = scenario_named(name)
    lab = DeployedLab(workflow)
    from cdk_app.names import Output

    lab.wait_connection(lab.outputs[Output.ConnectionName])
    undo = Undo(name)
    current = Mystery(number, name, undo)
    try:
        chosen.apply(lab, undo)
    except BaseException:  # interrupted or failed half way: nothing stays broken
        with interrupts_deferred():
            undo.run()
        raise
    _active = current
    _record(drawn=number)
    return current


def repair() -> str:
    """Put the active mystery's link back (nothing to do when none is open);
    ``lab.end_mystery()``."""
    from lab.failures import interrupts_deferred

    global _active
    current, _active = _active, None
    if current is None or current.undo is None:
        return _text("no mystery open: nothing to repair")
    try:
        with interrupts_deferred():
            current.undo.run()
    except LabError:
        # lab.repair_all() may have put the link back already: then nothing is left to do
        from lab.failures import DeployedLab, scenario_named

        if scenario_named(current.scenario).drift(DeployedLab()):
            raise
    return _text(f"mystery #{current.number} repaired")


def _text(message: str) -> str:
    from lab.exercises import Text

    return Text(message)


def _normalise(text: str) -> str:
    return re.sub(r"[\s_]+", " ", str(text).lower()).strip()


def reveal() -> str:
    """Give up: words that name the open mystery's link (what ``SOLVED=True`` answers)."""
    from lab.exercises import Text

    if _active is None:
        raise LabError("no mystery is open; start one with lab.mystery().")
    return Text(ANSWERS[_active.scenario][0])


def diagnose(answer: str | None) -> str:
    """Right (the link is repaired), or a nudge naming what to look at next."""
    from lab.exercises import Text

    if _active is None:
        raise LabError("no mystery is open; start one with lab.mystery().")
    if not answer:
        return Text("not attempted: look with the calls above, then write your answer "
                    "(the link or the fix, in words) and run lab.diagnose(ANSWER) again.")
    said = _normalise(answer)
    name = _active.scenario
    if any(word in said for word in ANSWERS[name]) or _normalise(name) in said:
        from lab.failures import scenario_named

        scenario = scenario_named(name)
        number = _active.number
        repair()
        _record(solved=number)
        return Text(f"right: {scenario.breaks}. The fix: {scenario.fix}. Repaired; "
                    "lab.mystery() draws the next one.")
    clues = CLUES[name]
    clue = clues[min(_active.nudges, len(clues) - 1)]
    _active.nudges += 1
    return Text(f"not that link. Look next: {clue}")


def _record(**changes) -> None:
    from lab.exercises import state

    data = state.load()
    entry = data.setdefault("_mysteries", {})
    if "drawn" in changes:
        entry["drawn"] = max(int(entry.get("drawn", 0)), changes["drawn"])
    if "solved" in changes:
        entry["solved"] = sorted({*entry.get("solved", []), changes["solved"]})
    state.save(data)


@atexit.register
def _repair_at_exit() -> None:  # the kernel shuts down or restarts: leave nothing broken
    try:
        repair()
    except Exception as exc:  # the stack may be gone; say so, never raise at exit
        print(f"lab: could not repair the open mystery ({exc}); run lab.repair_all().")
