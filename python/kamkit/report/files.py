"""Per-customer tables as files: one layout for every CSV and Parquet file.

The report (``tiers.csv``, ``warnings.csv``) and every ``kamkit`` subcommand
write their tables through :func:`file_frame` and :func:`write_csv`, so every
file follows the same rules:

- the customer id is the first column, named as in the input, with its dtype
  (integer ids stay integers);
- columns measured in time say their unit: ``recency_days`` and ``T_days``
  (``_weeks`` when the archive was built in weeks);
- money columns are rounded to two decimals in CSV files;
- with ``lang="zh"`` the column names are Chinese (from :mod:`kamkit._i18n`);
- CSV files are UTF-8 with a byte-order mark, so Excel on Windows reads the
  Chinese text correctly (``bom=False`` leaves it out).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from .._i18n import column_name

__all__ = ["MONEY_COLUMNS", "TIME_COLUMNS", "file_frame", "write_csv"]

#: Columns that hold money (rounded to two decimals in CSV files).
MONEY_COLUMNS = (
    "revenue",
    "margin",
    "monetary_value",
    "avg_period_revenue",
    "expected_spend",
    "clv",
    "value_at_risk",
    "profit",
    "cost_to_serve",
    "total",
)
#: Columns measured in the archive's time unit.
TIME_COLUMNS = ("recency", "T")
_UNITS = {"D": "days", "W": "weeks"}


def file_frame(
    frame: pd.DataFrame,
    *,
    time_unit: str | None = None,
    lang: str = "en",
    customer: Any = None,
) -> pd.DataFrame:
    """``frame`` laid out for a file: the id first, units in names, names in ``lang``.

    Parameters
    ----------
    frame : DataFrame
        A per-customer table indexed by customer id (the index name is the
        input's id column) or any other table (written with its index).
    time_unit : {"D", "W"}, optional
        Unit of ``recency`` and ``T``; default ``frame.attrs["time_unit"]``,
        else days.
    lang : {"en", "zh"}
        Language of the column names.
    customer : column label, optional
        Name of the id column (default: the index name).

    Returns
    -------
    DataFrame
        A new frame with a plain range index; the input is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> from kamkit.report.files import file_frame
    >>> t = pd.DataFrame({"T": [10.0], "revenue": [2.5]}, index=pd.Index([7], name="id"))
    >>> file_frame(t).columns.tolist()
    ['id', 'T_days', 'revenue']
    """
    unit = _UNITS.get(str(time_unit or frame.attrs.get("time_unit", "D")), "days")
    out = frame.copy()
    out.attrs = {}
    renames = {c: f"{c}_{unit}" for c in TIME_COLUMNS if c in out.columns}
    out = out.rename(columns=renames)
    idname = customer if customer is not None else out.index.name
    if idname is None:
        idname = "customer_id"
    out.index = out.index.rename(idname)
    out = out.reset_index()
    if lang == "zh":
        out.columns = [column_name(str(c), "zh") if c != idname else c for c in out.columns]
    return out


def write_csv(
    frame: pd.DataFrame,
    target: str | Path | TextIO,
    *,
    sep: str = ",",
    bom: bool = True,
) -> None:
    """Write a :func:`file_frame` table as CSV, money with two decimals.

    Parameters
    ----------
    frame : DataFrame
        From :func:`file_frame` (English or Chinese column names).
    target : path or text stream
        A file path (written UTF-8, with a byte-order mark unless ``bom`` is
        False) or an open stream (written as it is, never with a mark).
    sep : str, default ","
    bom : bool, default True
    """
    out = frame.copy()
    money = {c for c in MONEY_COLUMNS} | {column_name(c, "zh") for c in MONEY_COLUMNS}
    for col in out.columns:
        if col in money and pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = out[col].round(2)
    if isinstance(target, (str, Path)):
        out.to_csv(target, sep=sep, index=False, encoding="utf-8-sig" if bom else "utf-8")
    else:
        out.to_csv(target, sep=sep, index=False)
