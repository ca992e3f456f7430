"""lab.display and lab.progress_bars: what a learner sees in a notebook, live and saved."""

import nbformat
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from nbformat.v4 import new_code_cell, new_notebook

from lab import display, notebooks
from lab.progress_bars import Progress


def test_a_named_series_reads_as_field_and_value_columns():
    table = display.series_as_table(pd.Series({"id": "rgw-1", "status": "ACTIVE"}, name="gateway"))
    assert list(table.columns) == ["field", "gateway"]
    assert table.values.tolist() == [["id", "rgw-1"], ["status", "ACTIVE"]]


def test_a_series_from_value_counts_keeps_its_index_levels_as_columns():
    runs = pd.DataFrame({"workflow": ["express", "standard", "standard"],
                         "status": ["SUCCEEDED"] * 3})
    table = display.series_as_table(runs.groupby("workflow").status.value_counts())
    assert list(table.columns) == ["workflow", "status", "count"]
    assert table["count"].tolist() == [1, 2]


def test_consecutive_addresses_collapse_to_a_count_and_a_range():
    ips = [f"10.0.0.{i}" for i in range(5, 21)]
    assert display.compact_ips(ips) == "16: 10.0.0.5–10.0.0.20"


def test_scattered_addresses_show_the_count_and_the_first_three():
    assert display.compact_ips(["10.0.0.9", "10.0.0.5", "10.0.1.7", "10.0.2.1"]) == (
        "4: 10.0.0.5, 10.0.0.9, 10.0.1.7, …")
    assert display.compact_ips(["10.0.0.9", "10.0.0.5"]) == "10.0.0.9, 10.0.0.5"


@pytest.mark.parametrize("value, text", [(0.0011, "0.0011"), (28.90, "28.9"), (1508.0, "1,508"),
                                         (0.0, "0"), (float("nan"), "")])
def test_numbers_drop_trailing_zeros(value, text):
    assert display.format_number(value) == text


def test_outside_a_kernel_nothing_is_registered():
    assert display.apply() is False


def test_in_a_kernel_a_series_shows_without_the_dtype_footer_and_text_is_not_cut():
    shell = InteractiveShell.instance()
    shell.kernel = object()  # what makes a shell a kernel's, for apply()
    try:
        assert display.apply(shell)
        cause = "Security group: no egress rule of resource gateway rgw-1 allows tcp/443 " * 2
        data, _ = shell.display_formatter.format(pd.Series({"cause": cause}, name="failure"))
        assert "dtype" not in data["text/plain"] and "Name:" not in data["text/plain"]
        assert cause.strip() in data["text/html"]
        frame_data, _ = shell.display_formatter.format(pd.DataFrame({"cause": [cause]}))
        assert cause.strip() in frame_data["text/plain"]
    finally:
        del shell.kernel
        InteractiveShell.clear_instance()


def test_a_terminal_bar_ends_with_its_summary_line(capsys):
    with Progress(3, "standard", "execution") as bar:
        for _ in range(3):
            bar.update()
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(
        "standard: 3/3 executions in ")


def test_a_bar_left_short_says_where_it_stopped(capsys):
    with Progress(4, "express", "execution") as bar:
        bar.update()
    assert "express: stopped at 1/4 executions after" in capsys.readouterr().err


def _executed(tmp_path, source):
    path = tmp_path / "00_bar.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), path)
    out = tmp_path / "out.ipynb"
    notebooks.execute(path, out)
    return nbformat.read(out, as_version=4)


def test_in_a_kernel_the_widget_is_replaced_by_text_once_the_bar_closes(tmp_path):
    nb = _executed(tmp_path, "from lab.progress_bars import Progress\n"
                             "with Progress(5, 'creating demo', 'resource') as bar:\n"
                             "    bar.update(5)")
    outputs = nb.cells[0].outputs
    assert len(outputs) == 1, outputs
    assert set(outputs[0]["data"]) == {"text/plain"}
    assert outputs[0]["data"]["text/plain"].startswith("creating demo: 5/5 resources in ")


def test_executed_notebooks_name_the_installed_kernel(tmp_path):
    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().get_kernel_spec("python3").display_name
    nb = _executed(tmp_path, "1")
    assert nb.metadata["kernelspec"]["display_name"] == installed


def _cells(html):
    import re

    return re.findall(r"<t([dh])( [^>]*)?>(.*?)</t[dh]>", html)


def test_html_tables_need_no_style_element_every_cell_carries_its_alignment():
    """Untrusted JupyterLab and GitHub drop <style> elements but keep style attributes
    (JupyterLab's sanitizer allows ``style`` on every tag): the whole look is inline."""
    frame = pd.DataFrame({"logical_id": ["PrivateApiDeployment" * 4, "Vpc"], "resources": [10, 2],
                          "type": ["AWS::ApiGateway::Deployment", "AWS::EC2::VPC"]})
    html = display.frame_html(frame)
    assert "<style" not in html and "class=\"dataframe\"" not in html
    cells = _cells(html)
    assert cells and all('style="text-align:' in attrs for _, attrs, _ in cells)
    by_text = {text: attrs for _, attrs, text in cells}
    assert "text-align:right" in by_text["10"] and "text-align:left" in by_text["Vpc"]
    assert "text-align:left" in by_text["AWS::ApiGateway::Deployment"]


@pytest.mark.parametrize("word", ["CREATE_COMPLETE", "Z7HUB22UULQXV", "ZFV9UBNIGFL1H70TDGSFP",
                                  "NetworkVpcIsolatedSubnet1RouteTableC39A3F61",
                                  "requester_managed", "States.Http.StatusCode.403"])
def test_a_word_under_forty_characters_is_never_broken(word):
    """01/99 showed CREATE_COMPLET/E, 03 a hosted-zone id in two: CSS may not break words
    (no overflow-wrap:anywhere, no word-break), and no break mark goes inside a short word."""
    html = display.frame_html(pd.DataFrame({"status": [word] * 3, "n": [1, 2, 3]}))
    assert "anywhere" not in html and "word-break" not in html and "break-all" not in html
    if len(word) < display.LONG_WORD_CH:
        assert f">{word}</td>" in html


def test_a_long_dotted_name_breaks_at_its_dots_and_text_stays_escaped():
    frame = pd.DataFrame({"error": ["Events.ConnectionResource.AuthInProgressAndMore",
                                    "States.Timeout"],
                          "cause": ["a <b> & c", "arn:aws:events:us-east-1:123456789012:rule/x"]})
    html = display.frame_html(frame)
    assert "Events.<wbr>ConnectionResource.<wbr>AuthInProgressAndMore" in html
    assert '">States.Timeout</td>' in html  # short words are left whole
    assert "arn:<wbr>aws:<wbr>events:<wbr>" in html
    assert "a &lt;b&gt; &amp; c" in html and "\ue000" not in html


def test_a_long_word_without_separators_breaks_in_chunks():
    word = "PrivateApiRestApiUsagePlanUsagePlanKeyResourcePrivateApiLab76689A124ED489A7"
    html = display.frame_html(pd.DataFrame({"resource": [word]}))
    pieces = html.split(">", 3)[-1]
    assert "<wbr>" in html and word == "".join(
        _cells(html)[-1][2].split("<wbr>"))
    assert all(len(p) <= display.CHUNK_CH for p in _cells(html)[-1][2].split("<wbr>")), pieces


def test_only_the_long_words_of_a_cell_get_break_opportunities():
    html = display.frame_html(pd.DataFrame({"source": [
        "https://aws.amazon.com/privatelink/pricing/ ($0.01 per AZ-hour)"]}))
    assert "https:<wbr>/<wbr>/<wbr>aws.<wbr>amazon.<wbr>com/<wbr>privatelink/" in html
    assert "($0.01 per AZ-hour)" in html


def _request_log_row():
    return pd.DataFrame([{
        "time": "2026-12-02T00:47:13.250+00:00",
        "request_id": "522d59d6-0740-45ef-a60a-793d95e208a3",
        "method": "GET", "host": "djjeyjghv4.execute-api.us-east-1.amazonaws.com",
        "path": "/prod/hello", "query": "", "source_vpce": "vpce-7daa1efec0470fb59",
        "headers": {"Host": "djjeyjghv4.execute-api.us-east-1.amazonaws.com",
                    "X-Api-Key": "****", "User-Agent": "Amazon|StepFunctions|HttpInvoke|us-east-1",
                    "Range": "bytes=0-262144", "Content-Length": "0"},
        "api_id": "djjeyjghv4", "stage": "prod", "status": 200, "duration_ms": 4.113}])


def test_a_wide_record_turns_into_a_vertical_key_value_table():
    """05's request log was 1,756 px in a 968 px column, its headers column off-screen."""
    frame = _request_log_row()
    assert display.table_width_px(frame) > display.TABLE_BUDGET_PX  # as a row, too wide
    html = display.frame_html(frame)
    assert '<th scope="row" style="text-align:left">headers</th>' in html
    assert "User-Agent: Amazon|<wbr>StepFunctions" in html and "<br>" in html
    header_rows = html.count('scope="row"')
    assert header_rows == frame.shape[1] - 1  # one row per field but the first (the header)


def test_two_wide_records_read_side_by_side_with_nothing_cut():
    """02's ENI table cut requester_managed to "reque"."""
    enis = pd.DataFrame({
        "eni": ["eni-3a6b4060fd040b79c", "eni-67f0c3555c2cff4d0"],
        "subnet": ["subnet-0727f8f5b11edadc2", "subnet-f109a4b6e0496c86e"],
        "az": ["us-east-1a", "us-east-1b"],
        "private_ips": ["16: 10.0.0.5–10.0.0.20", "16: 10.0.1.5–10.0.1.20"],
        "security_groups": ["sg-ec357dd3415bca962"] * 2, "status": ["in-use"] * 2,
        "requester_managed": [True, True]})
    html = display.frame_html(enis)
    assert ">requester_managed</th>" in html and "eni-67f0c3555c2cff4d0" in html
    assert display.table_width_px(enis) > display.TABLE_BUDGET_PX


def test_a_long_wide_table_is_split_into_column_groups_that_each_fit():
    frame = pd.DataFrame({f"column_{i}": [f"value-{i}-{r:04d}-abcdefghij" for r in range(10)]
                          for i in range(8)})
    html = display.frame_html(frame)
    tables = html.count("<table")
    assert tables >= 2 and html.count(">column_<wbr>0</th>") == tables  # the key repeats
    for part in html.split("<table")[1:]:
        assert display.table_width_px(_frame_of(part)) <= display.TABLE_BUDGET_PX
    assert "columns 1 of" in html


def _frame_of(table_html):
    import re

    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table_html)
    rows = re.findall(r"<tr>(.*?)</tr>", table_html)[1:]
    values = [[c.replace("<wbr>", "") for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
              for r in rows]
    return pd.DataFrame(values, columns=[h.replace("<wbr>", "") for h in headers])


def test_a_long_table_says_how_many_rows_it_does_not_show():
    html = display.frame_html(pd.DataFrame({"n": range(500)}))
    assert "… 380 more rows not shown" in html
    assert ">499</td>" in html and ">0</td>" in html


def test_a_caption_in_attrs_is_shown_above_the_table():
    frame = pd.DataFrame({"status": ["CREATE_COMPLETE"]})
    frame.attrs["caption"] = "one row per resource"
    html = display.frame_html(frame)
    assert "<caption" in html and "one row per resource" in html


def test_in_a_kernel_dataframes_and_series_use_the_lab_html():
    shell = InteractiveShell.instance()
    shell.kernel = object()
    try:
        assert display.apply(shell)
        data, _ = shell.display_formatter.format(pd.DataFrame({"arn": ["arn:aws:events:x"]}))
        assert 'class="lab-table"' in data["text/html"] and "<style" not in data["text/html"]
        state = pd.Series({"state": "ACTIVE"}, name="connection")
        series = shell.display_formatter.format(state)[0]["text/html"]
        assert 'class="lab-table"' in series and "dtype" not in series
    finally:
        del shell.kernel


def _run_in_a_kernel(tmp_path, *sources):
    import nbclient

    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb


def _errors(cell):
    return [o for o in cell.outputs if o["output_type"] == "error"]


def test_in_a_notebook_a_lab_error_is_one_line_not_a_traceback_through_lab(tmp_path):
    """00: aws mode without credentials gave the right sentence under 25 lines of traceback."""
    nb = _run_in_a_kernel(
        tmp_path, "import lab",
        "from lab.config import load_config\n"
        "raise lab.LabError('aws mode found no credentials; run `aws configure`.')")
    (error,) = _errors(nb.cells[1])
    assert len(error["traceback"]) == 1, error["traceback"]
    assert "aws mode found no credentials; run `aws configure`." in error["traceback"][0]


def test_after_an_interrupted_cell_the_next_one_says_which_cell_to_re_run(tmp_path):
    """07: an interrupt in `run = lab.send_events(...)` left `run` unset: NameError below."""
    nb = _run_in_a_kernel(tmp_path, "import lab\ndef send_events():\n    raise KeyboardInterrupt",
                          "run = send_events()", "run.sent")
    (interrupted,) = _errors(nb.cells[1])
    assert len(interrupted["traceback"]) == 1, interrupted["traceback"]
    assert "run may not be set" in interrupted["traceback"][0]
    (missing,) = _errors(nb.cells[2])
    assert len(missing["traceback"]) == 1, missing["traceback"]
    assert "re-run In [2] `run = send_events()`" in missing["traceback"][0]


def test_other_errors_keep_their_full_traceback():
    shell = InteractiveShell.instance()
    assert display.error_line(shell, ZeroDivisionError, ZeroDivisionError("x")) is None
    assert display.error_line(shell, NameError, NameError("never_assigned", name="x")) is None


def test_an_empty_table_with_a_sentence_reads_as_that_sentence():
    """99's "prove nothing is left" showed an empty table and no sentence."""
    shell = InteractiveShell.instance()
    shell.kernel = object()
    try:
        display.apply(shell)
        left = pd.DataFrame(columns=["service", "resource"])
        left.attrs["empty"] = "Nothing of the lab's stack PrivateApiLab is left in the sandbox."
        data, _ = shell.display_formatter.format(left)
        assert data["text/plain"] == left.attrs["empty"]
        assert data["text/html"] == f"<p>{left.attrs['empty']}</p>"
        full = pd.DataFrame({"service": ["ec2"], "resource": ["vpc-1"]})
        full.attrs = dict(left.attrs)
        assert "vpc-1" in shell.display_formatter.format(full)[0]["text/plain"]
    finally:
        del shell.kernel


def test_the_deploy_table_says_what_a_row_and_its_events_column_are():
    """01: the deploy output was a 43-row event table whose `events` column was never explained."""
    from lab.progress_bars import _EventTable

    table = _EventTable()
    table._handle = object()  # no display outside a kernel
    table._show = lambda: None
    for status in ("CREATE_IN_PROGRESS", "CREATE_COMPLETE"):
        table.add({"LogicalResourceId": "NetworkVpc7FB7348F", "ResourceType": "AWS::EC2::VPC",
                   "ResourceStatus": status})
    frame = table.frame()
    assert frame.events.tolist() == [2]
    html = display.frame_html(frame)
    assert "<caption" in html and "events: how many stack events" in html
    assert ">CREATE_COMPLETE</td>" in html
    assert table.text() == "1 stack resource, by latest status: 1 CREATE_COMPLETE"


def test_the_deploy_table_fits_the_notebook_column():
    """01's stack-event table ran off the page; 42 resources with the lab's logical ids."""
    from lab.progress_bars import _EventTable

    table = _EventTable()
    table._show = lambda: None
    for logical_id, kind in [
            ("PrivateApiRestApiUsagePlanUsagePlanKeyResourcePrivateApiLabPrivateApiApiKey76689A124ED489A7",
             "AWS::ApiGateway::UsagePlanKey"),
            ("NetworkVpcIsolatedSubnet1RouteTableAssociation95EB126D",
             "AWS::EC2::SubnetRouteTableAssociation"),
            ("PrivateConnectionResourceConfigurationA1B2C3D4",
             "AWS::VpcLattice::ResourceConfiguration"),
            ("PrivateApiLab", "AWS::CloudFormation::Stack")]:
        table.add({"LogicalResourceId": logical_id, "ResourceType": kind,
                   "ResourceStatus": "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                   "ResourceStatusReason": "User Initiated"})
    html = display.frame_html(table.frame())
    assert html.count("<table") == 1
    assert display.table_width_px(table.frame()) <= display.TABLE_BUDGET_PX


def test_leftovers_say_in_a_sentence_that_nothing_is_left(monkeypatch):
    """99's "prove nothing is left" showed an empty table and no sentence."""
    from lab import cleanup, sandbox
    from lab.config import LabConfig

    cfg = LabConfig(mode="sandbox", region="us-east-1", stack_name="PrivateApiLab",
                    sandbox_port=5599)
    monkeypatch.setattr(cleanup, "load_config", lambda: cfg)
    monkeypatch.setattr(sandbox, "status", lambda: {"running": True})
    monkeypatch.setattr(sandbox, "leftovers", lambda: {})
    left = cleanup.leftovers()
    assert left.empty
    assert display.frame_text(left) == (
        "Nothing of the lab's stack PrivateApiLab is left in the sandbox.")
