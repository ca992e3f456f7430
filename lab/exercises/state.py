"""Each exercise's state, kept across kernels in the lab's state dir (``exercises.json``).

One small JSON file per learner (``$LAB_STATE_DIR`` or ``<project>/.lab``): per exercise
its last state (correct / incorrect / not attempted), how many checks, how many hints
seen, when it was last checked. Written atomically; a damaged file reads as empty.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

FILE_NAME = "exercises.json"


def state_path() -> Path:
    from lab.sandbox import state_dir

    return state_dir() / FILE_NAME


def load() -> dict[str, dict]:
    try:
        data = json.loads(state_path().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(data: dict) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".exercises-", suffix=".json")
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=1, sort_keys=True)
    os.replace(tmp, path)


def record_check(name: str, state: str, seconds: float) -> None:
    data = load()
    entry = data.setdefault(name, {})
    entry["state"] = state
    entry["checks"] = int(entry.get("checks", 0)) + 1
    entry["last_check_s"] = round(seconds, 2)
    entry["checked_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if state == "correct":
        entry["solved"] = True
    save(data)


def record_hint(name: str, seen: int) -> None:
    data = load()
    entry = data.setdefault(name, {})
    entry["hints"] = max(int(entry.get("hints", 0)), seen)
    save(data)


def record_solution(name: str) -> None:
    data = load()
    data.setdefault(name, {})["solution_seen"] = True
    save(data)
