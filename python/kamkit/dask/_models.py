"""kamkit's models on dask archives: fits from summed counts, predictions by partition."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from .. import _partitioned as kern
from .._optional import require

dd = require("dask.dataframe", "kamkit.dask")
dask = require("dask", "kamkit.dask")

__all__ = ["distinct_rows", "fit_rfm", "fit_spend", "predict"]


def distinct_rows(frame: Any, columns: list[Hashable]) -> pd.DataFrame:
    """Distinct rows of ``columns`` in a dask frame, with their counts ``n``, sorted."""
    if not isinstance(frame, dd.DataFrame):
        raise TypeError(
            f"expected a dask DataFrame with the columns {columns} (the archive from "
            f"kamkit.dask.summarize), got a {type(frame).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"summary: expected the columns {', '.join(map(repr, columns))}, missing "
            f"{', '.join(map(repr, missing))}; build the summary with kamkit.dask.summarize"
        )
    parts = [dask.delayed(kern.rfm_rows_part)(p, columns) for p in frame.to_delayed()]
    # Merged on the workers, 16 at a time: the client gets one table of distinct rows.
    while len(parts) > 1:
        parts = [
            dask.delayed(_merge_rows)(columns, *parts[i : i + 16]) for i in range(0, len(parts), 16)
        ]
    return _merge_rows(columns, dask.compute(parts[0])[0])


def _merge_rows(columns: list[Hashable], *parts: pd.DataFrame) -> pd.DataFrame:
    return kern.merge_rfm_rows(pd.concat(parts), columns)


def fit_rfm(model: Any, frame: Any, weights: Any, initial_params: Any) -> Any:
    """Fit a transaction model on the distinct (frequency, recency, T) rows of a dask archive."""
    if weights is not None:
        raise TypeError(
            "weights: a dask archive has one row per customer; the counts of equal rows are "
            "taken from it, so weights cannot be given"
        )
    names = list(model._column_names)
    rows = distinct_rows(frame, names)
    model.fit(
        rows[names[0]], rows[names[1]], rows[names[2]], rows["n"], initial_params=initial_params
    )
    return model


def fit_spend(model: Any, frame: Any, weights: Any, initial_params: Any) -> Any:
    """Fit the Gamma-Gamma model on the distinct (frequency, monetary_value) rows."""
    from ..models.gamma_gamma import SpendExclusionWarning

    if weights is not None:
        raise TypeError(
            "weights: a dask archive has one row per customer; the counts of equal rows are "
            "taken from it, so weights cannot be given"
        )
    rows = distinct_rows(frame, ["frequency", "monetary_value"])
    x = rows["frequency"].to_numpy(dtype=np.float64)
    m = rows["monetary_value"].to_numpy(dtype=np.float64)
    n = rows["n"].to_numpy()
    no_repeat = int(n[x == 0].sum())
    nonpositive = int(n[(x > 0) & (m <= 0)].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpendExclusionWarning)
        model.fit(
            rows["frequency"], rows["monetary_value"], rows["n"], initial_params=initial_params
        )
    model.n_excluded_ = {"no_repeat_purchases": no_repeat, "nonpositive_spend": nonpositive}
    if no_repeat or nonpositive:
        warnings.warn(
            f"GammaGamma.fit: left out {no_repeat} customers without repeat "
            f"purchases and {nonpositive} with monetary_value <= 0; their "
            "expected average spend is the population mean",
            SpendExclusionWarning,
            stacklevel=3,
        )
    return model


def predict(model: Any, method: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """``model.method(*args, **kwargs)`` on each partition: a lazy dask Series.

    Dask arguments (the archive, or its columns) must share their partitions;
    the others go to every partition as they are.
    """

    def run(*parts: Any, **kw: Any) -> pd.Series:
        if len(_index(parts)) == 0:  # an empty partition: no customer to predict for
            return pd.Series([], index=_index(parts), dtype=np.float64, name=name)
        out = getattr(model, method)(*parts, **kw)
        return pd.Series(np.asarray(out, dtype=np.float64), index=_index(parts), name=name)

    first = next(a for a in args if isinstance(a, (dd.DataFrame, dd.Series)))
    meta = pd.Series([], index=first._meta.index, dtype=np.float64, name=name)
    return dd.map_partitions(run, *args, meta=meta, **kwargs)


def _index(parts: tuple[Any, ...]) -> pd.Index:
    for p in parts:
        if isinstance(p, (pd.DataFrame, pd.Series)):
            return p.index
    raise TypeError("expected a pandas partition")
