"""lifetimes' ``datasets``: the CDNOW sample and summaries, donations and example transactions.

The files ship gzipped in ``kamkit/lifetimes/datasets/data`` (provenance in
``data/README.md``); each loader passes its keyword arguments to
:func:`pandas.read_csv`, as lifetimes' loaders do.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pandas as pd

__all__ = [
    "load_cdnow_summary",
    "load_cdnow_summary_data_with_monetary_value",
    "load_dataset",
    "load_donations",
    "load_transaction_data",
]

#: lifetimes' file names of the data sets shipped here
FILES = (
    "CDNOW_sample.txt",
    "cdnow_customers_summary.csv",
    "cdnow_customers_summary_with_transactions.csv",
    "donations.csv",
    "example_transactions.csv",
)


def load_dataset(filename: str, **kwargs: Any) -> pd.DataFrame:
    r"""Read one of lifetimes' data files with :func:`pandas.read_csv`.

    Parameters
    ----------
    filename : str
        One of :data:`FILES` (lifetimes' names, for example "CDNOW_sample.txt").
    **kwargs
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    DataFrame

    Raises
    ------
    ValueError
        For a file kamkit does not ship (CDNOW_master.txt is not shipped:
        use :func:`kamkit.datasets.load_cdnow_sample` or your own copy).

    Examples
    --------
    >>> from kamkit.lifetimes.datasets import load_dataset
    >>> load_dataset("donations.csv").shape
    (22, 4)
    """
    if filename not in FILES:
        raise ValueError(f"load_dataset: kamkit ships {', '.join(FILES)}; got {filename!r}")
    path = resources.files(__package__).joinpath("data", filename + ".gz")
    with resources.as_file(path) as file:
        return pd.read_csv(file, compression="gzip", **kwargs)


def load_donations(**kwargs: Any) -> pd.DataFrame:
    """The donations data of Fader, Hardie & Shang (2010): 11,104 donors by pattern (BG/BB).

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``periods``, ``weights``.
    """
    return load_dataset("donations.csv", **kwargs)


def load_cdnow_summary(**kwargs: Any) -> pd.DataFrame:
    """The CDNOW sample's 39-week calibration summary (2,357 customers; weeks).

    Returns
    -------
    DataFrame
        ``ID`` (or the index with ``index_col``), ``frequency``, ``recency``, ``T``.
    """
    return load_dataset("cdnow_customers_summary.csv", **kwargs)


def load_transaction_data(**kwargs: Any) -> pd.DataFrame:
    """Lifetimes' example transaction log: 5,000 simulated customers in 2014.

    Returns
    -------
    DataFrame
        ``date`` (text unless ``parse_dates=["date"]``) and ``id``.
    """
    return load_dataset("example_transactions.csv", **kwargs)


def load_cdnow_summary_data_with_monetary_value(**kwargs: Any) -> pd.DataFrame:
    """The CDNOW calibration summary with mean repeat spend.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T``, ``monetary_value``, indexed by ``customer_id``.
    """
    df = load_dataset("cdnow_customers_summary_with_transactions.csv", **kwargs)
    df.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return df.set_index("customer_id")
