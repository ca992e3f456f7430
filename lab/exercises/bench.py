"""How long a check takes in the sandbox: median and maximum per exercise (a benchmark).

``python -m lab bench --exercises`` runs each exercise's reference answer ``n`` times
(a check synthesizes, deploys, runs one execution and deletes); the goal is at most
:data:`GOAL_S` seconds a check.
"""

from __future__ import annotations

import statistics

#: A check must answer within this many seconds on the lab's reference machine.
GOAL_S = 10.0


def bench_exercises(n: int = 3) -> list[dict]:
    """One row per exercise: checks, median and maximum seconds, and whether both meet the goal."""
    from lab.exercises import EXERCISES

    rows = []
    for name, exercise in EXERCISES.items():
        seconds = []
        for _ in range(n):
            outcome = exercise.check(exercise.reference())
            if not outcome.correct:
                raise RuntimeError(f"{name}: the reference answer failed its check:\n{outcome}")
            seconds.append(outcome.seconds)
        rows.append({
            "exercise": name,
            "checks": n,
            "median_s": round(statistics.median(seconds), 2),
            "max_s": round(max(seconds), 2),
            "meets_goal": max(seconds) <= GOAL_S,
        })
    return rows


def format_rows(rows: list[dict]) -> str:
    lines = [f"exercise checks in the sandbox (goal: at most {GOAL_S:g} s each)",
             f"{'exercise':24} {'checks':>6} {'median_s':>9} {'max_s':>7}  meets goal"]
    for row in rows:
        lines.append(f"{row['exercise']:24} {row['checks']:>6} {row['median_s']:>9.2f} "
                     f"{row['max_s']:>7.2f}  {'yes' if row['meets_goal'] else 'NO'}")
    return "\n".join(lines)
