"""Tabulation, plots, save/load and compare on synthetic records."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from lab import results  # noqa: E402
from lab.errors import LabError  # noqa: E402
from lab.harness import ExecutionRecord, records_frame  # noqa: E402


def _records(seed=0, n=200, scale=1.0, failures=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        ok = i >= failures
        rows.append(
            ExecutionRecord(
                "standard",
                f"lab-s-{i:06d}",
                status="SUCCEEDED" if ok else "FAILED",
                error=None if ok else "States.Http.StatusCode.403",
                http_status=200 if ok else 403,
                client_ms=float(rng.gamma(4, 5) * scale),
                execution_ms=float(rng.gamma(4, 3) * scale),
                http_task_ms=float(rng.gamma(4, 2) * scale),
                started=True,
            )
        )
        rows.append(
            ExecutionRecord(
                "express",
                f"lab-e-{i:06d}",
                status="SUCCEEDED",
                http_status=200,
                client_ms=float(rng.gamma(3, 4) * scale),
                execution_ms=float(rng.gamma(3, 3) * scale),
                billed_ms=100.0,
                started=True,
            )
        )
    return records_frame(rows)


def test_summary_percentiles_match_numpy():
    df = _records()
    row = (
        results.summary(df, decimals=6)
        .set_index(["workflow", "phase"])
        .loc[("standard", "client_ms")]
    )
    values = df.loc[df.workflow == "standard", "client_ms"].to_numpy()
    expected = np.percentile(values, [50, 90, 99])
    assert np.allclose([row.p50, row.p90, row.p99], expected, atol=1e-6)


def test_summary_has_a_row_per_workflow_and_measured_phase_only():
    pairs = set(map(tuple, results.summary(_records())[["workflow", "phase"]].to_numpy()))
    assert pairs == {
        ("express", "client_ms"),
        ("express", "execution_ms"),
        ("express", "billed_ms"),
        ("standard", "client_ms"),
        ("standard", "execution_ms"),
        ("standard", "http_task_ms"),
    }


def test_summary_counts_failures_and_leaves_them_out_of_the_percentiles():
    df = _records(failures=10)
    df.loc[df.status == "FAILED", "client_ms"] = 0.001  # fast failures must not pull p50 down
    row = results.summary(df).set_index(["workflow", "phase"]).loc[("standard", "client_ms")]
    ok = df[(df.workflow == "standard") & (df.status == "SUCCEEDED")]["client_ms"]
    assert (row["count"], row.failures, row.p50) == (190, 10, round(float(ok.median()), 1))


def test_summary_can_include_failures():
    df = _records(failures=10)
    row = results.summary(df, include_failures=True).set_index(["workflow", "phase"])
    assert row.loc[("standard", "client_ms"), "count"] == 200


def test_summary_rounds_to_one_decimal_by_default():
    table = results.summary(_records())
    assert (
        table[["p50", "p90", "p99", "max"]] == table[["p50", "p90", "p99", "max"]].round(1)
    ).all(axis=None)


def test_summary_of_records_without_a_workflow_column_names_the_fix():
    with pytest.raises(LabError, match=r"lab\.harness\.run\(\)"):
        results.summary(pd.DataFrame({"client_ms": [1.0]}))


def test_compare_puts_percentiles_side_by_side_with_ratio_b_over_a():
    a, b = _records(seed=1), _records(seed=1, scale=2.0)
    table = results.compare(a, b, labels=("before", "after")).set_index(["workflow", "phase"])
    row = table.loc[("express", "client_ms")]
    assert (row.p50_ratio, row.p99_ratio) == (pytest.approx(2.0, abs=0.02),) * 2
    assert {"p50_before", "p50_after", "p90_ratio"} <= set(table.columns)


def test_save_and_load_round_trip_records_and_metadata(tmp_path):
    df = _records(n=20, failures=2)
    meta = {"mode": "sandbox", "region": "us-east-1", "n": 20, "concurrency": 4}
    path = results.save(df, meta, tmp_path / "run1.csv")
    loaded = results.load(path)
    pd.testing.assert_frame_equal(loaded, df, check_dtype=False)
    assert (
        loaded.attrs["lab_meta"]["concurrency"] == 4 and loaded.attrs["lab_meta"]["records"] == 40
    )


def test_save_defaults_to_the_results_dir_and_the_run_id(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_RESULTS_DIR", str(tmp_path))
    df = _records(n=2)
    df.attrs["lab_meta"] = {"run_id": "20250101T000000-abcd", "mode": "sandbox"}
    path = results.save(df)
    sidecar = json.loads((tmp_path / "20250101T000000-abcd.meta.json").read_text())
    assert path == tmp_path / "20250101T000000-abcd.csv" and sidecar["mode"] == "sandbox"


def test_save_masks_an_api_key_quoted_in_a_cause(tmp_path):
    df = _records(n=1)
    df.loc[0, "cause"] = '{"x-api-key": "abc123secret"}'
    path = results.save(df, {}, tmp_path / "masked.csv")
    assert "abc123secret" not in path.read_text()


def test_load_of_a_missing_file_names_where_results_live(tmp_path):
    with pytest.raises(LabError, match="results/"):
        results.load(tmp_path / "nope.csv")


def test_plot_ecdf_draws_one_panel_per_phase_with_a_line_per_workflow():
    fig = results.plot_ecdf(_records(n=30), phases=("client_ms", "execution_ms"))
    try:
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert [ax.get_title() for ax in panels] == ["client_ms", "execution_ms"]
        assert all(len(ax.get_lines()) == 2 for ax in panels)
    finally:
        plt.close(fig)


def test_plot_ecdf_leaves_billed_ms_out_and_keeps_its_legend_off_the_lines(capsys):
    """05's ECDF drew ten lines on one axis; billed_ms (EXPRESS's 100 ms billing unit, a
    constant) stretched it and the legend in the corner hid a line."""
    fig = results.plot_ecdf(_records(n=30))
    try:
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert "billed_ms" not in [ax.get_title() for ax in panels] and len(panels) > 1
        assert all(ax.get_legend() is None for ax in panels) and fig.legends
        assert all(len(ax.get_lines()) <= 2 for ax in panels)
        text = capsys.readouterr().out
        assert text.startswith("The plot:") and "Medians:" in text
        assert fig.lab_description in text
    finally:
        plt.close(fig)


def test_plot_histogram_returns_a_figure_with_one_series_per_workflow():
    fig = results.plot_histogram(_records(n=30))
    try:
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert labels == ["express client_ms (n=30)", "standard client_ms (n=30)"]
    finally:
        plt.close(fig)


def test_plotting_records_without_any_timing_names_the_next_step():
    df = records_frame([ExecutionRecord("standard", "lab-x-000000", error="ThrottlingException")])
    with pytest.raises(LabError, match=r"summary\(df\)"):
        results.plot_ecdf(df)
