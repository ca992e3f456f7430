"""What a failure scenario is, and the undo list its break fills as it goes.

Each module of :mod:`lab.failures.scenarios` defines one :class:`Scenario`: a break
(``apply``), a check that compares the live link with the deployed template
(``drift``) and a repair that needs no record of the break (``restore``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lab.errors import LabError
from lab.masking import mask_secrets

if TYPE_CHECKING:
    from lab.failures.stack import DeployedLab


class Undo:
    """Repair steps, pushed BEFORE each change, run last-in first-out."""

    def __init__(self, scenario: str):
        self.scenario = scenario
        self.steps: list[tuple[str, Callable[[], None]]] = []

    def push(self, what: str, step: Callable[[], None]) -> None:
        self.steps.append((what, step))

    def run(self) -> None:
        failed = []
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
            except Exception as exc:  # carry on: every other step still runs
                failed.append(f"{what} ({type(exc).__name__}: {mask_secrets(str(exc))})")
        if failed:
            raise LabError(
                f"the repair of {self.scenario} did not finish: {'; '.join(failed)}; "
                "run lab.failures.repair_all() to put the stack back as deployed."
            )


@dataclass(frozen=True)
class Scenario:
    """One way to break the path: what it changes, how it fails, how it is put right."""

    name: str
    breaks: str
    expected_error: str
    fix: str
    on_aws: str
    apply: Callable[[DeployedLab, Undo], None]
    drift: Callable[[DeployedLab], str | None]
    restore: Callable[[DeployedLab], None]
    #: False when AWS cannot be made to fail this way on demand (its timing decides):
    #: in aws mode the lab then reports what it observed and why, instead of asserting.
    reproducible_on_aws: bool = True
