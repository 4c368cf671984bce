"""kamkit on Dask: the same functions on ``dask.dataframe`` collections.

Install with ``pip install "kamkit[dask]"``. The functions have the names
and arguments of their ``kamkit`` twins and give the same results:

- per customer (:func:`summarize`, :func:`calibration_holdout`,
  :func:`period_panel`): the log is shuffled by customer (skipped with
  ``partitioned_by_customer=True``), each bucket goes through the
  single-machine function with the global pieces (the observation end, the
  first period) passed explicitly, and the result is a lazy dask DataFrame
  with one partition per bucket;
- per value (:func:`pyramid`, :func:`value_score`): a few passes over the
  column gather exact global statistics (a mergeable histogram and the
  values of the buckets that hold a cut; ranges; medians), then a lazy
  per-partition map scores every customer;
- small results (:func:`concentration`, the fitted models) come back as the
  pandas-side objects.

The models accept a dask archive too: ``kamkit.BetaGeo().fit(archive)``
fits on the distinct (frequency, recency, T) rows and their counts, summed
over the partitions; predictions on a dask archive are lazy dask Series.

The global passes read their input once each: persist the archive
(``archive = archive.persist()``) before scoring or tiering it, so that it
is not recomputed from the log for every pass.
"""

from __future__ import annotations

from .._validation import DASK_HOOKS
from ._api import (
    calibration_holdout,
    concentration,
    lifecycle_stages,
    period_panel,
    pyramid,
    rfm_scores,
    summarize,
    transitions,
    value_score,
)
from ._models import fit_rfm, fit_spend, predict

DASK_HOOKS.update(fit_rfm=fit_rfm, fit_spend=fit_spend, predict=predict)

__all__ = [
    "calibration_holdout",
    "concentration",
    "lifecycle_stages",
    "period_panel",
    "pyramid",
    "rfm_scores",
    "summarize",
    "transitions",
    "value_score",
]
