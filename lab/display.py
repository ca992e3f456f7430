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
  (:func:`compact_ips`), for the lab's own tables to use.

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
    formatters["text/html"].for_type(
        pd.Series, lambda series: series_as_table(series)._repr_html_()
    )
    return True
