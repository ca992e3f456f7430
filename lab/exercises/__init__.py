"""Build exercises (notebook 08): the learner writes a piece of the stack, the sandbox checks it.

Kaggle Learn's ``learntools`` way: one small class per exercise that knows its check,
its hints and its reference solution (:mod:`lab.exercises.catalog`)::

    lab.check("gateway_security_group", gateway_security_group)  # correct / incorrect / …
    lab.hint("gateway_security_group")        # the next hint (progressive, per kernel)
    lab.solution("gateway_security_group")    # the kit's own function, as cdk_app uses it
    lab.progress()                            # every exercise's state, kept across kernels

A check synthesizes the lab's stack with the learner's function in place of the kit's
(:class:`cdk_app.pieces.Pieces`), deploys it into the local sandbox as a stack of its own,
runs one execution through it, deletes it, and answers in one short block
(:class:`~lab.exercises.outcome.Outcome`). Always in the sandbox, in aws mode too.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from lab.errors import LabError
from lab.exercises import state
from lab.exercises.catalog import EXERCISES
from lab.exercises.outcome import CORRECT, INCORRECT, NOT_ATTEMPTED, Outcome

__all__ = ["CORRECT", "EXERCISES", "INCORRECT", "NOT_ATTEMPTED", "Outcome", "apply_answer",
           "check", "exercise",
           "hint", "progress", "progress_rows", "reference", "solution"]

# Hints seen in this kernel, per exercise: a fresh kernel starts at hint 1 again, so a
# notebook re-run shows the same hints (the state file keeps the most ever seen).
_hints_seen: dict[str, int] = {}


class Text(str):
    """A string a notebook shows as plain text (no quotes, newlines kept)."""

    def __repr__(self) -> str:
        return str(self)


def exercise(name: str):
    """The exercise called ``name``; a :class:`LabError` listing them all otherwise."""
    found = EXERCISES.get(str(name))
    if found is None:
        raise LabError(f"there is no exercise {name!r}; the exercises are "
                       f"{', '.join(EXERCISES)}.")
    return found


def _where() -> str:
    from lab.config import load_config

    if load_config().is_sandbox:
        return "checked in the local sandbox"
    return "checked in the local sandbox, not in your AWS account: offline, free"


def check(name: str, answer: Callable | None = None) -> Outcome:
    """Check the learner's function for exercise ``name``: correct / incorrect / not attempted.

    Builds the lab's stack with ``answer`` in place of the kit's piece, deploys it into the
    local sandbox as its own stack, runs one execution, deletes it, and says what happened:
    for a wrong answer which link failed, what AWS would have said, and what to change.
    """
    found = exercise(name)
    outcome = found.check(answer, where=_where())
    state.record_check(found.name, outcome.state, outcome.seconds)
    return outcome


def hint(name: str, number: int | None = None) -> Text:
    """The next hint for ``name`` (or hint ``number``); later hints say more."""
    found = exercise(name)
    total = len(found.hints)
    if number is None:
        number = min(_hints_seen.get(found.name, 0) + 1, total)
    if not 1 <= int(number) <= total:
        raise LabError(f"{found.name} has hints 1 to {total}; ask for one of those.")
    _hints_seen[found.name] = max(_hints_seen.get(found.name, 0), int(number))
    state.record_hint(found.name, int(number))
    more = (f"  (lab.hint({found.name!r}) again for hint {number + 1})" if number < total
            else f"  (last hint; lab.solution({found.name!r}) shows the kit's function)")
    return Text(f"Hint {number}/{total} for {found.name}: {found.hints[int(number) - 1]}\n{more}")


def solution(name: str) -> Text:
    """The kit's own function for ``name``: the one ``cdk_app`` builds the lab's stack with."""
    found = exercise(name)
    state.record_solution(found.name)
    module, _, function = found.reference_path.partition(":")
    return Text(f"# {found.title}\n# (cdk_app: {module}.{function}; the notebook's "
                f"imports: aws_ec2 as ec2, aws_iam as iam, aws_vpclattice as lattice, ...)\n"
                + found.solution_source().rstrip())


def apply_answer(name: str, answer: Callable) -> dict:
    """Deploy the lab's own stack with your ``answer`` in place of the kit's piece.

    Checks it first (in the local sandbox) and refuses an answer that is not correct. Then
    it updates the lab's stack where the lab runs: in aws mode **your account** (billable,
    so only after ``CONFIRM_BILLABLE`` as for ``lab.deploy``), in sandbox mode the sandbox.
    ``lab.ensure_deployed()`` (any notebook) puts the kit's own version back. Returns the
    stack's outputs.
    """
    from lab.config import load_config, require_aws_credentials
    from lab.deployment import StackDeployer, require_billable_consent
    from lab.exercises.stack import replace_piece, synthesize_named

    outcome = check(name, answer)
    if not outcome.correct:
        raise LabError(f"{name} is not correct yet ({outcome.summary}); make lab.check"
                       f"({name!r}, ...) say correct first, then apply it.")
    from cdk_app.pieces import REFERENCE

    cfg = load_config()
    if cfg.is_sandbox:
        from lab.sandbox import ensure_running

        ensure_running()
    else:
        require_aws_credentials(cfg)
        require_billable_consent(cfg)
    template = synthesize_named(replace_piece(REFERENCE, exercise(name).name, answer),
                                cfg.stack_name)
    return StackDeployer(cfg, template=lambda: template).deploy()


def reference(name: str) -> Callable:
    """The kit's reference function for ``name`` (what ``SOLVED=True`` puts in the answer)."""
    return exercise(name).reference()


def progress_rows() -> list[dict]:
    """One row per exercise: its state, checks, hints seen, whether the solution was shown."""
    saved = state.load()
    rows = []
    for name in EXERCISES:
        entry = saved.get(name, {})
        if not isinstance(entry, dict):
            entry = {}
        rows.append({
            "exercise": name,
            "state": entry.get("state", NOT_ATTEMPTED),
            "solved": bool(entry.get("solved")),
            "checks": int(entry.get("checks", 0)),
            "hints": int(entry.get("hints", 0)),
            "solution_seen": bool(entry.get("solution_seen")),
            "checked_at": entry.get("checked_at"),
        })
    return rows


def progress() -> pd.DataFrame:
    """Every exercise's state, kept across kernels (``python -m lab progress`` too)."""
    table = pd.DataFrame(progress_rows()).set_index("exercise")
    return table.drop(columns=["checked_at"])
