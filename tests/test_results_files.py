"""Results that survive: the location checked first, atomic writes, and a load that refuses
a damaged file with one line and says when a run was partial."""

from __future__ import annotations

import errno

import pandas as pd
import pytest

from lab import results
from lab.errors import LabError
from lab.harness import ExecutionRecord, records_frame


def _frame(n=5) -> pd.DataFrame:
    return records_frame(
        [ExecutionRecord("standard", f"lab-r-{i:06d}", status="SUCCEEDED", started=True,
                         client_ms=1.0 + i) for i in range(n)]
    )


def test_a_results_dir_that_is_a_file_is_refused_naming_the_fix(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("LAB_RESULTS_DIR", str(tmp_path / "file"))

    with pytest.raises(LabError, match=r"is a file, not a folder; .*LAB_RESULTS_DIR"):
        results.check_location()


def test_a_read_only_results_dir_is_refused_before_anything_runs(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(results.tempfile, "NamedTemporaryFile", refuse)
    with pytest.raises(LabError, match=r"cannot hold results \(Permission denied\)"):
        results.check_location(tmp_path / "run.csv")


def test_a_save_that_fails_leaves_the_previous_file_whole_and_no_temp_files(tmp_path, monkeypatch):
    path = results.save(_frame(3), {"run_id": "r"}, tmp_path / "r.csv")

    def full_disk(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    with pytest.raises(LabError, match=r"No space left on device\); free some space"):
        results.save(_frame(50), {"run_id": "r"}, path)

    monkeypatch.undo()
    assert len(results.load(path)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.meta.json"]


def test_checkpoints_save_at_once_then_once_per_interval(tmp_path):
    now = [0.0]
    checkpoints = results.Checkpoints(tmp_path / "c.csv", interval_s=10, clock=lambda: now[0])

    assert checkpoints.due()
    checkpoints.write(_frame(2), {"run_id": "c"})
    now[0] = 5.0
    assert not checkpoints.due()
    now[0] = 10.0
    assert checkpoints.due()
    assert results.load(tmp_path / "c.csv").attrs["lab_meta"]["partial"] is True


@pytest.mark.parametrize(
    "content, why",
    [
        (b"", "it is empty"),
        (b"\x00\x01\x02binary\n", "it is binary"),
        (b"\xff\xfe caf\xe9\n", "not UTF-8"),
        (b"workflow,name,status\nstandard,lab-r-000000,SUCC", "cut short"),
        (b"just,some\ncsv,text\n", "no workflow, name, status column"),
    ],
)
def test_load_refuses_a_damaged_file_with_one_line(tmp_path, content, why):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)

    with pytest.raises(LabError, match=why) as caught:
        results.load(path)
    assert "\n" not in str(caught.value)


def test_load_refuses_a_file_with_fewer_rows_than_its_metadata_says(tmp_path):
    path = results.save(_frame(5), {"run_id": "t"}, tmp_path / "t.csv")
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3]))

    with pytest.raises(LabError, match="holds 2 rows where its metadata says 5"):
        results.load(path)


def test_load_refuses_malformed_metadata(tmp_path):
    path = results.save(_frame(2), {"run_id": "m"}, tmp_path / "m.csv")
    (tmp_path / "m.meta.json").write_text("{not json")

    with pytest.raises(LabError, match="metadata is not JSON"):
        results.load(path)


def test_load_says_when_a_run_was_partial(tmp_path, capsys):
    frame = _frame(4)
    frame.loc[2:, "status"] = "NOT_STARTED"
    path = results.save(frame, {"run_id": "p", "planned": 4, "partial": True,
                                "stopped": "interrupted by SIGINT"}, tmp_path / "p.csv")

    results.load(path)

    assert capsys.readouterr().err == (
        "note: p.csv holds a partial run (2 of 4 planned executions ran; "
        "interrupted by SIGINT).\n"
    )


def test_load_of_a_complete_run_says_nothing(tmp_path, capsys):
    results.load(results.save(_frame(2), {"run_id": "ok"}, tmp_path / "ok.csv"))

    assert capsys.readouterr().err == ""
