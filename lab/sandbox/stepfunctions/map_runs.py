"""A Distributed Map run fails when its failed items exceed the tolerated threshold.

https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
(``ToleratedFailureCount``, ``ToleratedFailurePercentage``; by default no failure is
tolerated) and the error name ``States.ExceedToleratedFailureThreshold``
(concepts-error-handling.html: "a Map state failed because the number of failed items
exceeded the threshold specified in the state machine definition"). moto's interpreter
counted the failed child workflows and then ended the run as succeeded anyway, with ``null``
for each failed item.

Here, after the run: with neither threshold above 0 any failed item fails the Map state; with
``ToleratedFailureCount`` above 0, more failed items than that fail it; with
``ToleratedFailurePercentage`` above 0, a larger share of failed items than that fails it.
The Map state then fails with ``States.ExceedToleratedFailureThreshold`` (a ``MapRunFailed``
event, catchable by the Map's ``Catch``), and the Map Run is FAILED. A redriven Map Run runs
only the items that did not succeed (:mod:`.redrive_parts`).
"""

from __future__ import annotations


def exceeded(failed: int, total: int, count: int, percentage: float) -> bool:
    """Whether ``failed`` of ``total`` items exceed the tolerated ``count`` / ``percentage``."""
    if failed <= 0:
        return False
    if count <= 0 and percentage <= 0:
        return True
    if count > 0 and failed > count:
        return True
    return percentage > 0 and total > 0 and failed * 100.0 / total > percentage


def tolerated_failures(moto_map_run):
    """``DistributedIterationComponent._map_run``: judge the failed items once the run ends."""

    def _map_run(self, env, eval_input) -> None:
        from lab.sandbox.stepfunctions.redrive_parts import run_map_run
        from lab.sandbox.stepfunctions.variables import _failure

        run_map_run(self, env, eval_input, moto_map_run)
        record = eval_input.map_run_record
        counter = record.item_counter
        failed = counter.failed.get() + counter.timed_out.get()
        total = counter.total.get()
        if exceeded(failed, total, record.tolerated_failure_count or 0,
                    record.tolerated_failure_percentage or 0.0):
            env.stack.pop()
            raise _failure(
                env,
                "States.ExceedToleratedFailureThreshold",
                f"The Map Run failed: {failed} of its {total} items failed, more than its "
                "tolerated failure threshold allows.",
            )

    return _map_run


def seams():
    """The Map Run seam (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    return (
        Seam(
            __name__,
            "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
            "distributed_iteration_component:DistributedIterationComponent._map_run",
            tolerated_failures,
            "moto ends a Distributed Map run as succeeded whatever its items' failures",
            "tests/contracts/test_moto_variables.py::"
            "test_a_map_run_counts_failed_items_and_pushes_the_outputs",
            kind="wrap",
        ),
    )
