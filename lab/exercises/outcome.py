"""What a check answers: correct, incorrect or not attempted, in one short block."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from lab.masking import mask_secrets

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"

_WIDTH = 100


@dataclass(frozen=True)
class Outcome:
    """One check's answer. Shown as a short text block (``repr``), never a traceback.

    - ``link``: the link of the path that failed (incorrect only);
    - ``aws_said``: the error as AWS would report it (the execution's error and cause,
      or CloudFormation's reason);
    - ``fix``: what to change in the learner's function;
    - ``notes``: for a working answer that is broader than it needs to be.
    """

    exercise: str
    state: str
    summary: str = ""
    link: str = ""
    aws_said: str = ""
    fix: str = ""
    notes: tuple[str, ...] = ()
    where: str = "checked in the local sandbox"
    seconds: float = field(default=0.0, compare=False)

    @property
    def correct(self) -> bool:
        return self.state == CORRECT

    def text(self) -> str:
        head = {CORRECT: "✔ correct", INCORRECT: "✘ incorrect",
                NOT_ATTEMPTED: "○ not attempted"}[self.state]
        lines = [f"{self.exercise}: {head} ({self.where})"]
        rows = [("", self.summary), ("link", self.link), ("AWS said", self.aws_said),
                ("change", self.fix)]
        rows += [("but", note) for note in self.notes]
        for label, value in rows:
            if not value:
                continue
            prefix = f"  {label + ':':10}" if label else "  "
            wrapped = textwrap.wrap(mask_secrets(value), _WIDTH - len(prefix),
                                    break_on_hyphens=False, break_long_words=False) or [""]
            lines.append(prefix + wrapped[0])
            lines += [" " * len(prefix) + rest for rest in wrapped[1:]]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = text
