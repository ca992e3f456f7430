"""How the lab's results read in a notebook: one display policy, set once by ``lab``.

``import lab`` in a Jupyter kernel calls :func:`apply`, so every notebook cell —
including cells added later — shows tables the same way, and no cell sets a
pandas option itself (fastbook's ``utils.py`` does the same for its book):

- text is never cut: pandas' 50-character column default hid the causes,
  fixes and sources that are the point of a table;
- numbers drop meaningless trailing zeros (``0.0011``, ``28.9``, ``1,508``);
- a ``Series`` shows as a two-column table (field, value) without pandas'
  ``Name: …, dtype: …`` footer;
- long lists of addresses collapse to a count and a range
  (:func:`compact_ips`), for the lab's own tables to use;
- in the HTML form (:func:`frame_html`) every cell carries its own inline
  style (text left, numbers right) and nothing relies on a ``<style>`` element,
  which untrusted JupyterLab (every fresh clone) and GitHub drop; words under 40
  characters never break, longer ones (ARNs, CDK hash ids) break at their
  separators; a table too wide for the notebook's column (about 968 px at
  1400x900 with the file browser open) turns into a vertical key/value table
  or column groups that each fit; nothing is cut without a row saying so;
- errors (:func:`error_line`): a ``LabError`` is its one sentence, not a
  traceback through ``lab/``; an interrupted cell says which names it left
  unset, and a NameError in a later cell names the cell to re-run.

Outside a kernel (the CLI, tests) nothing is registered; :func:`pandas_options`
is the part a terminal shares.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable

# pandas options the lab relies on; applied by pandas_options().
PANDAS_OPTIONS = {
    "display.max_colwidth": None,  # a cause or a fix is never cut mid-sentence
    "display.max_columns": None,
    "display.width": 120,  # the text form wraps its columns into blocks at this width
    "display.max_rows": 120,
    "display.show_dimensions": False,
}


def format_number(value: float) -> str:
    """A float for a table: up to 4 decimals, no trailing zeros, thousands separated."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pandas_options() -> None:
    """Set the lab's pandas display options (text never cut, compact numbers)."""
    import pandas as pd

    for key, value in PANDAS_OPTIONS.items():
        pd.set_option(key, value)
    pd.set_option("display.float_format", format_number)


def series_as_table(series):
    """A Series as a DataFrame with one column per index level and one for the values.

    The index levels keep their names (``field`` for an unnamed single level);
    the value column takes the Series' name (``value`` when it has none).
    """
    levels = list(series.index.names)
    if len(levels) == 1:
        levels = [levels[0] if levels[0] is not None else "field"]
    else:
        levels = [name if name is not None else f"level_{i}" for i, name in enumerate(levels)]
    value = series.name if series.name is not None and series.name not in levels else "value"
    table = series.copy()
    table.index = table.index.set_names(levels)
    return table.rename(value).reset_index()


def compact_ips(addresses: Iterable[str]) -> str:
    """Addresses as ``count: first–last`` when they are consecutive, else a short list.

    ``["10.0.0.5", …, "10.0.0.20"]`` reads ``16: 10.0.0.5–10.0.0.20``; a
    non-consecutive set shows its first three and the count.
    """
    ips = [a for a in addresses if a]
    if not ips:
        return ""
    if len(ips) <= 2:
        return ", ".join(ips)
    parsed = sorted(ipaddress.ip_address(a) for a in ips)
    consecutive = all(int(b) - int(a) == 1 for a, b in zip(parsed, parsed[1:], strict=False))
    if consecutive:
        return f"{len(ips)}: {parsed[0]}–{parsed[-1]}"
    return f"{len(ips)}: {', '.join(str(a) for a in parsed[:3])}, …"


# ---------------------------------------------------------------- HTML tables
#
# Every table is plain HTML with inline styles only: JupyterLab drops <style>
# elements from an untrusted notebook (every freshly cloned one) and GitHub drops
# them always, while both keep a cell's ``style`` attribute. No CSS may break a
# word either: the only break opportunities are spaces and the <wbr> marks
# :func:`_breakable` puts inside words of LONG_WORD_CH characters or more.

#: A word shorter than this is never broken (CREATE_COMPLETE, a hosted-zone id, a logical
#: id of the lab's own resources); a longer one (an ARN, a CDK hash id) breaks after its
#: separators and, failing those, every CHUNK_CH characters.
LONG_WORD_CH = 40
CHUNK_CH = 24
#: Where a long word may break first: after these separators (a <wbr> each), so
#: arn:aws:events:… wraps at a colon, Events.ConnectionResource.AuthInProgress at a dot.
BREAK_AFTER = "./:,|&?="
_WBR = "\ue000"  # a private-use mark, survives escaping, becomes <wbr>

#: The width a table may take: JupyterLab's notebook column at 1400x900 with the file
#: browser open is about 968 px, less the output prompt and a margin.
TABLE_BUDGET_PX = 880
#: Advance widths (px) of ASCII 32-126 in DejaVu Sans at 13 px (JupyterLab's table font size;
#: DejaVu Sans is Linux's sans-serif and wider than macOS's or Windows'), regular and bold
#: (headers); from the font files matplotlib ships. Other characters count as WIDE_CHAR_PX.
_REGULAR_PX = (
    "4.1 5.2 6.0 10.9 8.3 12.4 10.1 3.6 5.1 5.1 6.5 10.9 4.1 4.7 4.1 4.4 8.3 8.3 8.3 8.3 8.3 8.3 "
    "8.3 8.3 8.3 8.3 4.4 4.4 10.9 10.9 10.9 6.9 13.0 8.9 8.9 9.1 10.0 8.2 7.5 10.1 9.8 3.8 3.8 "
    "8.5 7.2 11.2 9.7 10.2 7.8 10.2 9.0 8.3 7.9 9.5 8.9 12.9 8.9 7.9 8.9 5.1 4.4 5.1 10.9 6.5 6.5 "
    "8.0 8.3 7.1 8.3 8.0 4.6 8.3 8.2 3.6 3.6 7.5 3.6 12.7 8.2 8.0 8.3 8.3 5.3 6.8 5.1 8.2 7.7 "
    "10.6 7.7 7.7 6.8 8.3 4.4 8.3 10.9")
_BOLD_PX = (
    "4.5 5.9 6.8 10.9 9.0 13.0 11.3 4.0 5.9 5.9 6.8 10.9 4.9 5.4 4.9 4.7 9.0 9.0 9.0 9.0 9.0 9.0 "
    "9.0 9.0 9.0 9.0 5.2 5.2 10.9 10.9 10.9 7.5 13.0 10.1 9.9 9.5 10.8 8.9 8.9 10.7 10.9 4.8 4.8 "
    "10.1 8.3 12.9 10.9 11.1 9.5 11.1 10.0 9.4 8.9 10.6 10.1 14.3 10.0 9.4 9.4 5.9 4.7 5.9 10.9 "
    "6.5 6.5 8.8 9.3 7.7 9.3 8.8 5.7 9.3 9.3 4.5 4.5 8.6 4.5 13.5 9.3 8.9 9.3 9.3 6.4 7.7 6.2 9.3 "
    "8.5 12.0 8.4 8.5 7.6 9.3 4.7 9.3 10.9")
_CHAR_PX = {bold: dict(zip(map(chr, range(32, 127)), map(float, table.split()), strict=True))
            for bold, table in ((False, _REGULAR_PX), (True, _BOLD_PX))}
WIDE_CHAR_PX = 13.0
#: A cell's padding (0.5em each side at 13 px) and a little for rounding.
CELL_PAD_PX = 15
#: A table this short that is too wide turns into a vertical key/value table (one column
#: per record); a longer one is split into column groups that each fit.
VERTICAL_MAX_ROWS = 3
#: Rows shown before the middle of a long table is elided (with a row that says so).
MAX_ROWS = 120

TEXT_STYLE = "text-align:left"
NUMBER_STYLE = "text-align:right"


def _breakable(value) -> str:
    """``value`` as text with a break mark inside each word of LONG_WORD_CH characters or more."""
    import re

    def mark(match) -> str:
        word = match.group()
        for separator in BREAK_AFTER:
            word = word.replace(separator, separator + _WBR)
        pieces = []
        for piece in word.split(_WBR):
            pieces.append(_WBR.join(piece[i:i + CHUNK_CH] for i in range(0, len(piece), CHUNK_CH)))
        return _WBR.join(pieces)

    return re.sub(rf"\S{{{LONG_WORD_CH},}}", mark, str(value))


def text_px(text: str, bold: bool = False) -> float:
    """How wide ``text`` is in the table font, in px (see _REGULAR_PX)."""
    widths = _CHAR_PX[bold]
    return sum(widths.get(char, WIDE_CHAR_PX) for char in text)


def _longest_unbroken(marked: str, bold: bool = False) -> float:
    """The widest piece of ``marked`` text that cannot wrap, in px."""
    import re

    return max((text_px(piece, bold) for piece in re.split(rf"[\s{_WBR}]+", marked)), default=0)


def _text(value) -> str:
    """A cell's value as the text a learner reads (no Python list/dict brackets)."""
    import pandas as pd

    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dict):
        return "\n".join(f"{key}: {_text(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_text(item) for item in value)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _cell_html(value) -> tuple[str, int]:
    """A cell's escaped HTML (lines of a dict on their own lines) and its unbreakable width."""
    import html

    marked = _breakable(_text(value))
    widest = _longest_unbroken(marked)
    escaped = html.escape(marked, quote=False).replace(_WBR, "<wbr>").replace("\n", "<br>")
    return escaped, widest


def _is_number(column) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)


def _columns(frame):
    """(header, values, is_number) per column, the index first when it carries meaning."""
    import pandas as pd

    columns = []
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
        for level in range(frame.index.nlevels):
            values = frame.index.get_level_values(level)
            name = frame.index.names[level]
            columns.append((name if name is not None else "", list(values),
                            _is_number(pd.Series(values))))
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        columns.append((frame.columns[position], list(column), _is_number(column)))
    return columns


def _header_text(name) -> str:
    return " ".join(map(str, name)) if isinstance(name, tuple) else str(name)


def _header_html(name) -> tuple[str, int]:
    """A column name may wrap after its underscores (``time_to_fail_ms``), unlike a value."""
    import html

    marked = _breakable(_header_text(name)).replace("_", "_" + _WBR)
    escaped = html.escape(marked, quote=False).replace(_WBR, "<wbr>")
    return escaped, _longest_unbroken(marked, bold=True)


def _width_px(text_width: float) -> float:
    return text_width + CELL_PAD_PX


def _prepared(columns):
    """Per column: header html, cell htmls, is_number, and its narrowest width in px."""
    prepared = []
    for name, values, is_number in columns:
        header, widest = _header_html(name)
        cells = []
        for value in values:
            html, width = _cell_html(value)
            cells.append(html)
            widest = max(widest, width)
        prepared.append((header, cells, is_number, _width_px(widest)))
    return prepared


def table_width_px(frame) -> float:
    """The narrowest the lab's HTML for ``frame`` can be laid out, estimated in px."""
    return sum(column[3] for column in _prepared(_columns(frame)))


def _table(prepared, caption: str | None = None, elided: tuple[int, int] | None = None,
           row_headers: bool = False) -> str:
    """One <table>: inline styles on every cell, nothing else needed.

    With ``row_headers`` the first column's cells are row headers (a vertical table's field
    names), for screen readers as for the eye.
    """
    import html

    rows = ['<table class="lab-table" style="border-collapse:collapse">']
    if caption:
        rows.append(f'<caption style="text-align:left;caption-side:top">'
                    f"{html.escape(caption, quote=False)}</caption>")
    rows.append("<thead><tr>" + "".join(
        f'<th scope="col" style="{NUMBER_STYLE if is_number else TEXT_STYLE}">{header}</th>'
        for header, _, is_number, _ in prepared) + "</tr></thead>")
    rows.append("<tbody>")
    count = len(prepared[0][1]) if prepared else 0
    for row in range(count):
        if elided and row == elided[0]:
            rows.append(f'<tr><td colspan="{len(prepared)}" style="{TEXT_STYLE}">… '
                        f"{elided[1]:,} more rows not shown: slice the table to see them "
                        "(<code>table.iloc[a:b]</code>)</td></tr>")
        rows.append("<tr>" + "".join(
            f'<th scope="row" style="{TEXT_STYLE}">{cells[row]}</th>' if row_headers and i == 0
            else f'<td style="{NUMBER_STYLE if is_number else TEXT_STYLE}">{cells[row]}</td>'
            for i, (_, cells, is_number, _) in enumerate(prepared)) + "</tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _column_groups(prepared, budget: float) -> list[list[int]]:
    """Column indexes in groups that each fit ``budget`` with the first column repeated."""
    key_width = prepared[0][3]
    groups: list[list[int]] = [[]]
    used = key_width
    for index in range(1, len(prepared)):
        width = prepared[index][3]
        if groups[-1] and used + width > budget:
            groups.append([])
            used = key_width
        groups[-1].append(index)
        used += width
    return [[0, *group] for group in groups]


def frame_html(frame, budget_px: float = TABLE_BUDGET_PX) -> str:
    """A DataFrame as plain HTML that reads the same untrusted, on GitHub and live.

    Text left-aligned, numbers right-aligned, by inline styles; words under LONG_WORD_CH
    characters never broken; a table that cannot fit ``budget_px`` becomes a vertical
    key/value table (up to VERTICAL_MAX_ROWS records) or column groups that each fit,
    the first column repeated in each; a table over MAX_ROWS rows shows its first and last
    rows with a row saying how many are not shown. ``frame.attrs["caption"]`` is shown
    above the table; an empty frame with ``attrs["empty"]`` is that sentence instead.
    """
    import pandas as pd

    caption = frame.attrs.get("caption") if hasattr(frame, "attrs") else None
    if frame.empty and frame.attrs.get("empty"):
        return f"<p>{_escape(frame.attrs['empty'])}</p>"
    elided = None
    if len(frame) > MAX_ROWS:
        half = MAX_ROWS // 2
        elided = (half, len(frame) - 2 * half)
        frame = pd.concat([frame.iloc[:half], frame.iloc[-half:]])
    columns = _columns(frame)
    if not columns:
        return _table([], caption)
    prepared = _prepared(columns)
    if sum(column[3] for column in prepared) <= budget_px or len(prepared) == 1:
        return _table(prepared, caption, elided)
    if len(frame) <= VERTICAL_MAX_ROWS:
        header, *rest = columns
        records = [(header[1][i], [values[i] for _, values, _ in rest], False)
                   for i in range(len(frame))]
        vertical = [(_header_text(header[0]), [_header_text(name) for name, _, _ in rest], False),
                    *records]
        return _table(_prepared(vertical), caption, row_headers=True)
    groups = _column_groups(prepared, budget_px)
    parts = []
    for number, group in enumerate(groups, 1):
        names = ", ".join(_header_text(columns[i][0]) for i in group[1:])
        note = f"columns {number} of {len(groups)}: {names}"
        parts.append(_table([prepared[i] for i in group],
                            f"{caption} ({note})" if caption else note, elided))
    return "\n".join(parts)


def _escape(text: str) -> str:
    import html

    return html.escape(str(text), quote=False)


def frame_text(frame) -> str:
    """The text form: pandas' own, or the frame's ``attrs["empty"]`` sentence when empty."""
    if frame.empty and frame.attrs.get("empty"):
        return str(frame.attrs["empty"])
    return repr(frame)


def _kernel_shell():
    """The IPython shell when running inside a Jupyter kernel, else None."""
    import sys

    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


# ------------------------------------------------------------- errors in a kernel
#
# A LabError is a sentence naming the fix: in a notebook it reads as that one line, not
# under a traceback through lab/. An interrupted cell leaves its names unset; the next
# cell's NameError says which cell to re-run instead of only "name 'run' is not defined".

_RED, _RESET = "\x1b[0;31m", "\x1b[0m"


def _assigned_names(source: str) -> list[str]:
    """The names a cell's top-level statements assign (``run = …``, ``a, b = …``, ``as x``)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        targets = []
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, (ast.With, ast.For)):
            targets = [i.optional_vars for i in node.items if i.optional_vars] if isinstance(
                node, ast.With) else [node.target]
        for target in targets:
            names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return list(dict.fromkeys(names))


def _first_line(source: str) -> str:
    line = next((x for x in source.strip().splitlines() if x.strip()), "")
    return line if len(line) <= 80 else line[:79] + "…"


def _raised_in_the_notebook(shell, tb) -> bool:
    """True when the innermost frame runs in the notebook's namespace (not inside a module)."""
    if tb is None:
        return True
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_globals is shell.user_ns


def error_line(shell, etype, value, tb=None) -> str | None:
    """The one line a notebook shows for ``value``, or None for a full traceback.

    A NameError gets its line only when the notebook's own code raised it (a name a cell
    should have set); one inside a module keeps its traceback.
    """
    from lab.errors import LabError

    if isinstance(value, LabError):
        return f"{etype.__name__}: {value}"
    history = list(shell.user_ns.get("In", []) or [])
    if isinstance(value, KeyboardInterrupt):
        names = _assigned_names(history[-1]) if history else []
        unset = f"; {', '.join(names)} may not be set" if names else ""
        return (f"KeyboardInterrupt: this cell stopped before it finished{unset}: "
                "re-run it before the cells below.")
    if (isinstance(value, NameError) and getattr(value, "name", None)
            and _raised_in_the_notebook(shell, tb)):
        for number in range(len(history) - 2, 0, -1):
            if value.name in _assigned_names(history[number]):
                return (f"NameError: {value.name!r} is not defined because the cell that sets it "
                        f"did not finish (interrupted or failed): re-run In [{number}] "
                        f"`{_first_line(history[number])}`, then this cell.")
    return None


def _show_error(shell, etype, value, tb, tb_offset=None):
    line = error_line(shell, etype, value, tb)
    if line is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        stb = [_RED + line + _RESET]
    shell._showtraceback(etype, value, stb)
    return stb


def apply(shell=None) -> bool:
    """Set the display policy in this kernel (``import lab`` does it); True if it was set.

    Tables (:func:`frame_html`) and errors (:func:`error_line`: a LabError as its one
    sentence, an interrupt or a NameError after one naming the cell to re-run). Safe to call
    again: formatters and the error handler are replaced, not stacked.
    """
    shell = shell or _kernel_shell()
    if shell is None:
        return False
    import pandas as pd

    pandas_options()
    formatters = shell.display_formatter.formatters
    formatters["text/plain"].for_type(
        pd.Series, lambda series, printer, cycle: printer.text(repr(series_as_table(series)))
    )
    formatters["text/html"].for_type(pd.Series, lambda series: frame_html(series_as_table(series)))
    formatters["text/html"].for_type(pd.DataFrame, frame_html)
    formatters["text/plain"].for_type(
        pd.DataFrame, lambda frame, printer, cycle: printer.text(frame_text(frame)))
    from lab.errors import LabError

    shell.set_custom_exc((LabError, KeyboardInterrupt, NameError), _show_error)
    return True
