"""HTML summaries of result objects in Jupyter."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd

import kamkit
from kamkit import _display


def test_card_lays_out_facts_and_tables():
    table = pd.DataFrame({"x": range(20)})
    html = _display.card("Title <b>", [("gini", 0.63091), ("n", 2357)], [("caption", table)], 5)
    assert "Title &lt;b&gt;" in html  # escaped
    assert "0.6309" in html and "2,357" in html
    assert "caption" in html and "15 more rows" in html
    assert "<script" not in html


def test_install_only_where_missing():
    class Concentration:  # a stand-in with the attributes of kamkit's result
        gini = 0.4
        n = 5

        def top_share(self, p):
            return {0.01: 0.1, 0.05: 0.2, 0.2: 0.5, 0.5: 0.8}[p]

        def pareto_point(self, v=0.8):
            return 0.5

    class MarkovChain:
        def _repr_html_(self):
            return "own"

    namespace = types.SimpleNamespace(Concentration=Concentration, MarkovChain=MarkovChain)
    done = _display.install(namespace)
    assert done == ["Concentration"]
    html = Concentration()._repr_html_()
    assert "Gini" in html and "50.0%" in html
    assert MarkovChain()._repr_html_() == "own"


def test_a_failing_summary_falls_back_to_the_repr():
    class Transitions:
        counts = None  # breaks the renderer

    namespace = types.SimpleNamespace(Transitions=Transitions)
    _display.install(namespace)
    assert Transitions()._repr_html_() is None  # Jupyter then shows the plain repr


def test_concentration_result_in_jupyter():
    result = kamkit.concentration(pd.Series([1.0, 2.0, 3.0, 4.0, 10.0]))
    html = result._repr_html_()
    assert "0.4" in html  # the Gini of the hand example
    assert "50.0%" in html  # the top 20 % (one of five) brings 10 / 20


def test_transitions_and_markov_chain_in_jupyter():
    states = pd.DataFrame({"p1": ["a", "a", "b"], "p2": ["a", "b", "b"]})
    moves = kamkit.transitions(states)
    html = moves._repr_html_()
    assert "moves counted: <b>3</b>" in html
    chain = kamkit.MarkovChain(np.array([[0.9, 0.1], [0.0, 1.0]]))
    assert "transition matrix" in chain._repr_html_()


def test_fitted_models_have_an_html_summary():
    log = kamkit.datasets.load_cdnow_sample()
    summary = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
    model = kamkit.BetaGeo().fit(summary)
    html = model._repr_html_()
    assert "2,357" in html and "log-likelihood" in html


def test_report_in_jupyter():
    from kamkit.report import Report

    rep = Report(html="<p>x & y</p>", tiers=pd.DataFrame(), warnings=None)
    assert rep._repr_html_().startswith("<iframe srcdoc=")
    assert "&lt;p&gt;x &amp; y&lt;/p&gt;" in rep._repr_html_()


def test_kmeans_and_assignment_in_jupyter():
    archive = kamkit.summarize(kamkit.datasets.load_cdnow_sample(), amount="amount")
    segments = kamkit.kmeans_segments(archive[["frequency", "revenue"]], 3)
    html = segments._repr_html_()
    assert "clusters: <b>3</b>" in html and f"{segments.inertia:,.4g}" in html
    archive["tier"] = kamkit.pyramid(archive["revenue"])
    plan = kamkit.assign_managers(archive, managers=130)
    html = plan._repr_html_()
    # 24 VIP + 94 major key accounts; 2,239 others over 12 pooled managers: at most 187 each
    assert "key accounts with their own manager: <b>118</b>" in html
    assert "largest pooled load: <b>187</b>" in html
