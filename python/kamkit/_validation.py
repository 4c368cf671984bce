"""Input validation for the whole package.

Every public function checks its input here, so the rules and the wording
of the errors are the same everywhere.

Messages follow one pattern: the column, what was expected, what was found,
how many rows are at fault, and how to fix it.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "DASK_HOOKS",
    "MissingValuesWarning",
    "TransactionLog",
    "as_series",
    "check_choice",
    "check_columns",
    "check_frame",
    "check_labels",
    "check_observation_end",
    "check_rfm",
    "check_shares",
    "check_transactions",
    "dask_hook",
    "is_dask",
    "model_array",
    "numeric_column",
    "reject_dask",
]

TICKS_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
_TICKS_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


class MissingValuesWarning(UserWarning):
    """Rows with missing values were dropped (``missing="drop"``).

    Examples
    --------
    >>> import warnings, pandas as pd, kamkit
    >>> log = pd.DataFrame({"customer_id": [1, None, 2],
    ...                     "date": ["2020-01-01", "2020-01-02", "2020-01-03"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     archive = kamkit.summarize(log, missing="drop")
    >>> len(archive), caught[0].category is kamkit.MissingValuesWarning
    (2, True)
    """


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _first(values: pd.Series | np.ndarray) -> str:
    arr = values.to_numpy() if isinstance(values, pd.Series) else values
    if not len(arr):
        return ""
    first = arr[0]
    return repr(first.item() if isinstance(first, np.generic) else first)


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Raise ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {options}, got {value!r}")
    return value


def check_count(
    name: str, value: Any, low: int = 0, high: int | None = None, hint: str = ""
) -> int:
    """A whole number ``low <= value <= high``; anything else raises naming ``name``.

    ``high`` caps a number that sets how much work a loop does, so that a
    mistyped 10**9 fails at once instead of running for hours; ``hint``
    says what to do instead.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, found {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, found {value}")
    if high is not None and value > high:
        raise ValueError(
            f"{name}: expected an integer <= {high}, found {value}" + (f"; {hint}" if hint else "")
        )
    return int(value)


#: The longest customer-lifetime-value horizon, in months (100 years).
MAX_CLV_MONTHS = 1_200


def check_clv_time(time: Any, name: str = "time") -> int:
    """A CLV horizon in whole months, 0..MAX_CLV_MONTHS."""
    if isinstance(time, bool) or not isinstance(time, (int, np.integer)) or time < 0:
        raise ValueError(f"{name}: expected a whole number of months >= 0, found {time!r}")
    return check_count(
        name,
        time,
        0,
        MAX_CLV_MONTHS,
        "a horizon past 100 years is outside what the models describe (and every month "
        "of it is evaluated); pass time in months",
    )


#: The largest count the compiled core takes (a C int).
MAX_CORE_INT = 2**31 - 1


def check_int(name: str, value: Any, low: int, high: int | None = MAX_CORE_INT) -> int:
    """An integer (not a bool) in [``low``, ``high``], as a Python int.

    ``high`` defaults to the largest count the compiled core takes; None
    leaves it unbounded (for numbers only Python handles).

    Examples
    --------
    >>> from kamkit._validation import check_int
    >>> check_int("window", 3, 1)
    3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name}: expected an integer <= {high}, got {value}")
    return int(value)


def check_number(name: str, value: Any, low: float, high: float = np.inf) -> float:
    """A real number (not a bool) in [``low``, ``high``], as a Python float.

    Examples
    --------
    >>> from kamkit._validation import check_number
    >>> check_number("growth", 0.2, 0.0)
    0.2
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    if not (low <= float(value) <= high):
        raise ValueError(f"{name}: expected a number in [{low}, {high}], got {value}")
    return float(value)


def is_dask(obj: Any) -> bool:
    """Whether ``obj`` is a dask collection (without importing dask)."""
    return type(obj).__module__.split(".")[0] == "dask" and hasattr(obj, "__dask_graph__")


def reject_dask(obj: Any, name: str) -> None:
    """Raise TypeError for a dask collection passed where pandas is expected.

    kamkit's functions never compute a whole dask log in one process: the
    message points to ``kamkit.dask``.
    """
    if is_dask(obj):
        raise TypeError(
            f"{name}: got a dask {type(obj).__name__}; this kamkit function works on pandas "
            "objects in one process. Use the function of the same name in kamkit.dask "
            "(import kamkit.dask), or .compute() the collection first if it fits in memory"
        )


#: The dask glue of the models (fit and predict on a dask archive), registered
#: by ``kamkit.dask`` when it is imported: the models stay below it in the layers.
DASK_HOOKS: dict[str, Any] = {}


def dask_hook(name: str) -> Any:
    """The function ``kamkit.dask`` registered under ``name`` (TypeError when not imported)."""
    if name not in DASK_HOOKS:
        raise TypeError(
            'got a dask collection: import kamkit.dask (pip install "kamkit[dask]") to use '
            "kamkit's models on dask archives, or .compute() the archive if it fits in memory"
        )
    return DASK_HOOKS[name]


def check_frame(obj: Any, name: str = "transactions") -> pd.DataFrame:
    """Raise TypeError unless ``obj`` is a DataFrame."""
    reject_dask(obj, name)
    if not isinstance(obj, pd.DataFrame):
        raise TypeError(
            f"{name}: expected a pandas DataFrame, got {type(obj).__name__}; "
            "build one with pd.DataFrame(...) or read it with pd.read_csv"
        )
    return obj


def _check_columns(frame: pd.DataFrame, columns: dict[str, Hashable | None], name: str) -> None:
    for role, col in columns.items():
        if col is None:
            continue
        if col not in frame.columns:
            available = ", ".join(repr(c) for c in list(frame.columns)[:20])
            raise ValueError(
                f"{name}: the {role} column {col!r} is not in the frame; "
                f"its columns are {available or '(none)'}; pass {role}=<column name>"
            )
        _check_unique_label(frame, col, name)


def _check_unique_label(frame: pd.DataFrame, col: Hashable, name: str) -> None:
    """Raise when the label ``col`` names more than one column of ``frame``."""
    if not frame.columns.is_unique:
        count = int((frame.columns == col).sum())
        if count > 1:
            raise ValueError(
                f"{name}: expected one column labelled {col!r}, found {count}; rename or "
                "drop the duplicates (df.loc[:, ~df.columns.duplicated()] keeps the first)"
            )


def numeric_column(
    series: pd.Series,
    *,
    column: Hashable,
    allow_missing: bool = False,
    known_finite: bool = False,
) -> np.ndarray:
    """Return ``series`` as float64 (a view where the dtype allows).

    Raises TypeError for non-numeric values and ValueError for missing or
    infinite values (missing values pass, as NaN, when ``allow_missing``).
    ``known_finite`` skips the scan for missing and infinite values when the
    caller has made it already (see :func:`_finite_floats`).
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise TypeError(
            f"column {column!r}: expected numbers, found booleans in {_rows(len(series))}; "
            "convert them with .astype(float) if that is meant"
        )
    if isinstance(dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            raise TypeError(f"column {column!r}: expected numbers, found {dtype} values")
        converted = pd.to_numeric(series.astype(object), errors="coerce")
        bad = converted.isna() & series.notna()
        if bad.any():
            raise TypeError(
                f"column {column!r}: expected numbers, found {_rows(int(bad.sum()))} of "
                f"non-numeric values (first: {_first(series[bad])}); "
                "clean them or convert the column with pd.to_numeric"
            )
        series = converted
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
    else:
        values = series.to_numpy()
        if values.dtype != np.float64:
            values = values.astype(np.float64)
    # A finite sum rules out NaN and infinities in one pass without a
    # temporary; otherwise (or when a sum of finite values overflows) look closer.
    if known_finite:
        return values
    with np.errstate(over="ignore"):
        if np.isfinite(np.add.reduce(values)):
            return values
    nan = None if allow_missing else np.isnan(values)
    if nan is not None and nan.any():
        raise ValueError(
            f"column {column!r}: expected a number on every row, found {_rows(int(nan.sum()))} "
            "with a missing value (NaN); fill them, drop them, or pass missing='drop'"
        )
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(
            f"column {column!r}: expected finite numbers, found {_rows(int(inf.sum()))} "
            "with an infinite value; replace them before the call"
        )
    return values


@dataclass(frozen=True)
class TransactionLog:
    """A checked transaction log, as arrays the C++ core reads without copies.

    Attributes
    ----------
    keys : ndarray of int64
        One per kept row; sorted keys sort like the customer ids (the ids
        themselves for integer ids, otherwise sorted codes).
    ticks : ndarray of int64
        Timestamps as ticks since 1970-01-01 in local wall time.
    unit : {"s", "ms", "us", "ns"}
        Resolution of ``ticks``.
    tz : tzinfo or None
        Time zone of a tz-aware date column.
    amount, margin : ndarray of float64 or None
    customer, date, amount_col, margin_col : column names
    n_input, n_dropped : int
        Rows in the input and rows dropped for missing values.
    deferred : bool
        Whether the scans for missing dates (NaT) and for missing or
        infinite amounts and margins were left to the C++ core's first pass
        (see ``check_transactions(defer_value_scans=True)``).
    """

    keys: np.ndarray
    ticks: np.ndarray
    unit: str
    tz: tzinfo | None
    amount: np.ndarray | None
    margin: np.ndarray | None
    customer: Hashable
    date: Hashable
    amount_col: Hashable | None
    margin_col: Hashable | None
    n_input: int
    n_dropped: int
    deferred: bool
    _decode: Any = field(repr=False)
    order_col: Hashable | None = None
    n_lines: int | None = None

    @property
    def n(self) -> int:
        """Number of kept rows."""
        return len(self.keys)

    @property
    def ticks_per_day(self) -> int:
        return TICKS_PER_DAY[self.unit]

    def ids(self, unique_keys: np.ndarray) -> pd.Index:
        """Original customer ids (original dtype) of sorted unique keys.

        The index may share memory with ``unique_keys``: pass a fresh array.
        """
        return self._decode(np.asarray(unique_keys, dtype=np.int64))

    def timestamps(self, ticks: np.ndarray) -> pd.DatetimeIndex:
        """Timestamps (in the column's time zone) of ticks in local wall time.

        The index may share memory with ``ticks``: pass a fresh array.
        """
        values = np.asarray(ticks, dtype=np.int64).view(f"datetime64[{self.unit}]")
        index = pd.DatetimeIndex(values, copy=False)
        if self.tz is not None:
            index = index.tz_localize(
                self.tz, ambiguous=np.ones(len(index), dtype=bool), nonexistent="shift_forward"
            )
        return index

    def subset(self, mask: np.ndarray) -> TransactionLog:
        """The rows where ``mask`` holds (copies)."""
        return TransactionLog(
            keys=self.keys[mask],
            ticks=self.ticks[mask],
            unit=self.unit,
            tz=self.tz,
            amount=None if self.amount is None else self.amount[mask],
            margin=None if self.margin is None else self.margin[mask],
            customer=self.customer,
            date=self.date,
            amount_col=self.amount_col,
            margin_col=self.margin_col,
            n_input=self.n_input,
            n_dropped=self.n_dropped,
            deferred=self.deferred,
            _decode=self._decode,
            order_col=self.order_col,
            n_lines=self.n_lines,
        )


def _customer_keys(
    series: pd.Series, column: Hashable, had_blanks: bool = False
) -> tuple[np.ndarray, Any]:
    """int64 keys that sort like the ids, and a decoder back to the ids.

    With ``had_blanks`` (rows without an id were dropped), a float column
    whose values are all whole numbers is read as the integer column it was
    before pandas turned it into floats to hold the blanks: the ids come
    back as int64 (``12346``, not ``12346.0``).
    """
    dtype = series.dtype
    name = series.name
    if had_blanks and isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        limit = 2.0**53
        if len(values) and bool(np.all((values == np.floor(values)) & (np.abs(values) <= limit))):
            return _customer_keys(pd.Series(values.astype(np.int64), name=name), column)
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        categories = dtype.categories

        def decode_cat(keys: np.ndarray) -> pd.Index:
            return pd.CategoricalIndex(categories.take(keys), dtype=dtype, name=name)

        return codes, decode_cat
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            values = series.to_numpy(dtype=np.int64)
        else:
            values = series.to_numpy()
        if values.dtype == np.uint64 and len(values) and values.max() > np.iinfo(np.int64).max:
            too_big = int((values > np.iinfo(np.int64).max).sum())
            raise ValueError(
                f"column {column!r}: expected ids that fit in int64, found {_rows(too_big)} "
                "above 2**63-1; convert the ids to strings"
            )
        keys = values if values.dtype == np.int64 else values.astype(np.int64)

        def decode_int(keys: np.ndarray) -> pd.Index:
            return pd.Index(keys, name=name, copy=False).astype(dtype, copy=False)

        return keys, decode_int
    codes, uniques = pd.factorize(series, sort=True)

    def decode_factor(keys: np.ndarray) -> pd.Index:
        return pd.Index(uniques.take(keys), name=name)

    return codes.astype(np.int64, copy=False), decode_factor


def _date_ticks(series: pd.Series, column: Hashable) -> tuple[np.ndarray, str, tzinfo | None]:
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) and dtype.kind == "M":
        # pyarrow timestamps: the same instants as NumPy datetimes of their unit.
        arrow = dtype.pyarrow_dtype
        unit = getattr(arrow, "unit", "ns")
        tz = getattr(arrow, "tz", None)
        target = pd.DatetimeTZDtype(unit, tz) if tz else np.dtype(f"datetime64[{unit}]")
        return _date_ticks(series.astype(target), column)
    if isinstance(dtype, pd.DatetimeTZDtype):
        tz = dtype.tz
        local = series.dt.tz_localize(None)
        unit = np.datetime_data(local.dtype)[0]
        return local.to_numpy().view(np.int64), unit, tz
    if pd.api.types.is_datetime64_dtype(dtype):
        values = series.to_numpy()
        unit = np.datetime_data(values.dtype)[0]
        if unit not in TICKS_PER_DAY:
            values = values.astype("datetime64[ns]")
            unit = "ns"
        return values.view(np.int64), unit, None
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        raise TypeError(
            f"column {column!r}: expected dates (datetime64 or date strings), found {dtype} "
            f"numbers (first: {_first(series)}); parse them first, e.g. "
            f"pd.to_datetime(df[{column!r}].astype(str), format='%Y%m%d')"
        )
    parsed = pd.to_datetime(series, errors="coerce")
    if (parsed.isna() & series.notna()).any():
        # The format pandas inferred from the first value does not fit every
        # row: parse each value on its own.
        parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        parsed.dtype
    ):
        bad = parsed.isna() & series.notna()
        if bad.any():
            raise ValueError(
                f"column {column!r}: expected dates, found {_rows(int(bad.sum()))} that "
                f"cannot be parsed as dates (first: {_first(series[bad])}); parse the column "
                "with pd.to_datetime(..., format=...) before the call"
            )
        return _date_ticks(parsed, column)
    raise TypeError(f"column {column!r}: expected dates, found {dtype} values")


def _finite_floats(series: pd.Series) -> bool:
    """Whether ``series`` is a NumPy float column whose sum is finite.

    Such a column has no NaN and no infinity (NaN and infinities propagate
    through a sum), so one pass without a temporary rules out both.
    """
    dtype = series.dtype
    if not (isinstance(dtype, np.dtype) and dtype.kind == "f"):
        return False
    with np.errstate(over="ignore"):  # an overflowing sum only means "look closer"
        return bool(np.isfinite(np.add.reduce(series.to_numpy())))


def _missing_mask(series: pd.Series) -> np.ndarray | None:
    """Missing values of a column, or None when it has none.

    Columns whose dtype cannot hold a missing value are not read; float and
    datetime columns are first checked with one reduction (NaN and NaT
    propagate through sums and minima), and a mask is built only when it finds
    something.
    """
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return None
    if isinstance(dtype, np.dtype) and dtype.kind in "fmM":
        values = series.to_numpy()
        if dtype.kind == "f":
            with np.errstate(over="ignore", invalid="ignore"):
                if len(values) == 0 or not np.isnan(np.add.reduce(values)):
                    return None
            mask = np.isnan(values)
        else:
            # NaT is the smallest int64; an integer minimum is much faster.
            if len(values) == 0 or values.view(np.int64).min() != np.iinfo(np.int64).min:
                return None
            mask = np.isnat(values)
        return mask if mask.any() else None
    mask = series.isna().to_numpy()
    return mask if mask.any() else None


def check_transactions(
    transactions: Any,
    customer: Hashable,
    date: Hashable,
    amount: Hashable | None = None,
    margin: Hashable | None = None,
    missing: Literal["raise", "drop"] = "raise",
    name: str = "transactions",
    defer_value_scans: bool = False,
    order: Hashable | None = None,
) -> TransactionLog:
    """Check a transaction log and return its columns as arrays.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (returns as negative amounts).
    customer, date : column labels
        Customer ids (any dtype) and dates (datetime64 of any resolution,
        tz-aware, or strings pandas parses).
    amount, margin : column label, optional
        Numeric columns (nullable dtypes accepted).
    missing : {"raise", "drop"}
        Rows without a customer id, date, amount or margin raise a
        ValueError with their count, or are dropped with a
        :class:`MissingValuesWarning` giving the count per column.
    defer_value_scans : bool
        Leave the scans of NumPy datetime64 dates for NaT and of NumPy float
        amounts and margins for NaN and infinities to the caller, which
        makes them in the C++ core's first pass and, when that finds
        something, calls this function again without deferring (so that the
        errors and warnings are the same). The log's ``deferred`` says
        whether anything was left.

    order : column label, optional
        Order ids (any dtype). All lines of one customer's order become one
        transaction, dated at its first line (earliest timestamp), whose
        amount and margin are the lines' sums (compensated summation). Rows
        without an order id are missing values. ``n_lines`` then holds the
        number of lines kept.

    Returns
    -------
    TransactionLog

    Raises
    ------
    TypeError
        Not a DataFrame, non-numeric amounts, dates of a non-date type.
    ValueError
        A missing column, missing values (with ``missing="raise"``),
        unparseable dates, infinite amounts.
    """
    frame = check_frame(transactions, name)
    check_choice("missing", missing, ("raise", "drop"))
    cols = {"customer": customer, "date": date, "amount": amount, "margin": margin}
    if order is not None:
        cols["order"] = order
        defer_value_scans = False
    _check_columns(frame, cols, name)
    n_input = len(frame)
    deferred = (
        {role for role, col in cols.items() if col is not None and _core_scans(frame[col], role)}
        if defer_value_scans
        else set()
    )
    # Float columns with a finite sum have neither missing nor infinite values.
    finite = deferred | {
        role
        for role, col in cols.items()
        if col is not None and role not in deferred and _finite_floats(frame[col])
    }
    masks = {
        role: _missing_mask(frame[col])
        for role, col in cols.items()
        if col is not None and role not in finite
    }
    na = {role: mask for role, mask in masks.items() if mask is not None}
    n_missing = {role: int(mask.sum()) for role, mask in na.items()}
    dropped = 0
    if any(n_missing.values()):
        if missing == "raise":
            role, count = next((r, c) for r, c in n_missing.items() if c)
            what = {"customer": "a customer id", "date": "a date", "order": "an order id"}.get(
                role, "a number"
            )
            raise ValueError(
                f"column {cols[role]!r}: expected {what} on every row, found {_rows(count)} "
                f"without one; drop or fill them first, or pass missing='drop'"
            )
        keep = ~np.logical_or.reduce(list(na.values()))
        dropped = int(n_input - keep.sum())
        detail = ", ".join(f"{_rows(c)} without {cols[r]!r}" for r, c in n_missing.items() if c)
        warnings.warn(
            f"{name}: dropped {_rows(dropped)} with missing values ({detail})",
            MissingValuesWarning,
            stacklevel=3,
        )
        frame = frame.loc[keep]
    keys, decode = _customer_keys(
        frame[customer], customer, had_blanks=n_missing.get("customer", 0) > 0
    )
    ticks, unit, tz = _date_ticks(frame[date], date)
    amount_values = (
        None
        if amount is None
        else numeric_column(frame[amount], column=amount, known_finite="amount" in finite)
    )
    margin_values = (
        None
        if margin is None
        else numeric_column(frame[margin], column=margin, known_finite="margin" in finite)
    )
    n_lines = None
    if order is not None:
        n_lines = len(keys)
        keys, ticks, amount_values, margin_values = _collapse_orders(
            keys, ticks, frame[order], amount_values, margin_values
        )
    return TransactionLog(
        keys=np.ascontiguousarray(keys),
        ticks=np.ascontiguousarray(ticks),
        unit=unit,
        tz=tz,
        amount=None if amount_values is None else np.ascontiguousarray(amount_values),
        margin=None if margin_values is None else np.ascontiguousarray(margin_values),
        customer=customer,
        date=date,
        amount_col=amount,
        margin_col=margin,
        n_input=n_input,
        n_dropped=dropped,
        deferred=bool(deferred),
        _decode=decode,
        order_col=order,
        n_lines=n_lines,
    )


def _collapse_orders(
    keys: np.ndarray,
    ticks: np.ndarray,
    orders: pd.Series,
    amount: np.ndarray | None,
    margin: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """One row per (customer, order): earliest tick, summed amount and margin.

    pandas' grouped sums are compensated (Kahan), so an order's total does not
    depend on the order of its lines beyond the last bit.
    """
    codes, _ = pd.factorize(orders, use_na_sentinel=True)
    data: dict[str, np.ndarray] = {"k": keys, "o": codes, "t": ticks}
    if amount is not None:
        data["a"] = amount
    if margin is not None:
        data["m"] = margin
    grouped = pd.DataFrame(data, copy=False).groupby(["k", "o"], sort=False)
    first = grouped["t"].min()
    out_keys = first.index.get_level_values(0).to_numpy(dtype=np.int64)
    out_amount = None if amount is None else grouped["a"].sum().to_numpy(dtype=np.float64)
    out_margin = None if margin is None else grouped["m"].sum().to_numpy(dtype=np.float64)
    return out_keys, first.to_numpy(dtype=np.int64), out_amount, out_margin


def _core_scans(series: pd.Series, role: str) -> bool:
    """Whether the C++ core can scan this column for missing or infinite values.

    It can for NumPy datetime64 dates (NaT is the smallest int64) and NumPy
    float amounts and margins (NaN and infinities make their sum non-finite).
    """
    dtype = series.dtype
    if not isinstance(dtype, np.dtype):
        return False
    return (role == "date" and dtype.kind == "M") or (
        role in ("amount", "margin") and dtype.kind == "f"
    )


def check_observation_end(
    observation_end: Any, log: TransactionLog, name: str = "observation_end"
) -> int | None:
    """Ticks (in the log's unit and local wall time) of an observation end.

    Accepts anything ``pd.Timestamp`` accepts; None stays None (the caller's
    default). A tz-aware end is converted to the log's time zone; a naive end
    is read as wall time in it.
    """
    if observation_end is None:
        return None
    try:
        ts = pd.Timestamp(observation_end)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name}: expected a date (anything pd.Timestamp accepts), got {observation_end!r}"
        ) from exc
    if ts is pd.NaT:
        raise ValueError(f"{name}: expected a date, got a missing value (NaT)")
    if ts.tzinfo is not None:
        if log.tz is None:
            raise TypeError(
                f"{name}: got a tz-aware date ({ts}) but column {log.date!r} is tz-naive; "
                "pass a naive date"
            )
        ts = ts.tz_convert(log.tz).tz_localize(None)
    # Exact integer arithmetic from the date's own unit to the column's: a date
    # pandas holds in seconds (year 1000, year 2500) is fine when the column's
    # unit can hold it, and a clear error when it cannot.
    own = np.datetime_data(ts.asm8.dtype)[0]
    raw = int(ts.asm8.view(np.int64))
    ticks = raw * _TICKS_PER_SECOND[log.unit] // _TICKS_PER_SECOND[own]
    if not -(2**63) < ticks < 2**63:
        ends = np.array([-(2**63) + 1, 2**63 - 1], dtype=np.int64).view(f"datetime64[{log.unit}]")
        lo, hi = pd.Timestamp(ends[0]), pd.Timestamp(ends[1])
        raise ValueError(
            f"{name}: {ts} is outside what column {log.date!r} (datetime64[{log.unit}]) can "
            f"hold ({lo.date()} to {hi.date()}); pass a date in that range, or convert the "
            f"column to a coarser unit, e.g. df[{log.date!r}].astype('datetime64[s]')"
        )
    return ticks


# ------------------------------------------------------------ model inputs


def model_array(values: Any, name: str) -> tuple[np.ndarray, pd.Index | None]:
    """Return ``values`` (scalar, list, array or Series) as a 1-d float64 array.

    The second item is the Series' index (None for other inputs). Raises
    TypeError for non-numeric values and ValueError for missing or infinite
    ones.
    """
    reject_dask(values, name)
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name}: expected one column of numbers, got a DataFrame")
    if isinstance(values, pd.Series):
        return numeric_column(values, column=name), values.index
    arr = np.asarray(values)
    if arr.ndim > 1:
        raise TypeError(f"{name}: expected a 1-d array of numbers, got shape {arr.shape}")
    series = pd.Series(np.atleast_1d(arr))
    return numeric_column(series, column=name), None


def _rfm_fast_ok(frequency: Any, recency: Any, T: Any, discrete: bool) -> bool:
    """One pass in the C++ core over float64 arrays of one length; False when unsure."""
    arrays = (frequency, recency, T)
    if (
        not all(isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim == 1 for a in arrays)
        or len({len(a) for a in arrays}) != 1
    ):
        return False
    from ._native import core as _core

    x, t_x, age = (np.ascontiguousarray(a) for a in arrays)
    return bool(_core.rfm_is_valid(x, t_x, age, discrete))


def check_rfm(
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    names: tuple[str, str, str] = ("frequency", "recency", "T"),
    *,
    discrete: bool = False,
) -> None:
    """Check a (frequency, recency, T) summary; raise ValueError naming the rows at fault."""
    fn, rn, tn = names
    n = len(frequency)
    if n == 0:
        raise ValueError(f"{fn}: no customers (empty input); pass at least one row")
    if _rfm_fast_ok(frequency, recency, T, discrete):
        return
    bad = (frequency < 0) | (frequency != np.floor(frequency))
    if bad.any():
        raise ValueError(
            f"column {fn!r}: expected non-negative whole numbers of repeat purchases, found "
            f"{_rows(int(bad.sum()))} that are not (first: {_first(frequency[bad])}); "
            "frequency counts purchase periods after the first (kamkit.summarize computes it)"
        )
    bad = recency < 0
    if bad.any():
        raise ValueError(
            f"column {rn!r}: expected values >= 0, found {_rows(int(bad.sum()))} below 0 "
            f"(first: {_first(recency[bad])}); recency is the last minus the first purchase time"
        )
    bad = recency > T
    if bad.any():
        raise ValueError(
            f"column {rn!r}: expected recency <= {tn}, found {_rows(int(bad.sum()))} above it "
            f"(first: {_first(recency[bad])}); check that both use the same time unit"
        )
    bad = (frequency == 0) & (recency != 0)
    if bad.any():
        raise ValueError(
            f"column {rn!r}: expected 0 where {fn} is 0, found {_rows(int(bad.sum()))} "
            f"with another value (first: {_first(recency[bad])})"
        )
    if discrete:
        bad = (recency != np.floor(recency)) | (np.floor(T) != T) | (frequency > recency)
        if bad.any():
            raise ValueError(
                f"columns {fn!r}, {rn!r}, {tn!r}: expected whole numbers of periods with "
                f"{fn} <= {rn} <= {tn}, found {_rows(int(bad.sum()))} that are not; "
                "in the discrete-time model recency is the period of the last transaction"
            )


# ---------------------------------------------------------------------------
# Scoring, tiering and key-account service
# ---------------------------------------------------------------------------


def check_columns(
    frame: pd.DataFrame, columns: Iterable[Hashable], what: str = "customers"
) -> None:
    """Raise ValueError naming every column of `columns` that `frame` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        have = ", ".join(repr(c) for c in list(frame.columns)[:20])
        raise ValueError(
            f"{what}: column(s) {names} not found; the table has {have}; "
            "compute the column first or pass the name of an existing one"
        )
    for c in columns:
        _check_unique_label(frame, c, what)


def as_series(values: Any, name: str = "values") -> pd.Series:
    """A Series from a Series or a 1-D array-like (which gets a RangeIndex)."""
    reject_dask(values, name)
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{name}: expected a Series (one value per customer), found a DataFrame with "
            f"{values.shape[1]} columns; pick one column, e.g. customers['revenue']"
        )
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise TypeError(
            f"{name}: expected a pandas Series or a 1-D array of numbers, "
            f"found {type(values).__name__}"
        )
    return pd.Series(values)


def check_shares(shares: Any, name: str = "shares") -> tuple[float, ...]:
    """Shares top first: positive numbers that add up to 1."""
    try:
        out = tuple(float(s) for s in shares)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a sequence of numbers, found {shares!r}") from None
    if len(out) < 1:
        raise ValueError(f"{name}: expected at least one share, found none")
    bad = [s for s in out if not np.isfinite(s) or s < 0]
    if bad:
        raise ValueError(
            f"{name}: expected non-negative shares, found {len(bad)} bad value(s) "
            f"(first: {bad[0]!r})"
        )
    total = sum(out)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(
            f"{name}: the shares must add up to 1 (top tier first), found a sum of {total:g} "
            f"for {out}; e.g. (0.01, 0.04, 0.15, 0.80)"
        )
    return out


def check_labels(labels: Sequence[Any], n: int, name: str = "labels") -> list[Any]:
    """A list of `n` distinct labels."""
    out = list(labels)
    if len(out) != n:
        raise ValueError(f"{name}: expected {n} labels (top tier first), found {len(out)}: {out!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: labels must be distinct, found {out!r}")
    return out
