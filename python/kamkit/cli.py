"""The ``kamkit`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from . import __version__
from .archive import summarize
from .datasets import load_cdnow_sample


def _demo(args: argparse.Namespace) -> int:
    log = load_cdnow_sample()
    archive = summarize(log, "customer_id", "date", "amount", period="Q")
    revenue = archive["revenue"].sort_values(ascending=False)
    top = max(1, round(0.2 * len(revenue)))
    share = revenue.iloc[:top].sum() / revenue.sum()
    lines = [
        "kamkit demo: the CDNOW sample (Hardie's 1/10th sample of CDNOW's 1997 cohort)",
        f"  transactions : {len(log):,} rows, {log['date'].min():%Y-%m-%d} .. "
        f"{log['date'].max():%Y-%m-%d}",
        f"  customers    : {len(archive):,}",
        f"  revenue      : ${archive['revenue'].sum():,.2f}",
        f"  repeat buyers: {(archive['frequency'] > 0).sum():,} "
        f"({(archive['frequency'] > 0).mean():.1%})",
        f"  top 20% of customers bring {share:.1%} of revenue",
        "",
        "customer archive (客户档案), top 5 by revenue:",
        archive.loc[revenue.index[:5], ["frequency", "recency", "T", "monetary_value", "revenue"]]
        .round(2)
        .to_string(),
    ]
    print("\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kamkit", description="Key-account management analytics on transaction logs."
    )
    parser.add_argument("--version", action="version", version=f"kamkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the pipeline on the bundled CDNOW sample")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kamkit`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with pd.option_context("display.width", 120):
        return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
