"""Predictions with answers (notebooks 00-05, 07): the learner predicts, the run answers.

Each "Try this: predict ..." of the walk-through is a question in :data:`QUESTIONS`: its
choices, and how the answer is **measured** in the learner's own run — never a stored
answer::

    lab.prediction("05.phase_grows")                       # the question and its choices
    lab.reveal_prediction("05.phase_grows", MY_PREDICTION, concurrency=CONCURRENCY)

The answer lives in the notebook's parameters cell (``MY_PREDICTION = None``), so papermill
can set it. :func:`reveal_prediction` first checks the answer is one of the choices (a
one-sentence :class:`LabError` naming them otherwise), then measures, then answers in one
short block (:class:`Reveal`): right, not what the run shows, or no prediction made — with
what the run showed either way. Both modes: in aws mode every measurement is the account's
own (no sandbox-only data); where running it on AWS would take minutes or break the
learner's stack for a while (02, 03), the reveal reads the failure-scenario catalog (which
tests prove against the sandbox) and says so, unless ``run_break=True``.

Imports: this module -> ``lab.errors``, ``lab.config``, ``lab.display`` at the top; the
measuring modules (``lab.deployment``, ``lab.failures``, ``lab.harness``, ``lab.results``)
inside the functions that measure. Nothing imports this module but ``lab``'s lazy map.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from lab.errors import LabError

RIGHT = "right"
WRONG = "not what the run shows"
NO_PREDICTION = "no prediction made"
NOT_MEASURED = "not measured"

#: 05: the concurrency the question raises CONCURRENCY to.
HIGH_CONCURRENCY = 16
#: 05: a median that grew by less than this factor did not grow (sandbox and AWS jitter).
GROWTH_FLOOR = 1.1
#: 05: a runner-up whose growth is at least this share of the top one is named as close.
CLOSE = 0.9
#: 05: the phases of a STANDARD execution, outermost first (lab.results.PHASES, less EXPRESS's
#: billed_ms), and "none" for a run where no median grew by GROWTH_FLOOR.
PHASE_CHOICES = ("client_ms", "execution_ms", "http_task_ms", "sfn_to_api_ms",
                 "api_to_result_ms", "none")
#: 05: what a phase growing most says (phases nest: client ⊃ execution ⊃ HTTP Task ⊃ the hops).
PHASE_WHY = {
    "client_ms": "the client's round trip (start, then polling) grew most: with more executions "
                 "in flight its own calls wait for each other",
    "execution_ms": "Step Functions' start-to-stop grew most: scheduling more executions at once "
                    "stretched the time around the HTTP Task",
    "http_task_ms": "the HTTP Task itself grew most: more calls in flight at once through the "
                    "connection, the gateway and the endpoint",
    "sfn_to_api_ms": "the hop into your VPC (task start → the API's arrival) grew most: more "
                     "requests in flight at once through the connection, gateway and endpoint",
    "api_to_result_ms": "the way back (the API's answer → TaskSucceeded) grew most",
    "none": "at this size nothing queued: the path serves 16 calls at once as fast as a few",
}
#: 00: what ``lab.prepare()`` says in aws mode, in the order it checks.
PREPARE_CHOICES = ("it asks for AWS credentials", "it asks you to confirm the cost",
                   "it says the account is ready")
#: 01: what a second deploy of the same template can do to the stack.
REDEPLOY_CHOICES = ("nothing changes", "the stack is updated",
                    "the stack is deleted and created again")
#: 03: where a call breaks, seen from the private API.
WHERE_CHOICES = ("before the API sees it", "after the API sees it")

#: 07: put -> receipt p99 of a burst, in ranges (the rate limit spaces a burst's events).
P99_CHOICES = ("under 2 s", "2 to 5 s", "5 to 15 s", "over 15 s")
P99_EDGES_S = (2, 5, 15)
#: 07: the burst the question asks about.
BURST = 2000

_WIDTH = 100


@dataclass(frozen=True)
class Measured:
    """What the run showed: the right choice (None when it could not be measured), in words."""

    answer: str | None
    shows: str
    source: str
    why: str = ""
    table: object = None  # a small DataFrame, or None


@dataclass(frozen=True)
class Reveal:
    """A prediction compared with the run: one short block (text, and HTML with inline styles)."""

    name: str
    state: str
    said: str | None
    measured: Measured = field(repr=False)

    @property
    def right(self) -> bool:
        return self.state == RIGHT

    def lines(self) -> list[tuple[str, str]]:
        said = self.said if self.said is not None else "(nothing: MY_PREDICTION is None)"
        rows = [("you said", said), ("the run", self.measured.shows)]
        if self.measured.answer is not None:
            rows.append(("answer", self.measured.answer))
        rows += [("why", self.measured.why), ("measured", self.measured.source)]
        return [(label, value) for label, value in rows if value]

    def head(self) -> str:
        mark = {RIGHT: "✔", WRONG: "✘", NO_PREDICTION: "○", NOT_MEASURED: "○"}[self.state]
        return f"{self.name}: {mark} {self.state}"

    def text(self) -> str:
        out = [self.head()]
        for label, value in self.lines():
            prefix = f"  {label + ':':10}"
            wrapped = textwrap.wrap(value, _WIDTH - len(prefix), break_on_hyphens=False,
                                    break_long_words=False) or [""]
            out.append(prefix + wrapped[0])
            out += [" " * len(prefix) + rest for rest in wrapped[1:]]
        if self.measured.table is not None:
            from lab.display import frame_text

            out.append(frame_text(self.measured.table))
        return "\n".join(out)

    def _repr_html_(self) -> str:
        import html

        from lab.display import frame_html

        cell = "padding:1px 8px 1px 0;text-align:left;vertical-align:top"
        rows = "".join(
            f'<tr><td style="{cell};white-space:nowrap;font-weight:bold">{html.escape(label)}'
            f'</td><td style="{cell}">{html.escape(value)}</td></tr>'
            for label, value in self.lines())
        table = frame_html(self.measured.table) if self.measured.table is not None else ""
        return (f'<div style="max-width:100%"><p style="margin:0 0 4px 0;font-weight:bold">'
                f'{html.escape(self.head())}</p><table style="border-collapse:collapse">{rows}'
                f"</table>{table}</div>")

    def __repr__(self) -> str:
        return self.text()

    __str__ = text


@dataclass(frozen=True)
class Question:
    """One prediction: what is asked, its choices, and how the run answers it."""

    name: str
    notebook: str
    question: str
    choices: Callable[[], tuple[str, ...]]
    measure: Callable[..., Measured]


# ---------------------------------------------------------------- measurements


def _mode() -> str:
    from lab.config import load_config

    return load_config().mode


def _scenario_error(scenario: str, run_break: bool | None) -> tuple[str | None, str, str]:
    """The error the HTTP Task reports under ``scenario``, where it surfaced, and the source.

    The sandbox (or ``run_break=True``) breaks the link, runs one execution and repairs it
    (``lab.run_failure``); aws mode by default reads the failure catalog instead.
    """
    from lab.failures import run_scenario, scenario_named, surfaced_at

    expected = scenario_named(scenario).expected_error
    aws = _mode() == "aws"
    if run_break is None:
        run_break = not aws
    if not run_break:
        return (expected, surfaced_at(expected, None),
                f"read from the failure catalog (lab.failure_scenarios(), which the kit's tests "
                f"prove against the sandbox), not run on your account; 06's "
                f"lab.run_failure({scenario!r}) measures it there, or pass run_break=True")
    row = run_scenario(scenario)
    where = "your AWS account" if aws else "the sandbox"
    return (row["error"], row["surfaced_at"],
            f"this cell broke the link in {where}, ran one execution and repaired it "
            f"(after the repair: {row['after_repair']})")


def _no_egress_error(run_break: bool | None = None) -> Measured:
    error, where, source = _scenario_error("gateway_sg_no_egress", run_break)
    return Measured(error, f"the HTTP Task failed with {error}: {where}", source,
                    why=_why(error))


def _why(error: str | None) -> str:
    """What an HTTP Task error says about where the call stopped."""
    if not error:
        return "the execution succeeded: the break did not reach the path"
    if error == "States.Http.Socket":
        return ("no HTTP answer came back at all (the connection to the target could not be "
                "opened or was not answered): a socket error, not a status code")
    if error.startswith("States.Http.StatusCode."):
        return "something answered with an HTTP status code: the request reached a server"
    if error.startswith("Events.ConnectionResource."):
        return "the EventBridge connection stopped the call before any network"
    return ""


def _wrong_dns_where(run_break: bool | None = None) -> Measured:
    error, where, source = _scenario_error("wrong_dns_target", run_break)
    if not error:
        return Measured(None, "the execution succeeded: the break did not reach the path",
                        source)
    answered = error.startswith("States.Http.StatusCode.")
    answer = WHERE_CHOICES[1] if answered else WHERE_CHOICES[0]
    return Measured(answer, f"the HTTP Task failed with {error}: {where}", source,
                    why=_why(error))


def _aws_prepare(confirm_billable: bool = False) -> Measured:
    """What 00's ``lab.prepare()`` would say in aws mode on this machine, without switching the
    kernel's mode: the same credential check, then the same consent check."""
    import os

    from lab.config import load_config, require_aws_credentials

    cfg = load_config()
    source = ("this cell ran lab.prepare()'s aws-mode checks (boto3's credential chain, then "
              f"CONFIRM_BILLABLE={confirm_billable}) on this machine, in region {cfg.region}; "
              "the notebook's mode did not change")
    try:
        require_aws_credentials(load_config({**os.environ, "LAB_MODE": "aws",
                                             "LAB_REGION": cfg.region}))
    except LabError as exc:
        return Measured(PREPARE_CHOICES[0], f"lab.prepare() would say: {exc}", source,
                        why="credentials come first: without them nothing in aws mode can run")
    if not confirm_billable:
        return Measured(PREPARE_CHOICES[1], "boto3 found credentials on this machine, so "
                                            "lab.prepare() asks you to confirm the cost",
                        source, why="this machine has AWS credentials (the question assumed none)")
    return Measured(PREPARE_CHOICES[2], "boto3 found credentials and CONFIRM_BILLABLE is True",
                    source, why="this machine has AWS credentials (the question assumed none)")


def _redeploy() -> Measured:
    from lab.config import load_config
    from lab.deployment import deployer_for

    cfg = load_config()
    deployer = deployer_for(cfg, start_sandbox=True, creates=True)
    before = deployer.describe()
    if before is None:
        return Measured(None, "no stack was deployed before this cell, so there was nothing to "
                              "deploy again", "nothing run: deploy with 01's deploy cell first")
    first_event = deployer.latest_event_id(before["StackId"])
    said = io.StringIO()
    deployer.out, deployer.progress_bar = said, False
    deployer.deploy()
    after = deployer.describe()
    if after is None or after["StackId"] != before["StackId"]:
        answer = REDEPLOY_CHOICES[2]
    elif deployer.latest_event_id(after["StackId"]) != first_event:
        answer = REDEPLOY_CHOICES[1]
    else:
        answer = REDEPLOY_CHOICES[0]
    last = said.getvalue().strip().splitlines()[-1:] or ["(nothing)"]
    return Measured(answer, f"CloudFormation said: {last[0]}",
                    "this cell deployed again and compared the stack's id and its latest event "
                    "before and after",
                    why="the template is the same, so CloudFormation has nothing to change and "
                        "records no event" if answer == REDEPLOY_CHOICES[0] else
                        "the template differs from the deployed one (cdk_app/ changed)")


def _phase_grows(concurrency: int = 4, n: int = 20) -> Measured:
    import pandas as pd

    from lab.harness import run
    from lab.results import summary

    low = concurrency if concurrency < HIGH_CONCURRENCY else 1
    medians = {}
    for level in (low, HIGH_CONCURRENCY):
        runs = run("standard", n=n, concurrency=level, progress=False)
        rows = summary(runs)
        medians[level] = dict(zip(rows.phase, rows.p50, strict=True))
    table = pd.DataFrame(
        [{"phase": p, f"p50 at {low}": medians[low][p],
          f"p50 at {HIGH_CONCURRENCY}": medians[HIGH_CONCURRENCY][p],
          "growth": round(medians[HIGH_CONCURRENCY][p] / medians[low][p], 2)}
         for p in PHASE_CHOICES
         if medians[low].get(p) and pd.notna(medians[HIGH_CONCURRENCY].get(p))])
    where = "the sandbox (its latency, not AWS's: compare shapes)" if _mode() == "sandbox" \
        else "your AWS account"
    source = (f"this cell ran {n} STANDARD executions at concurrency {low} and {n} at "
              f"{HIGH_CONCURRENCY}, in {where}; growth = p50 at {HIGH_CONCURRENCY} / p50 at {low}")
    if table.empty:
        return Measured(None, "no execution succeeded at both levels, so no phase could be "
                              "compared", source)
    table.attrs["caption"] = "median (p50) per phase, ms"
    top = table.loc[table.growth.idxmax()]
    if top.growth < GROWTH_FLOOR:
        return Measured("none", f"no median grew by {GROWTH_FLOOR}x or more (the most: "
                                f"{top.phase}, x{top.growth})", source, why=PHASE_WHY["none"],
                        table=table)
    why = PHASE_WHY[str(top.phase)]
    close = table[(table.phase != top.phase) & (table.growth >= CLOSE * top.growth)]
    if not close.empty:
        why += (f"; close behind: {', '.join(f'{r.phase} x{r.growth}' for r in close.itertuples())}"
                " (another run may swap them)")
    return Measured(str(top.phase), f"{top.phase} grew most: p50 {top[f'p50 at {low}']} → "
                                    f"{top[f'p50 at {HIGH_CONCURRENCY}']} ms (x{top.growth})",
                    source, why=why, table=table)


def _p99_of_burst(n: int = BURST) -> Measured:
    from lab.event_delivery import account, send_events

    if _mode() == "aws":
        return Measured(None, "aws mode cannot see when the private API received each event "
                              "(no receipts without access logging), so put → receipt is not "
                              "measured and no events were sent",
                        "nothing run: in sandbox mode this cell sends the burst and measures it")
    report = account(send_events(n=n), progress=False)
    p99 = report.get("p99_ms")
    source = (f"this cell put {n} events on the bus in the sandbox and timed each one's "
              f"put → receipt ({report['delivered']} delivered, {report['lost']} lost)")
    if p99 is None:
        return Measured(None, "no event reached the API, so there is no p99", source)
    seconds = p99 / 1000
    answer = P99_CHOICES[sum(seconds >= edge for edge in P99_EDGES_S)]
    return Measured(answer, f"p99_ms = {p99:,.0f} (p50_ms = {report['p50_ms']:,.0f})", source,
                    why="the API destination's rate limit (InvocationRateLimitPerSecond) queues "
                        "a burst: the last events wait about n / rate seconds")


def _error_choices() -> tuple[str, ...]:
    from lab.failures import SCENARIOS

    return tuple(sorted({s.expected_error for s in SCENARIOS.values()}))


QUESTIONS: dict[str, Question] = {q.name: q for q in (
    Question("00.aws_without_credentials", "00_setup",
             "You switch to aws mode and run lab.prepare() on a machine without AWS credentials. "
             "What does it say?", lambda: PREPARE_CHOICES, _aws_prepare),
    Question("01.redeploy", "01_deploy_stack",
             "You run the deploy cell again on a stack that is up to date. What happens?",
             lambda: REDEPLOY_CHOICES, _redeploy),
    Question("02.no_egress_error", "02_resource_gateway_enis",
             "06 removes the resource gateway's egress rule (tcp 443). Which error does the HTTP "
             "Task report?", _error_choices, _no_egress_error),
    Question("03.wrong_dns_where", "03_resource_configuration_dns",
             "06 points the resource configuration at a wrong DNS name. Where does the call "
             "break?", lambda: WHERE_CHOICES, _wrong_dns_where),
    Question("05.phase_grows", "05_http_invoke_latency",
             f"Raise CONCURRENCY to {HIGH_CONCURRENCY}: which phase's median grows the most "
             "(as a factor of its median at CONCURRENCY)?", lambda: PHASE_CHOICES,
             _phase_grows),
    Question("07.p99_of_burst", "07_eventbridge_api_destination",
             f"Put {BURST} events at once: what is put → receipt's p99 (p99_ms)?",
             lambda: P99_CHOICES, _p99_of_burst),
)}


# ---------------------------------------------------------------- the calls


def question(name: str) -> Question:
    """The question called ``name``; a :class:`LabError` listing them all otherwise."""
    found = QUESTIONS.get(str(name))
    if found is None:
        raise LabError(f"there is no prediction {name!r}; the predictions are "
                       f"{', '.join(QUESTIONS)}.")
    return found


def _normal(text: str) -> str:
    return " ".join(str(text).lower().split())


def validate(name: str, answer) -> str | None:
    """``answer`` as the choice it names (case and spacing ignored); None for no answer.

    Raises :class:`LabError` (one sentence naming the valid choices) for anything else.
    """
    asked = question(name)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    choices = asked.choices()
    for choice in choices:
        if isinstance(answer, str) and _normal(answer) == _normal(choice):
            return choice
    raise LabError(f"{answer!r} is not a choice for {name}; set MY_PREDICTION to one of: "
                   f"{', '.join(repr(c) for c in choices)}.")


def prediction(name: str) -> str:
    """The question ``name`` asks, its choices, and where to write the answer."""
    from lab.exercises import Text

    asked = question(name)
    choices = "\n".join(f"  - {c!r}" for c in asked.choices())
    return Text(f"{asked.name}: {asked.question}\nchoices:\n{choices}\nWrite one in "
                "MY_PREDICTION in the parameters cell, run that cell, then the reveal below.")


def reveal_prediction(name: str, answer=None, **measure) -> Reveal:
    """Measure the answer to ``name`` in this run and compare ``answer`` with it.

    ``measure`` goes to the question's measurement (00: ``confirm_billable``; 05:
    ``concurrency``, ``n``; 02 and 03:
    ``run_break``; 07: ``n``). A bad ``answer`` is refused before anything runs.
    """
    import inspect

    asked = question(name)
    said = validate(name, answer)
    takes = list(inspect.signature(asked.measure).parameters)
    unknown = [key for key in measure if key not in takes]
    if unknown:
        raise LabError(f"reveal_prediction({name!r}) takes no {', '.join(unknown)}; it takes "
                       f"{', '.join(takes) or 'only the answer'}.")
    return compare(name, said, asked.measure(**measure))


def compare(name: str, said: str | None, measured: Measured) -> Reveal:
    """The block for prediction ``said`` (a valid choice, or None) against ``measured``."""
    if measured.answer is None:
        state = NOT_MEASURED
    elif said is None:
        state = NO_PREDICTION
    else:
        state = RIGHT if said == measured.answer else WRONG
    return Reveal(name, state, said, measured)
