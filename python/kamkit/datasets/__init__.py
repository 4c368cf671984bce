"""Data sets for examples, teaching and benchmarks.

- :func:`load_cdnow_sample`: the CDNOW 1/10th sample (real purchases), shipped
  inside the package.
- :func:`simulate_transactions`: deterministic synthetic logs of any size.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from ._simulate import simulate_transactions

__all__ = ["CDNOW_CITATION", "load_cdnow_sample", "simulate_transactions"]

CDNOW_CITATION = (
    "CDNOW 1/10th sample, published by Bruce G. S. Hardie (brucehardie.com, datasets; "
    "note 026, 'Notes on the CDNOW Master Data Set'). Cite: Fader, P. S., Hardie, B. G. S. "
    "and Lee, K. L. (2005), 'Counting Your Customers the Easy Way: An Alternative to the "
    "Pareto/NBD Model', Marketing Science 24(2), 275-284; and Fader, Hardie and Lee (2005), "
    "'RFM and CLV: Using Iso-value Curves for Customer Base Analysis', Journal of Marketing "
    "Research 42(4), 415-430."
)


def load_cdnow_sample() -> pd.DataFrame:
    """The CDNOW sample transaction log: 6,919 purchases of 2,357 customers.

    CDNOW was a US online music retailer. The sample holds every purchase, up
    to 1998-06-30, of 2,357 of the 23,570 customers who made their first
    purchase in the first quarter of 1997. It is the data behind the
    published BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma examples; the
    calibration period of those papers ends on 1997-09-30 (39 weeks).

    The data set comes from Bruce Hardie's site (it has no explicit license:
    it is published for research and teaching; cite the papers in
    :data:`CDNOW_CITATION`).

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (int64, 1..2357, the sample's ids),
        ``date`` (datetime64[ns], day resolution), ``quantity`` (int64, CDs
        bought) and ``amount`` (float64, US dollars). One row per order; a
        customer may have several orders on one day. ``attrs["source"]``
        holds the citation.

    Examples
    --------
    >>> from kamkit.datasets import load_cdnow_sample
    >>> log = load_cdnow_sample()
    >>> len(log), log["customer_id"].nunique()
    (6919, 2357)
    """
    path = resources.files(__package__).joinpath("data").joinpath("cdnow_sample.csv.gz")
    with resources.as_file(path) as file:
        frame = pd.read_csv(
            file,
            dtype={"customer_id": "int64", "quantity": "int64", "amount": "float64"},
            parse_dates=["date"],
            date_format="%Y-%m-%d",
        )
    frame["date"] = frame["date"].astype("datetime64[ns]")
    frame.attrs["source"] = CDNOW_CITATION
    return frame
