"""Execute the walk-through notebooks headless (``make run``, ``make notebooks``).

``run_all(in_place=False)`` executes every notebook in order against a fresh
sandbox, writing executed copies under ``results/notebooks/`` (or back into
``notebooks/`` with ``in_place=True``, which is how the committed outputs are
made), then prints the latency summary that 05 saved.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from lab.errors import LabError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "results"
CELL_TIMEOUT_S = 600
# What `jupyter kernelspec list` installs with ipykernel: a notebook naming
# anything else is marked modified the moment JupyterLab opens it.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebook_paths() -> list[Path]:
    """The walk-through in order (numbered file names sort as the learner reads them)."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))  # 05b sorts after 05
    if not paths:
        raise LabError(f"no notebooks found in {NOTEBOOKS}; run from a full checkout of the repo.")
    return paths


def execute(path: Path, out: Path) -> float:
    """Execute one notebook (cwd = notebooks/, kernel = this Python) into ``out``; seconds taken."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # IPC (Unix sockets, mode 0600) rather than TCP: no loopback ports to
    # collide with, and no "running over TCP without encryption" warning
    # printed by every kernel.
    ipc_dir = RESULTS / ".kernels"
    ipc_dir.mkdir(parents=True, exist_ok=True)
    kernel = KernelManager(kernel_name="python3", transport="ipc",
                           ip=str(ipc_dir / f"kernel-{os.getpid()}"))
    nb_client = NotebookClient(
        nb, km=kernel, timeout=CELL_TIMEOUT_S, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    try:
        nb_client.execute()
    except CellExecutionError as exc:
        nbformat.write(nb, out)
        last = str(exc).strip().splitlines()[-1] if str(exc).strip() else "cell failed"
        raise LabError(f"{path.name} failed: {last} (executed copy with the error: {out})") from exc
    finally:
        # nbclient leaves a kernel manager it was handed running: stop it here,
        # or every notebook's kernel lives until the walk-through exits.
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=True)
    nbformat.write(nb, out)
    return time.monotonic() - started


def run_all(in_place: bool = False) -> list[tuple[str, float]]:
    """Run every notebook in order against a fresh sandbox; returns (name, seconds) per notebook."""
    os.environ.setdefault("LAB_MODE", "sandbox")
    if os.environ["LAB_MODE"] != "sandbox":
        raise LabError("the headless walk-through runs against the sandbox only; unset LAB_MODE "
                       "(or set LAB_MODE=sandbox), or run the notebooks one by one in JupyterLab.")
    from lab import sandbox

    # Committed outputs must come from a fresh, seeded sandbox so ids repeat.
    sandbox.stop()
    timings = []
    for path in notebook_paths():
        out = path if in_place else RESULTS / "notebooks" / path.name
        print(f"running {path.name} ...", flush=True)
        seconds = execute(path, out)
        timings.append((path.name, seconds))
        print(f"  done in {seconds:.1f} s -> {out.relative_to(ROOT)}", flush=True)
    return timings


def print_latency_summary() -> None:
    """Print the latency table notebook 05 saved (its newest results file)."""
    from lab import results

    saved = sorted(results.results_dir().glob("*.csv"), key=lambda p: p.stat().st_mtime)
    if not saved:
        print("no latency results were saved (notebook 05 did not run?)", file=sys.stderr)
        return
    latest = saved[-1]
    df = results.load(latest)
    print(f"\nLatency summary ({latest.relative_to(ROOT)}):")
    print(results.summary(df).to_string(index=False))
