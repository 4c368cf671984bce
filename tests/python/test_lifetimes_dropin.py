"""kamkit.lifetimes keeps lifetimes' import paths, names and persistence."""

from __future__ import annotations

import pandas as pd
import pytest

import kamkit
from kamkit import lifetimes as kl


def test_import_paths_and_shared_implementation():
    from kamkit.lifetimes.utils import (  # noqa: F401
        calibration_and_holdout_data,
        summary_data_from_transaction_data,
    )

    assert issubclass(kl.BetaGeoFitter, kamkit.BetaGeo)
    assert issubclass(kl.GammaGammaFitter, kamkit.GammaGamma)
    assert issubclass(kl.BetaGeoBetaBinomFitter, kamkit.BetaGeoBetaBinom)
    assert issubclass(kl.ParetoNBDFitter, kamkit.ParetoNBD)


def test_fitter_attributes_and_save_load(data_dir, tmp_path):
    d = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary.csv")
    f = kl.BetaGeoFitter(penalizer_coef=0.0).fit(d["frequency"], d["recency"], d["T"])
    assert repr(f).startswith("<kamkit.lifetimes.BetaGeoFitter: fitted with 2357 subjects, a: 0.79")
    assert list(f.confidence_intervals_.columns) == ["lower 95% bound", "upper 95% bound"]
    assert f.variance_matrix_.shape == (4, 4)
    assert f.conditional_probability_alive_matrix(5, 10).shape == (11, 6)
    path = tmp_path / "bg.pkl"
    f.save_model(str(path))
    g = kl.BetaGeoFitter()
    g.load_model(str(path))
    pd.testing.assert_series_equal(g.params_, f.params_)
    with pytest.raises(ValueError, match="not been fit"):
        kl.BetaGeoFitter()._unload_params("r")
