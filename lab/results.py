"""Tabulate, plot, save, load and compare the harness's latency records.

The records are the DataFrame ``lab.harness.run()`` returns: one row per
execution with the phase columns ``client_ms``, ``execution_ms``,
``http_task_ms`` (STANDARD), ``billed_ms`` (EXPRESS) and the hop into the VPC and
back, ``sfn_to_api_ms`` and ``api_to_result_ms`` (both); see
``lab.harness`` for how each is measured.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from lab.errors import LabError
from lab.timed_execution import TEXT_COLUMNS

PHASES = (
    "client_ms", "execution_ms", "http_task_ms", "billed_ms", "sfn_to_api_ms", "api_to_result_ms"
)
PERCENTILES = {"p50": 50, "p90": 90, "p99": 99}
SUMMARY_COLUMNS = ("workflow", "phase", "count", "failures", "p50", "p90", "p99", "max")
SUCCEEDED = "SUCCEEDED"
META_SUFFIX = ".meta.json"


def _require_columns(df: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise LabError(
            f"these records lack the column(s) {', '.join(missing)}; "
            "pass the DataFrame lab.harness.run() returned (or lab.results.load(path))."
        )


def summary(df: pd.DataFrame, include_failures: bool = False, decimals: int = 1) -> pd.DataFrame:
    """Latency percentiles per workflow and phase.

    One row per (workflow, phase) that has any value: ``count`` (executions
    measured), ``failures`` (executions of that workflow whose status is not
    SUCCEEDED, including those never started), and ``p50``/``p90``/``p99``/
    ``max`` in ms, rounded to ``decimals``. Percentiles interpolate linearly
    between samples (numpy's default). By default only succeeded executions
    enter the percentiles, so a fast failure (an HTTP 403, say) cannot make
    the path look faster; ``include_failures=True`` measures every execution.
    """
    _require_columns(df, ("workflow", "status"))
    rows = []
    for workflow, group in df.groupby("workflow", sort=True):
        failures = int((group["status"] != SUCCEEDED).sum())
        measured = group if include_failures else group[group["status"] == SUCCEEDED]
        for phase in PHASES:
            if phase not in group.columns:
                continue
            values = pd.to_numeric(measured[phase], errors="coerce").dropna().to_numpy(float)
            if not group[phase].notna().any():
                continue  # the phase does not exist for this workflow
            row = {"workflow": workflow, "phase": phase, "count": int(values.size)}
            row["failures"] = failures
            if values.size:
                quantiles = np.percentile(values, list(PERCENTILES.values()))
                for key, value in zip(PERCENTILES, quantiles, strict=True):
                    row[key] = round(float(value), decimals)
                row["max"] = round(float(values.max()), decimals)
            else:
                row.update({k: np.nan for k in (*PERCENTILES, "max")})
            rows.append(row)
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _phases_present(df: pd.DataFrame, phases) -> list[str]:
    chosen = [p for p in (phases or PHASES) if p in df.columns and df[p].notna().any()]
    if not chosen:
        raise LabError(
            "there is no latency to plot in these records (every execution failed "
            "before it was timed); run lab.results.summary(df) to see the failures."
        )
    return chosen


def _series(df: pd.DataFrame, phases, succeeded_only: bool):
    if succeeded_only and "status" in df.columns:
        df = df[df["status"] == SUCCEEDED]
    for workflow, group in df.groupby("workflow", sort=True):
        for phase in phases:
            values = pd.to_numeric(group[phase], errors="coerce").dropna().to_numpy(float)
            if values.size:
                yield f"{workflow} {phase}", values


#: What plot_ecdf draws by default: the phases that are latencies. ``billed_ms`` is what
#: EXPRESS bills (rounded up to 100 ms): a constant that would stretch every axis it shares.
ECDF_PHASES = tuple(p for p in PHASES if p != "billed_ms")


def _describe(fig, text: str) -> None:
    """Give ``fig`` a text alternative and print it (Notebooks for All: every plot has one).

    The sentence is printed, so it sits in the cell's output beside the image wherever the
    notebook is read; it is also kept on the figure (``fig.lab_description``).
    """
    fig.lab_description = text
    print(text)


def plot_ecdf(df: pd.DataFrame, phases=None, succeeded_only: bool = True, log_x: bool = False):
    """Empirical CDF of each phase, one small panel per phase, both workflows in each.

    The y value at x is the fraction of executions that took at most x ms, so the median is
    where a line crosses 0.5 and the tail shows at the top. Each panel has its own x axis (a
    20 ms hop and a 50 ms round trip both read), one legend for the figure sits above the
    panels (it hides no line), and a sentence describing the plot is printed with it.
    """
    import matplotlib.pyplot as plt

    _require_columns(df, ("workflow",))
    phases = _phases_present(df, phases or ECDF_PHASES)
    columns = 2 if len(phases) > 1 else 1
    rows = -(-len(phases) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(8, 2.2 * rows + 0.6), sharey=True,
                             squeeze=False, layout="constrained")
    workflows = sorted(df["workflow"].dropna().unique())
    colors = {w: f"C{i}" for i, w in enumerate(workflows)}
    medians = []
    for ax, phase in zip(axes.flat, phases, strict=False):
        for label, values in _series(df, [phase], succeeded_only):
            workflow = label.rsplit(" ", 1)[0]
            xs = np.sort(values)
            ys = np.arange(1, xs.size + 1) / xs.size
            ax.step(xs, ys, where="post", color=colors.get(workflow), label=workflow)
            medians.append(f"{workflow} {phase} {np.median(xs):.0f} ms")
        ax.set_title(phase, fontsize="medium")
        ax.set_ylim(0, 1.02)
        if log_x:
            ax.set_xscale("log")
        ax.grid(True, alpha=0.3)
    for ax in axes.flat[len(phases):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("fraction ≤ x")
    for column in range(columns):  # the lowest panel of each column says what x is
        shown = [ax for ax in axes[:, column] if ax.get_visible()]
        if shown:
            shown[-1].set_xlabel("latency (ms)")
    handles = [plt.Line2D([], [], color=colors[w], label=w) for w in workflows]
    # Outside the panels (constrained layout makes room): the legend hides no line.
    fig.legend(handles=handles, loc="outside upper center", ncol=max(1, len(handles)),
               frameon=False, title="Latency ECDF per phase, by workflow")
    _describe(fig, f"The plot: {len(phases)} panels, one per phase ({', '.join(phases)}), each "
                   f"with one line per workflow ({', '.join(workflows)}): the fraction of "
                   f"executions at most x ms. Medians: {'; '.join(medians)}.")
    return fig


def plot_histogram(df: pd.DataFrame, phases=("client_ms",), bins: int = 40, succeeded_only=True):
    """Overlaid histograms of the chosen phases per workflow; returns the Figure."""
    import matplotlib.pyplot as plt

    _require_columns(df, ("workflow",))
    phases = _phases_present(df, phases)
    series = list(_series(df, phases, succeeded_only))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if series:
        everything = np.concatenate([v for _, v in series])
        edges = np.histogram_bin_edges(everything, bins=bins)
        for label, values in series:
            ax.hist(values, bins=edges, alpha=0.5, label=f"{label} (n={values.size})")
        ax.legend(fontsize="small")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("executions")
    ax.grid(True, alpha=0.3)
    ax.set_title("Latency histogram")
    fig.tight_layout()
    _describe(fig, f"The plot: overlaid histograms of {', '.join(phases)} per workflow, "
                   f"{bins} bins: " + "; ".join(
                       f"{label} n={values.size}, median {np.median(values):.0f} ms"
                       for label, values in series) + ".")
    return fig


def results_dir() -> Path:
    """Where results go: ``LAB_RESULTS_DIR``, else ``results/`` in the checkout."""
    configured = os.environ.get("LAB_RESULTS_DIR", "").strip()
    if configured:
        return Path(configured)
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").exists():
        return checkout / "results"
    return Path.cwd() / "results"


def _meta_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + META_SUFFIX)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def check_location(path=None, subdir: str | None = None) -> Path:
    """The folder results will be written to, checked before any execution runs.

    ``path`` is a CSV path (its folder is checked) or None for :func:`results_dir`
    (plus ``subdir``). Creates the folder and writes a probe file; raises
    :class:`LabError` naming the fix when it is a file, read-only or full.
    """
    if path is not None:
        folder = Path(path).parent
        what = f"the folder of {path}"
    else:
        folder = results_dir() / subdir if subdir else results_dir()
        configured = os.environ.get("LAB_RESULTS_DIR", "").strip()
        what = f"LAB_RESULTS_DIR={configured}" if configured else f"the results folder {folder}"
    fix = ("pass another --out path, or set LAB_RESULTS_DIR to a writable folder "
           "(unset it to use results/)")
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise LabError(f"{what} cannot hold results: {parent} is a file, not a folder; {fix}.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".lab-probe-", delete=True) as probe:
            probe.write(b"x" * 4096)
            probe.flush()
    except OSError as exc:
        raise LabError(f"{what} cannot hold results ({exc.strerror or exc}); {fix}.") from None
    return folder


def _write_atomically(path: Path, write) -> None:
    """``write(file)`` into a temporary file beside ``path``, then rename it over ``path``."""
    handle = tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False,
        encoding="utf-8", newline="")
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def save(df: pd.DataFrame, meta: dict | None = None, path=None) -> Path:
    """Write the records as CSV plus a ``<name>.meta.json`` sidecar; returns the CSV path.

    ``meta`` defaults to ``df.attrs["lab_meta"]`` (set by ``lab.harness.run``):
    mode, region, stack, versions of lab/moto/boto3, UTC time, n, concurrency,
    workflow. ``path`` defaults to ``results/<run id>.csv``. Free-text columns
    pass through ``lab.masking.mask_text`` again, so an API key can never
    reach a results file even if a cause quoted one. Each file is written to a
    temporary file and renamed into place, so a crash or a full disk never leaves
    a half-written file under the final name; a failed write raises
    :class:`LabError` naming the fix.
    """
    from lab.masking import mask_text

    meta = dict(meta if meta is not None else df.attrs.get("lab_meta", {}))
    meta.setdefault("utc", datetime.now(UTC).isoformat(timespec="seconds"))
    if path is None:
        run_id = meta.get("run_id") or datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = results_dir() / f"{run_id}.csv"
    path = Path(path)
    if path.suffix != ".csv":
        path = path.with_suffix(".csv")
    clean = df.copy()
    clean.attrs = {}
    for column in ("cause", "error"):
        if column in clean.columns:
            clean[column] = clean[column].map(
                lambda v: mask_text(v) if isinstance(v, str) else v
            )
    meta["records"] = int(len(df))
    text = json.dumps(_jsonable(meta), indent=2, sort_keys=True) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # CSV first: a crash between the two renames leaves more rows than the
        # metadata counts, which load() accepts; never fewer.
        _write_atomically(path, lambda f: clean.to_csv(f, index=False))
        _write_atomically(_meta_path(path), lambda f: f.write(text))
    except OSError as exc:
        raise LabError(
            f"could not write results to {path} ({exc.strerror or exc}); free some space "
            "or set LAB_RESULTS_DIR to a writable folder, then run again."
        ) from None
    return path


class Checkpoints:
    """Save a long run's rows as it goes, so a crash loses at most the last interval.

    ``lab.harness.run(checkpoints=...)`` calls :meth:`due` often and :meth:`write`
    when it says so; every write is a complete, atomic :func:`save` marked
    ``partial`` in its metadata, replaced by the final save at the end.
    """

    def __init__(self, path=None, subdir: str | None = None, interval_s: float = 10.0,
                 clock=None):
        import time

        self.folder = check_location(path, subdir)
        self._path = Path(path) if path is not None else None
        self.interval_s = interval_s
        self._clock = clock or time.monotonic
        self._last: float | None = None  # the first rows are saved at once
        self.written = 0

    def path_for(self, run_id: str) -> Path:
        return self._path if self._path is not None else self.folder / f"{run_id}.csv"

    def due(self) -> bool:
        return self._last is None or self._clock() - self._last >= self.interval_s

    def write(self, df: pd.DataFrame, meta: dict) -> Path:
        self._last = self._clock()
        self.written += 1
        return save(df, {**meta, "partial": True}, self.path_for(meta["run_id"]))


def _refuse(path: Path, why: str) -> LabError:
    return LabError(
        f"{path} is not a results file lab can read ({why}); pass a file "
        "lab.results.save() wrote, or run the measurement again."
    )


def _read_meta(path: Path) -> dict:
    meta_path = _meta_path(path)
    if not meta_path.exists():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _refuse(meta_path, f"its metadata is not JSON: {type(exc).__name__}") from None
    if not isinstance(meta, dict):
        raise _refuse(meta_path, "its metadata is not a JSON object")
    return meta


def load(path) -> pd.DataFrame:
    """Read a results CSV written by ``save`` (its metadata lands in ``df.attrs["lab_meta"]``).

    Refuses, with one line, a file that is empty, binary, cut short or not the
    harness's CSV; says on stderr when the run it holds was partial (interrupted,
    stopped, or a checkpoint of a run that never finished).
    """
    path = Path(path)
    if path.name.endswith(META_SUFFIX):
        path = path.with_name(path.name[: -len(META_SUFFIX)] + ".csv")
    if not path.exists():
        raise LabError(
            f"there is no results file at {path}; pass a path lab.results.save() "
            "returned (they live under results/)."
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise _refuse(path, "it is empty")
    if b"\0" in raw:
        raise _refuse(path, "it is binary, not CSV text")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(path, "it is not UTF-8 text") from None
    if not raw.endswith(b"\n"):
        raise _refuse(path, "it ends in the middle of a line: the write was cut short")
    meta = _read_meta(path)
    try:
        df = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError) as exc:
        raise _refuse(path, f"malformed CSV: {str(exc).splitlines()[0]}") from None
    missing = [c for c in ("workflow", "name", "status") if c not in df.columns]
    if missing:
        raise _refuse(path, f"no {', '.join(missing)} column")
    if "records" in meta and len(df) < int(meta["records"]):
        raise _refuse(path, f"it holds {len(df)} rows where its metadata says "
                            f"{meta['records']}: the file was cut short")
    for column in ("http_status", "http_attempts"):
        if column in df.columns:
            df[column] = df[column].astype("Int64")
    for column in TEXT_COLUMNS:
        if column in df.columns:
            df[column] = df[column].astype("str")
    df.attrs["lab_meta"] = meta
    if meta.get("partial") or meta.get("stopped"):
        ran = int((df["status"] != "NOT_STARTED").sum())
        planned = meta.get("planned") or len(df)
        why = meta.get("stopped") or "a checkpoint of a run that did not finish"
        print(f"note: {path.name} holds a partial run ({ran} of {planned} planned executions "
              f"ran; {why}).", file=sys.stderr)
    return df


def compare(a: pd.DataFrame, b: pd.DataFrame, labels=("a", "b")) -> pd.DataFrame:
    """p50/p90/p99 of two runs side by side, with ``b / a`` ratios.

    Rows are the (workflow, phase) pairs both runs measured; a ratio above 1
    means ``b`` was slower.
    """
    left, right = labels
    sa = summary(a).set_index(["workflow", "phase"])
    sb = summary(b).set_index(["workflow", "phase"])
    common = sa.index.intersection(sb.index, sort=False)
    out = pd.DataFrame(index=common)
    for key in PERCENTILES:
        out[f"{key}_{left}"] = sa.loc[common, key]
        out[f"{key}_{right}"] = sb.loc[common, key]
        ratio = sb.loc[common, key] / sa.loc[common, key].replace(0, np.nan)
        out[f"{key}_ratio"] = ratio.round(2)
    return out.reset_index()
