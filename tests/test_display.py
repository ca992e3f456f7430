"""lab.display and lab.progress: what a learner sees in a notebook, live and saved."""

import nbformat
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from nbformat.v4 import new_code_cell, new_notebook

from lab import display, notebooks
from lab.progress import Progress


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
    nb = _executed(tmp_path, "from lab.progress import Progress\n"
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


def test_html_tables_left_align_and_wrap_text_columns_but_not_numbers():
    display.pandas_options()
    frame = pd.DataFrame({"logical_id": ["PrivateApiDeployment" * 4, "Vpc"], "resources": [10, 2],
                          "type": ["AWS::ApiGateway::Deployment", "AWS::EC2::VPC"]})
    html = display.frame_html(frame)
    table_id = html.split('id="', 1)[1].split('"', 1)[0]
    # the index is one th, so logical_id is child 2, resources 3, type 4
    # an 80-character id may break anywhere once it passes the cap; a type name never breaks
    cap = display.UNBROKEN_WORD_CH
    assert f"#{table_id} td:nth-child(2) {{ {display.TEXT_CELL_CSS} min-width: {cap}ch; }}" in html
    assert f"#{table_id} td:nth-child(4) {{ {display.TEXT_CELL_CSS} min-width: 27ch; }}" in html
    assert "nth-child(3)" not in html
    assert "overflow-wrap: anywhere" in display.TEXT_CELL_CSS
    # the table itself is pandas' own notebook HTML, with only the id added
    body = html[html.index("<div>"):]
    with_id = f'class="dataframe" id="{table_id}">'
    assert body == frame._repr_html_().replace('class="dataframe">', with_id)


def test_html_table_ids_follow_the_columns_not_the_values_or_the_display_order():
    first = display.frame_html(pd.DataFrame({"status": ["CREATE_IN_PROGRESS"], "events": [1]}))
    again = display.frame_html(pd.DataFrame({"status": ["CREATE_COMPLETE", "X"], "events": [3, 4]}))
    other = display.frame_html(pd.DataFrame({"reason": ["x"], "events": [1]}))

    def table_id(html):
        return html.split('id="', 1)[1].split('"', 1)[0]

    assert table_id(first) == table_id(again) != table_id(other)


def test_a_table_without_text_gets_no_style_block():
    html = display.frame_html(pd.DataFrame({"p50_ms": [1.5], "p99_ms": [3.25]}))
    assert html.startswith("<div>")


def test_in_a_kernel_dataframes_and_series_use_the_lab_html():
    shell = InteractiveShell.instance()
    shell.kernel = object()
    try:
        assert display.apply(shell)
        data, _ = shell.display_formatter.format(pd.DataFrame({"arn": ["arn:aws:events:x"]}))
        assert "overflow-wrap: anywhere" in data["text/html"]
        state = pd.Series({"state": "ACTIVE"}, name="connection")
        series = shell.display_formatter.format(state)[0]["text/html"]
        assert "overflow-wrap: anywhere" in series and "dtype" not in series
    finally:
        del shell.kernel


def test_a_long_dotted_name_breaks_at_its_dots_and_text_stays_escaped():
    frame = pd.DataFrame({"error": ["Events.ConnectionResource.AuthInProgress", "States.Timeout"],
                          "cause": ["a <b> & c", "arn:aws:events:us-east-1:123456789012:rule/x"]})
    html = display.frame_html(frame)
    assert "Events.<wbr>ConnectionResource.<wbr>AuthInProgress" in html
    assert "<td>States.Timeout</td>" in html  # short words are left whole
    assert "arn:<wbr>aws:<wbr>events:<wbr>" in html
    assert "a &lt;b&gt; &amp; c" in html and "\ue000" not in html


def test_only_the_long_words_of_a_cell_get_break_opportunities():
    html = display.frame_html(pd.DataFrame({"source": [
        "https://aws.amazon.com/privatelink/pricing/ ($0.01 per AZ-hour)"]}))
    assert "https:<wbr>/<wbr>/<wbr>aws.<wbr>amazon.<wbr>com/<wbr>privatelink/" in html
    assert "($0.01 per AZ-hour)" in html
