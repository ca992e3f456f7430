"""What an exercise is: its piece of the stack, its hints, its reference, and its check.

Each exercise (one class in :mod:`lab.exercises.catalog`) names the field of
:class:`cdk_app.pieces.Pieces` the learner writes, and judges one :class:`Trial`
(the exercise stack deployed in the sandbox with that piece in place, one execution
run through it). The flow is the same for all of them (:meth:`Exercise.check`):

1. ``None`` (or a function that returns ``None``): *not attempted*;
2. the learner's function raised, or returned the wrong kind of thing: *incorrect*,
   with their error in one line (never the kit's traceback);
3. CloudFormation refused the template: *incorrect*, with its reason;
4. the execution failed: *incorrect*, with AWS's error and cause, the link, the fix
   (:meth:`Exercise.diagnose`);
5. it succeeded: *correct*, unless :meth:`Exercise.judge` finds a mistake the run
   cannot show (an AZ-specific DNS name), with :meth:`Exercise.broader` notes when it
   works but allows more than it needs.
"""

from __future__ import annotations

import inspect
import sys
import traceback
from collections.abc import Callable
from typing import Any, ClassVar

from lab.exercises.outcome import CORRECT, INCORRECT, NOT_ATTEMPTED, Outcome
from lab.exercises.stack import LearnerError, NotAttempted, Trial, replace_piece, try_piece


class Exercise:
    """One piece of the stack for the learner to write."""

    #: the name ``lab.check`` takes, also the Pieces field and the function's name
    name: ClassVar[str]
    #: what the learner builds, one line
    title: ClassVar[str]
    #: the function's signature as the notebook shows it
    signature: ClassVar[str]
    #: the link of the path this piece is
    link: ClassVar[str]
    #: progressive hints, from a nudge to nearly the answer
    hints: ClassVar[tuple[str, ...]]
    #: what the kit's reference function is (module:function) for lab.solution()
    reference_path: ClassVar[str]
    #: the execution needs the connection ACTIVE first (the Retry exercise does not wait)
    wait_for_connection: ClassVar[bool] = True
    #: what an incorrect answer's block says when the run failed
    failed: ClassVar[str] = "the execution failed"
    #: what a correct answer's block says happened
    success: ClassVar[str] = "one execution went through the whole path."

    # ------------------------------------------------------------------ the learner's side

    def reference(self) -> Callable:
        from cdk_app.pieces import REFERENCE

        return getattr(REFERENCE, self.name)

    def solution_source(self) -> str:
        return inspect.getsource(self.reference())

    #: what the function must return: (an attribute it has, or its type; "what it is: the
    #: fix" for an answer that returns something else); None: no check
    returns: ClassVar[tuple[str | type, str] | None] = None

    def validate(self, result: Any) -> str | None:
        """None when ``result`` is what the stack needs, else what is wrong with it."""
        if self.returns is None:
            return None
        has, wanted = self.returns
        if isinstance(has, type) and isinstance(result, has) or (
                isinstance(has, str) and hasattr(result, has)):
            return None
        return f"your function returned a {type(result).__name__}, not {wanted}."

    # ------------------------------------------------------------------ judging a trial

    def inspect(self, client, outputs: dict) -> dict:
        """What :meth:`judge` needs from the deployed exercise stack (before it is deleted)."""
        return {}

    def before_run(self, client, outputs: dict) -> None:
        """Change the sandbox just before the execution (default: nothing)."""

    def run(self, client, trial: Trial) -> None:
        """Send one execution (default) or one event through the exercise stack."""
        from lab.exercises.stack import run_execution

        run_execution(client, trial)

    def diagnose(self, trial: Trial) -> tuple[str, str]:
        """(link, fix) for a failed execution or deploy."""
        return self.link, f"compare your function with the hints: lab.hint({self.name!r})."

    def judge(self, trial: Trial) -> tuple[str, str, str] | None:
        """A mistake a successful run cannot show: (summary, aws_said, fix), or None."""
        return None

    def broader(self, trial: Trial) -> list[str]:
        """Notes for a working answer that allows more than it needs."""
        return []

    # ------------------------------------------------------------------ the check

    def check(self, answer: Callable | None, *, where: str = "checked in the local sandbox"
              ) -> Outcome:
        """Build the exercise stack with ``answer`` in place, run it, and say what happened."""

        def outcome(state: str, **kwargs) -> Outcome:
            return Outcome(self.name, state, where=where, **kwargs)

        if answer is None:
            return outcome(NOT_ATTEMPTED, summary=f"write {self.signature}, then check it.")
        if not callable(answer):
            return outcome(INCORRECT, summary=(
                f"pass the function itself (lab.check({self.name!r}, {self.name})), "
                f"not a {type(answer).__name__}."))
        from cdk_app.pieces import REFERENCE

        pieces = replace_piece(REFERENCE, self.name, self._guarded(answer))
        try:
            trial = try_piece(pieces, inspect=self.inspect, before_run=self.before_run,
                              wait_for_connection=self.wait_for_connection, run=self.run)
        except NotAttempted:
            return outcome(NOT_ATTEMPTED, summary=(
                f"your {self.name} returns None: write its body, then check it."))
        except LearnerError as exc:
            return outcome(INCORRECT, summary=exc.message, link=self.link,
                           fix=f"fix your function; lab.hint({self.name!r}) helps.")
        except Exception as exc:  # CDK refused what the function returned, at synth
            if not _raised_at_synth(exc):
                raise
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return outcome(INCORRECT, summary="CDK could not build the stack with your piece",
                           link=self.link, aws_said=f"cdk synth: {type(exc).__name__}: {first}",
                           fix=f"return what {self.signature} says; lab.hint({self.name!r}) "
                           "helps.")
        seconds = trial.seconds
        if trial.deploy_error or not trial.succeeded:
            said = trial.deploy_error and f"CloudFormation: {trial.deploy_error}" or (
                f"{trial.error}: {trial.cause}")
            where_failed = ("the exercise stack did not deploy" if trial.deploy_error
                            else self.failed)
            link, fix = self.diagnose(trial)
            return outcome(INCORRECT, summary=where_failed, link=link, aws_said=said, fix=fix,
                           seconds=seconds)
        mistake = self.judge(trial)
        if mistake:
            summary, said, fix = mistake
            return outcome(INCORRECT, summary=summary, link=self.link, aws_said=said, fix=fix,
                           seconds=seconds)
        return outcome(CORRECT, summary=self.success,
                       notes=tuple(self.broader(trial)), seconds=seconds)

    def _guarded(self, answer: Callable) -> Callable:
        """``answer`` as the stack calls it: None, errors and wrong results become one line."""

        def guarded(*args, **kwargs):
            try:
                result = answer(*args, **kwargs)
            except (NotAttempted, LearnerError):
                raise
            except Exception as exc:
                raise LearnerError(_their_error(exc, answer)) from None
            if result is None:
                raise NotAttempted()
            problem = self.validate(result)
            if problem:
                raise LearnerError(problem)
            return result

        return guarded


def _raised_at_synth(exc: Exception) -> bool:
    """True when ``exc`` comes from building the app (CDK, jsii), not from the sandbox run."""
    frames = traceback.extract_tb(exc.__traceback__)
    return any(f.filename.endswith(("/cdk_app/app.py", "/cdk_app/stack.py"))
               or "/jsii/" in f.filename for f in frames) and not any(
        "/botocore/" in f.filename for f in frames)


def _their_error(exc: Exception, answer: Callable) -> str:
    """``TypeError: …`` and the line of the learner's function it came from, if any."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    # jsii wraps the JavaScript error; the first line is the message
    line = ""
    code = getattr(answer, "__code__", None)
    if code is not None:
        for frame in reversed(traceback.extract_tb(sys.exc_info()[2] or exc.__traceback__)):
            if frame.filename == code.co_filename:
                line = f" (line {frame.lineno - code.co_firstlineno + 1} of your function: " \
                       f"{frame.line})"
                break
    return f"your function raised {type(exc).__name__}: {message}{line}"
