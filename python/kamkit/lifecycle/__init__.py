"""The customer lifecycle over calendar periods.

Customers move through identification (识别期), development (发展期),
stability (稳定期) and decline (衰退期), then churn or come back. The modules
of this package form a one-way stack, each importing only from those above
it in this list:

==============  ==============================================================
``panel``       the customers x periods panel of revenue (:func:`period_panel`,
                :func:`update_panel`)
``stages``      lifecycle stages read off the panel (:func:`lifecycle_stages`)
``tiers``       pyramid tiers per period (:func:`tier_history`)
``markov``      moves between periods and Markov chains (:func:`transitions`,
                :class:`MarkovChain`, with the customer-migration value of
                Pfeifer and Carraway)
``risk``        the probability of a decline in spend (:func:`decline_risk`)
``warning``     the early-warning work list (:func:`early_warning`)
``candidates``  upgrade and phase-out candidates
==============  ==============================================================
"""

from __future__ import annotations

from .candidates import phase_out_candidates, upgrade_candidates
from .markov import MarkovChain, Transitions, transitions
from .panel import period_panel, update_panel
from .risk import InsufficientHistoryWarning, decline_risk, register_warning_reason
from .stages import STAGES, StageRules, lifecycle_stages, stage_strategies
from .tiers import tier_history
from .warning import WARNING_REASONS, early_warning

__all__ = [
    "STAGES",
    "WARNING_REASONS",
    "InsufficientHistoryWarning",
    "MarkovChain",
    "StageRules",
    "Transitions",
    "decline_risk",
    "early_warning",
    "lifecycle_stages",
    "period_panel",
    "phase_out_candidates",
    "stage_strategies",
    "tier_history",
    "transitions",
    "update_panel",
    "register_warning_reason",
    "upgrade_candidates",
]
