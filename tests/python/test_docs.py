"""The documentation's hand-written pages agree with the code they describe."""

from __future__ import annotations

from pathlib import Path

import kamkit
from kamkit import _i18n

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_glossary_lists_every_chinese_label():
    # The terms: tiers, stages and segments, the early-warning reasons and the
    # service-policy dimensions (not the command line's messages).
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    labels = dict(_i18n._ZH)
    keys = [*kamkit.WARNING_REASONS, *kamkit.service_policies().columns, "yes", "no"]
    labels.update({key: _i18n.name(key, "zh") for key in keys})
    missing = {key: zh for key, zh in labels.items() if zh not in text}
    assert not missing, f"docs/glossary.md lacks these labels of kamkit._i18n: {missing}"
    english = [key for key in _i18n._ZH if key not in text]
    assert not english, f"docs/glossary.md lacks these terms: {english}"
