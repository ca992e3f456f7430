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
- in the HTML form (:func:`frame_html`) text columns read left-aligned and
  long unbroken values (80-character CDK logical ids, ARNs) wrap inside their
  cell, so a table stays within the notebook's width; numbers stay
  right-aligned. The CSS is inline in the output, keyed to an id made from the
  table's columns and which of them are text (not from a counter, which live
  tables would advance by a timing-dependent number), so it reads the same
  live, saved and reopened, and two tables share an id only when their rules
  are the same.

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


# What a text cell of an HTML table gets (numbers keep JupyterLab's right alignment).
TEXT_CELL_CSS = "text-align: left; overflow-wrap: anywhere; word-break: normal;"
# A word up to this many characters is never broken (a scenario name, CREATE_IN_PROGRESS);
# a longer one (an 80-character logical id, an ARN) wraps anywhere inside its cell.
UNBROKEN_WORD_CH = 28
# Where a long word may break first: after these separators (a <wbr> each), so
# Events.ConnectionResource.AuthInProgress wraps at a dot, not mid-name.
BREAK_AFTER = "./:,"
_WBR = "\ue000"  # a private-use mark, survives pandas' escaping, becomes <wbr>


def _breakable(value) -> str:
    """``value`` as text with a break opportunity after each separator of its long words."""
    import re

    def mark(match) -> str:
        word = match.group()
        for separator in BREAK_AFTER:
            word = word.replace(separator, separator + _WBR)
        return word

    return re.sub(rf"\S{{{UNBROKEN_WORD_CH + 1},}}", mark, str(value))


def _min_width_ch(values) -> int:
    """The column's longest word (whitespace-separated), capped at UNBROKEN_WORD_CH."""
    longest = max((len(word) for value in values if isinstance(value, str)
                   for word in value.split()), default=4)
    return max(4, min(longest, UNBROKEN_WORD_CH))


def _is_text(column) -> bool:
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return False
    return any(isinstance(value, str) for value in column.head(50))


def frame_html(frame, table_id: str | None = None) -> str:
    """A DataFrame as pandas' notebook HTML, with its text columns left-aligned and wrapping.

    Rows and cells are pandas' own (``display.*`` options, float format, escaping); a
    ``<style>`` block keyed to this table's id is added, and a text cell's word longer
    than UNBROKEN_WORD_CH gets a ``<wbr>`` after each of BREAK_AFTER's separators.
    """
    import hashlib

    import pandas as pd

    text_columns = [_is_text(frame.iloc[:, i]) for i in range(frame.shape[1])]
    text_index = any(isinstance(value, str) for value in frame.index[:50])
    if table_id is None:
        key = repr((list(map(str, frame.columns)), text_columns, text_index, frame.index.nlevels))
        table_id = "lab-table-" + hashlib.sha1(key.encode()).hexdigest()[:10]
    html = frame.to_html(
        formatters={frame.columns[i]: _breakable for i, text in enumerate(text_columns) if text}
        if frame.columns.is_unique else None,
        table_id=table_id,
        notebook=True,
        max_rows=pd.get_option("display.max_rows"),
        max_cols=pd.get_option("display.max_columns"),
        show_dimensions=False,
    )
    rules = []
    for position, is_text in enumerate(text_columns):
        if is_text:
            child = frame.index.nlevels + position + 1
            width = _min_width_ch([str(frame.columns[position]), *frame.iloc[:200, position]])
            rules.append(f"#{table_id} td:nth-child({child}) "
                         f"{{ {TEXT_CELL_CSS} min-width: {width}ch; }}")
            rules.append(f"#{table_id} thead th:nth-child({child}) {{ text-align: left; }}")
    if text_index:
        width = _min_width_ch(map(str, frame.index[:200]))
        rules.append(f"#{table_id} tbody th {{ {TEXT_CELL_CSS} min-width: {width}ch; }}")
    html = html.replace(_WBR, "<wbr>")
    if not rules:
        return html
    return "<style>\n" + "\n".join(rules) + "\n</style>\n" + html


def _kernel_shell():
    """The IPython shell when running inside a Jupyter kernel, else None."""
    import sys

    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def apply(shell=None) -> bool:
    """Set the display policy in this kernel (``import lab`` does it); True if it was set.

    Safe to call again: formatters are replaced, not stacked.
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
    return True
