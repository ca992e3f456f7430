"""Predictions get answers (issue #23 item 3): each "predict" of 01-05 and 07 is answered by
the learner's own run, not by a stored answer.

Every question is measured once against the sandbox server with the lab's real stack (as
tests/test_failures.py), then its reveal is checked with the answer the run gave (right),
another choice (wrong), no answer, and a value that is not a choice (a one-sentence
LabError naming the choices, before anything runs). aws mode is checked offline: the
reveal never fails there and never shows sandbox-only data.
"""

from __future__ import annotations

import pytest

import lab
from lab import failures, predictions
from lab.display import TABLE_BUDGET_PX, table_width_px
from lab.errors import LabError

NAMES = list(predictions.QUESTIONS)
#: 05: a small run per concurrency level keeps the test quick; 07: a burst that still queues.
MEASURE = {"05.phase_grows": {"concurrency": 4, "n": 12}, "07.p99_of_burst": {"n": 300}}

_measured: dict[str, predictions.Reveal] = {}


@pytest.fixture(scope="module")
def deployed(sandbox):
    from lab.deployment import ensure_deployed

    outputs = ensure_deployed()
    failures.repair_all()
    return outputs


def _revealed(name: str) -> predictions.Reveal:
    """The question measured once per session, with no prediction made."""
    if name not in _measured:
        _measured[name] = lab.reveal_prediction(name, None, **MEASURE.get(name, {}))
    return _measured[name]


@pytest.mark.sandbox
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_prediction_still_shows_what_the_run_measured(deployed, name):
    """Not attempted: the block says so and gives the run's answer, one of the choices."""
    shown = _revealed(name)
    assert shown.state == predictions.NO_PREDICTION, shown.text()
    assert shown.measured.answer in predictions.question(name).choices()
    assert shown.measured.answer in shown.text() and "no prediction made" in shown.text()


@pytest.mark.sandbox
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_runs_answer_is_right_and_another_choice_is_not(deployed, name):
    shown = _revealed(name)
    right = predictions.compare(name, shown.measured.answer, shown.measured)
    assert right.right and "✔ right" in right.text()
    other = next(c for c in predictions.question(name).choices() if c != shown.measured.answer)
    wrong = predictions.compare(name, other, shown.measured)
    assert wrong.state == predictions.WRONG
    assert f"answer:   {shown.measured.answer}" in wrong.text() and other in wrong.text()


@pytest.mark.sandbox
@pytest.mark.slow
def test_a_right_answer_end_to_end_leaves_the_path_repaired(deployed):
    """02 breaks the gateway's egress in the sandbox, runs, repairs: the catalog's error
    (gateway_sg_no_egress: States.Http.Socket, recorded on AWS after the 60 s timeout)."""
    expected = failures.scenario_named("gateway_sg_no_egress").expected_error
    shown = lab.reveal_prediction("02.no_egress_error", expected.lower())
    assert shown.right, shown.text()
    assert "after the repair: SUCCEEDED" in shown.measured.source
    assert lab.run_once()["status"] == "SUCCEEDED"


@pytest.mark.sandbox
@pytest.mark.slow
def test_03_breaks_before_the_api_sees_it(deployed):
    """A wrong DNS target sends the request nowhere the API is: the private API's own log
    (the sandbox's) gains only answered requests — the run after the repair and the broken
    run redriven after it — none refused, none during the break."""
    from lab.sandbox import request_log

    before = len(request_log())
    shown = lab.reveal_prediction("03.wrong_dns_where", "before the API sees it")
    arrived = request_log()[before:]  # oldest first
    assert shown.right, shown.text()
    assert len(arrived) == 2 and all(int(r["status"]) == 200 for r in arrived), arrived


@pytest.mark.sandbox
@pytest.mark.slow
def test_05_answer_is_the_phase_whose_median_grew_most(deployed):
    shown = _revealed("05.phase_grows")
    table = shown.measured.table
    assert list(table.columns) == ["phase", "p50 at 4", "p50 at 16", "growth"]
    top = table.loc[table.growth.idxmax()]
    expected = top.phase if top.growth >= predictions.GROWTH_FLOOR else "none"
    assert shown.measured.answer == expected
    assert table_width_px(table) <= TABLE_BUDGET_PX
    assert "<style" not in shown._repr_html_()


@pytest.mark.sandbox
@pytest.mark.slow
def test_01_redeploy_of_an_up_to_date_stack_changes_nothing(deployed):
    """CloudFormation UpdateStack on an unchanged template: "No updates are to be performed"
    (a ValidationError), no new stack event."""
    assert _revealed("01.redeploy").measured.answer == "nothing changes"


@pytest.mark.parametrize("name", NAMES)
def test_a_bad_value_is_one_sentence_naming_the_choices_before_anything_runs(name, monkeypatch):
    asked = predictions.question(name)

    def must_not_run(**_):
        raise AssertionError("measured before the answer was checked")

    monkeypatch.setitem(predictions.QUESTIONS, name,
                        predictions.Question(name, asked.notebook, asked.question, asked.choices,
                                             must_not_run))
    with pytest.raises(LabError) as refused:
        lab.reveal_prediction(name, "certainly not a choice")
    message = str(refused.value)
    assert "\n" not in message and message.endswith(".")
    assert all(repr(choice) in message for choice in asked.choices())
    with pytest.raises(LabError, match="takes no bogus"):
        lab.reveal_prediction(name, None, bogus=1)


def test_an_unknown_question_names_them_all():
    with pytest.raises(LabError, match="05.phase_grows"):
        lab.prediction("05.nothing")


def test_answers_ignore_case_and_spacing():
    assert predictions.validate("03.wrong_dns_where", "  Before the API  sees it ") == (
        "before the API sees it")
    assert predictions.validate("05.phase_grows", "") is None


@pytest.mark.parametrize("name", ["02.no_egress_error", "03.wrong_dns_where"])
def test_aws_mode_reads_the_catalog_instead_of_breaking_the_account(name, monkeypatch):
    """aws mode: a break on AWS takes minutes (the 60 s HTTP timeout, IAM and SG changes
    applied with a delay), so the reveal reads the catalog and says so."""
    monkeypatch.setattr(predictions, "_mode", lambda: "aws")
    monkeypatch.setattr(failures, "run_scenario", lambda *a, **k: pytest.fail("ran a break"))
    shown = lab.reveal_prediction(name, None)
    assert shown.state == predictions.NO_PREDICTION
    assert "failure catalog" in shown.text() and "run_break=True" in shown.text()


def test_aws_mode_07_sends_nothing_and_says_why(monkeypatch):
    """aws mode cannot observe the API's receipts (account_events gives no latencies)."""
    import lab.event_delivery

    monkeypatch.setattr(predictions, "_mode", lambda: "aws")
    monkeypatch.setattr(lab.event_delivery, "send_events", lambda **_: pytest.fail("sent"))
    shown = lab.reveal_prediction("07.p99_of_burst", "5 to 15 s")
    assert shown.state == predictions.NOT_MEASURED and "not measured" in shown.text()


def test_the_block_is_short_and_fits_the_column():
    measured = predictions.Measured("States.Http.Socket", "the HTTP Task failed with "
                                    "States.Http.Socket: network path " * 3, "the sandbox",
                                    why=predictions._why("States.Http.Socket"))
    shown = predictions.compare("02.no_egress_error", "States.Http.StatusCode.403", measured)
    lines = shown.text().splitlines()
    assert len(lines) <= 12 and max(len(line) for line in lines) <= 100
    assert "<style" not in shown._repr_html_() and 'style="' in shown._repr_html_()


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    """boto3's credential chain with nothing to find (no keys, profiles, files or IMDS)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_00_without_credentials_asks_for_them(no_aws_credentials):
    """lab.prepare() in aws mode runs require_aws_credentials first (lab/config.py): boto3
    finds nothing, so it names the fix; the kernel's own mode stays sandbox."""
    shown = lab.reveal_prediction("00.aws_without_credentials", "it asks you to confirm the cost")
    assert shown.state == predictions.WRONG
    assert shown.measured.answer == "it asks for AWS credentials"
    assert "aws configure" in shown.measured.shows
    from lab.config import load_config

    assert load_config().mode == "sandbox"


@pytest.mark.parametrize("confirm, expected", [(False, "it asks you to confirm the cost"),
                                               (True, "it says the account is ready")])
def test_00_with_credentials_the_consent_decides(no_aws_credentials, monkeypatch, confirm,
                                                 expected):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")  # static: no AWS call
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    shown = lab.reveal_prediction("00.aws_without_credentials", expected,
                                  confirm_billable=confirm)
    assert shown.right and shown.measured.answer == expected
    assert "not-a-real-secret" not in shown.text()


def test_05_names_a_close_runner_up(monkeypatch):
    """Sandbox medians of a few ms jitter: a phase within CLOSE of the top one is named."""
    import pandas as pd

    import lab.harness
    import lab.results

    medians = {4: {"client_ms": 10.0, "http_task_ms": 5.0}, 16: {"client_ms": 30.0,
                                                                  "http_task_ms": 14.0}}
    runs = iter([4, 16])
    monkeypatch.setattr(lab.harness, "run", lambda *a, **k: next(runs))
    monkeypatch.setattr(lab.results, "summary", lambda level: pd.DataFrame(
        {"phase": list(medians[level]), "p50": list(medians[level].values())}))
    shown = lab.reveal_prediction("05.phase_grows", "http_task_ms", concurrency=4, n=2)
    assert shown.measured.answer == "client_ms" and shown.state == predictions.WRONG
    assert "close behind: http_task_ms x2.8" in shown.measured.why
