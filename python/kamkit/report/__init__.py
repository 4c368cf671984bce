"""The kamkit report: one self-contained HTML file a manager can read.

:func:`build_report` runs the pipeline on a transaction log (archive,
pyramid, concentration, RFM, tier migration, lifecycle, early warning,
lifetime value, service policies) and lays the results out in numbered
sections. Figures are SVG embedded as data URIs; the file fetches nothing.
Every number printed comes from kamkit's functions.

Returns and customers with zero or negative net revenue follow one stated
policy, printed in the report (see :data:`POLICY`).

==============  ===============================================================
``sections``    one function per section, registered in page order
``page``        :class:`Report`, :func:`build_report` and the page template
``tables``      the per-customer tables the report and the command line share
``_strings``    the words in English and Chinese (section titles unnumbered)
==============  ===============================================================
"""

from __future__ import annotations

from ._strings import POLICY
from .page import N_STEPS, Report, build_report
from .tables import clv_table, value_scores

__all__ = ["N_STEPS", "POLICY", "Report", "build_report", "clv_table", "value_scores"]
