"""The ``kamkit`` command line.

Subcommands: ``demo``, ``summarize``, ``tier``, ``lifecycle``, ``clv`` and
``report``. Input is a CSV, Parquet or Excel transaction log; output is CSV
(to standard output by default) or Parquet. Errors in the input end with one
paragraph on standard error that says what to fix, and a non-zero exit.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from ._errors import EXIT_DATA, EXIT_MISSING_EXTRA, EXIT_OK, EXIT_USAGE, CliError
from ._i18n import message, translate_values
from ._optional import MissingExtraError, require
from ._version import __version__
from .report.files import file_frame, write_csv
from .report.tables import LogColumns, clv_table, tier_table, warning_table

__all__ = ["CliError", "Progress", "build_parser", "main", "read_table", "write_table"]

_CSV = (".csv", ".tsv", ".txt", ".dat")
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst")
_PARQUET = (".parquet", ".pq")
_EXCEL = (".xlsx", ".xlsm", ".xls")


# --------------------------------------------------------------------------- progress


class Progress:
    """Step-by-step progress on standard error, shown only on a terminal.

    Parameters
    ----------
    steps : int
        Number of steps announced.
    stream : text stream, optional
        Where to write (default ``sys.stderr``).
    enabled : bool, optional
        Default: whether ``stream`` is a terminal.
    """

    def __init__(self, steps: int, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.steps = max(1, steps)
        self.done = 0
        self._started = time.perf_counter()
        self._step_started = self._started
        self._open = False

    def __call__(self, what: str) -> None:
        """Announce the next step (closes the previous one)."""
        self._close()
        self.done += 1
        self._step_started = time.perf_counter()
        if self.enabled:
            self.stream.write(f"kamkit: [{self.done}/{self.steps}] {what} ...")
            self.stream.flush()
            self._open = True

    def _close(self) -> None:
        if self._open:
            self.stream.write(f" {time.perf_counter() - self._step_started:.1f} s\n")
            self.stream.flush()
            self._open = False

    def finish(self) -> None:
        """Close the last step."""
        self._close()


# --------------------------------------------------------------------------- input/output


def _suffixes(path: Path) -> tuple[str, str]:
    """(format suffix, compression suffix) of a path, lower case."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSED:
        return (suffixes[-2] if len(suffixes) > 1 else ""), suffixes[-1]
    return (suffixes[-1] if suffixes else ""), ""


def _guess_sep(path: Path) -> str:
    """The separator of a text table whose name does not tell: , tab ; or runs of spaces."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        line = handle.readline()
    for sep in (",", "\t", ";", "|"):
        if sep in line:
            return sep
    return r"\s+"


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a transaction log from CSV (also .tsv/.txt, compressed), Parquet or Excel.

    Raises
    ------
    CliError
        The file is missing, unreadable, of an unknown type, or empty.
    """
    path = Path(path)
    if not path.exists():
        raise CliError(f"the input file {str(path)!r} does not exist; check the path")
    if path.is_dir():
        raise CliError(f"the input {str(path)!r} is a folder; give the path of a file")
    kind, _ = _suffixes(path)
    if kind in _PARQUET:
        require("pyarrow", f"reading {str(path)!r}")
    elif kind in (".xlsx", ".xlsm"):
        require("openpyxl", f"reading {str(path)!r}")
    try:
        if kind in _PARQUET:
            frame = pd.read_parquet(path)
        elif kind in _EXCEL:
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet)
        elif kind in _CSV or kind == "":
            sep = "," if kind == ".csv" else "\t" if kind == ".tsv" else _guess_sep(path)
            frame = pd.read_csv(path, sep=sep)
        else:
            raise CliError(
                f"the input file {str(path)!r} has the unknown type {kind!r}; kamkit reads CSV "
                "(.csv, .tsv, .txt, optionally .gz), Parquet (.parquet) and Excel (.xlsx); "
                "rename the file or convert it"
            )
    except pd.errors.EmptyDataError as exc:
        raise CliError(f"the input file {str(path)!r} is empty; give a file with rows") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        detail = " ".join(str(exc).split())
        raise CliError(
            f"the input file {str(path)!r} cannot be read as {kind or 'CSV'} ({detail}); "
            "check that it is a table with one header row, or convert it to CSV in UTF-8"
        ) from exc
    except (ValueError, OSError) as exc:
        # pyarrow and openpyxl raise these for files that are not what their name says.
        detail = " ".join(str(exc).split())
        raise CliError(
            f"the input file {str(path)!r} cannot be read as {kind or 'CSV'} ({detail}); "
            "check that the file is not damaged and that its extension matches its content"
        ) from exc
    if frame.empty:
        raise CliError(f"the input file {str(path)!r} has no rows; give a file with transactions")
    return frame


def write_table(
    frame: pd.DataFrame,
    out: str | Path | None,
    stdout: TextIO | None = None,
    *,
    per_customer: bool = True,
    lang: str = "en",
    time_unit: str | None = None,
    bom: bool = True,
    customer: Any = None,
) -> str:
    """Write a result as CSV or Parquet (by the suffix); CSV to standard output without a path.

    A per-customer table is laid out by :func:`kamkit.report.files.file_frame`
    (customer id first, named as in the input; ``recency_days``/``T_days``;
    Chinese column names with ``lang="zh"``); CSV money columns get two
    decimals; CSV files are UTF-8 with a byte-order mark unless ``bom`` is
    False (standard output never gets one). Returns where it wrote.
    """
    if per_customer:
        table = file_frame(frame, lang=lang, time_unit=time_unit, customer=customer)
    else:
        table = frame.copy()
        table.attrs = {}
        table.columns = [str(c) for c in table.columns]
        table = table.reset_index()
    if out is None or str(out) == "-":
        write_csv(table, stdout if stdout is not None else sys.stdout)
        return "standard output"
    path = Path(out)
    kind, _ = _suffixes(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if kind in _PARQUET:
        table.columns = [str(c) for c in table.columns]
        require("pyarrow", "writing Parquet")
        table.to_parquet(path, index=False)
    elif kind in _CSV or kind == "":
        write_csv(table, path, sep="\t" if kind == ".tsv" else ",", bom=bom)
    else:
        raise CliError(
            f"the output file {str(path)!r} has the unknown type {kind!r}; write .csv or .parquet"
        )
    return str(path)


def _done(args: argparse.Namespace, rows: int, customers: int, where: str, what: str) -> None:
    """The one-line summary of a subcommand that succeeded, on standard error.

    ``what`` is a key of :func:`kamkit._i18n.name` (``wrote_archive`` ...).
    """
    lang = getattr(args, "lang", "en")
    line = message("summary_line", lang).format(
        rows=f"{rows:,}",
        customers=f"{customers:,}",
        what=message(what, lang),
        where=message(where, lang),
    )
    sys.stderr.write(f"kamkit {args.command}: {line}\n")


def _amount_product(frame: pd.DataFrame, spec: str, source: Any) -> tuple[pd.DataFrame, str]:
    """``--amount A*B``: the product of two numeric columns as a new column named ``A*B``."""
    parts = [p.strip() for p in spec.split("*")]
    if len(parts) != 2 or not all(parts):
        raise CliError(
            f"--amount {spec!r}: expected a column name or a product of two columns such as "
            "Quantity*UnitPrice"
        )
    columns = [str(c) for c in frame.columns]
    values = []
    for part in parts:
        if part not in frame.columns:
            listed = ", ".join(repr(c) for c in columns[:20])
            raise CliError(
                f"the file {str(source)!r} has no column {part!r} (named in --amount {spec!r}); "
                f"its columns are {listed}"
            )
        raw = frame[part]
        if pd.api.types.is_bool_dtype(raw.dtype):
            raise CliError(f"column {part!r} (in --amount): expected numbers, found true/false")
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna()
        if bad.any():
            raise CliError(
                f"column {part!r} (in --amount {spec!r}): expected numbers, found "
                f"{int(bad.sum()):,} of {len(raw):,} rows that are not (first: "
                f"{raw[bad].iloc[0]!r}); fix the values or name another column"
            )
        values.append(num.astype("float64"))
    name_ = f"{parts[0]}*{parts[1]}"
    return frame.assign(**{name_: values[0] * values[1]}), name_


# --------------------------------------------------------------------------- helpers


def _load(args: argparse.Namespace, need_amount: bool = True) -> pd.DataFrame:
    """Read the input and check that the column flags name columns of it."""
    frame = read_table(args.input, getattr(args, "sheet", None))
    args.rows = len(frame)
    if not need_amount and args.amount is None and "amount" in frame.columns:
        args.amount = "amount"  # summarize: the amount column is optional
    if args.amount is not None and "*" in str(args.amount) and args.amount not in frame.columns:
        frame, args.amount = _amount_product(frame, str(args.amount), args.input)
    flags = {"--customer": args.customer, "--date": args.date}
    if need_amount or args.amount is not None:
        flags["--amount"] = args.amount
    if args.margin is not None:
        flags["--margin"] = args.margin
    if getattr(args, "order", None) is not None:
        flags["--order"] = args.order
    columns = [str(c) for c in frame.columns]
    for flag, col in flags.items():
        if col is None:
            raise CliError(f"this command needs {flag} <column>; name the column of the file")
        if col not in frame.columns:
            near = [c for c in columns if c.lower() == str(col).lower()]
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            listed = ", ".join(repr(c) for c in columns[:20])
            raise CliError(
                f"the file {str(args.input)!r} has no column {col!r} (given by {flag}){hint}; "
                f"its columns are {listed}; pass {flag} <column name>"
            )
    if args.date_format:
        raw = frame[args.date]
        parsed = pd.to_datetime(raw.astype("string"), format=args.date_format, errors="coerce")
        bad = parsed.isna() & raw.notna()
        if bad.any():
            first = raw[bad].iloc[0]
            raise CliError(
                f"column {args.date!r}: {int(bad.sum())} values do not match --date-format "
                f"{args.date_format!r} (first: {first!r}); fix the values or the format"
            )
        frame = frame.assign(**{args.date: parsed})
    elif pd.api.types.is_integer_dtype(frame[args.date].dtype):
        # Dates written as numbers such as 19970101.
        raw = frame[args.date]
        parsed = pd.to_datetime(raw.astype("string"), format="%Y%m%d", errors="coerce")
        if parsed.notna().all():
            frame = frame.assign(**{args.date: parsed})
    return frame


def _columns(args: argparse.Namespace) -> LogColumns:
    """The log's columns as the flags name them."""
    return LogColumns(
        args.customer,
        args.date,
        args.amount,
        args.margin,
        args.missing,
        args.observation_end,
        getattr(args, "order", None),
    )


def _shares(text: str | None) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        values = tuple(float(s) for s in text.replace(";", ",").split(",") if s.strip())
    except ValueError as exc:
        raise CliError(
            f"--shares: expected numbers separated by commas, such as 0.01,0.04,0.15,0.80; "
            f"got {text!r}",
            EXIT_USAGE,
        ) from exc
    return values


# --------------------------------------------------------------------------- subcommands


def _cmd_summarize(args: argparse.Namespace) -> int:
    progress = Progress(2)
    progress("reading " + str(args.input))
    frame = _load(args, need_amount=False)
    progress("building the customer archive")
    archive = _columns(args).summarize(
        frame,
        granularity=args.granularity,
        time_unit=args.time_unit,
        value_period=args.value_period,
    )
    progress.finish()
    where = write_table(
        archive, args.out, lang=args.lang, bom=not args.no_bom, customer=args.customer
    )
    _done(args, args.rows, len(archive), where, "wrote_archive")
    return EXIT_OK


def _cmd_tier(args: argparse.Namespace) -> int:
    progress = Progress(3)
    progress("reading " + str(args.input))
    frame = _load(args)
    labels = args.labels
    out = tier_table(
        frame,
        **_columns(args).kwargs(),
        by=args.by,
        labels=labels,
        shares=_shares(args.shares),
        rank_by=args.rank_by,
        lang=args.lang,
        progress=progress,
    )
    progress.finish()
    where = write_table(out, args.out, lang=args.lang, bom=not args.no_bom, customer=args.customer)
    _done(args, args.rows, len(out), where, "wrote_tiers")
    return EXIT_OK


def _cmd_lifecycle(args: argparse.Namespace) -> int:
    from . import lifecycle

    progress = Progress(3)
    progress("reading " + str(args.input))
    frame = _load(args)
    progress("building the period panel")
    panel = _columns(args).period_panel(frame, args.period)
    progress(f"computing {args.what}")
    if args.what == "stages":
        out = lifecycle.lifecycle_stages(panel)
        out = out.apply(lambda col: translate_values(col, args.lang))
    elif args.what == "tiers":
        labels = "zh" if args.lang == "zh" else "vip"
        out = lifecycle.tier_history(panel, labels=labels)
    elif args.what == "transitions":
        stages = lifecycle.lifecycle_stages(panel)
        result = lifecycle.transitions(stages)
        out = result.probabilities if args.probabilities else result.counts
        if args.lang == "zh":
            out = out.rename(index=lambda s: _zh(s), columns=lambda s: _zh(s))
    else:
        found = lifecycle.early_warning(
            frame, customer=args.customer, date=args.date, amount=args.amount,
            order=getattr(args, "order", None), observation_end=args.observation_end,
            missing=args.missing, seed=0,
        )  # fmt: skip
        window = {"M": 12, "Q": 4, "W": 52, "Y": 1}.get(args.period, 12)
        out = warning_table(found, args.period, window=window, lang=args.lang)
    progress.finish()
    out = out.copy()
    out.columns = [str(c) for c in out.columns]
    per_customer = args.what != "transitions"
    where = write_table(
        out,
        args.out,
        lang=args.lang,
        per_customer=per_customer,
        bom=not args.no_bom,
        customer=args.customer,
    )
    customers = panel.shape[0]
    what = "wrote_tier_history" if args.what == "tiers" else f"wrote_{args.what}"
    _done(args, args.rows, customers, where, what)
    return EXIT_OK


def _zh(term: Any) -> Any:
    from ._i18n import label

    return label(str(term), "zh")


def _cmd_clv(args: argparse.Namespace) -> int:
    progress = Progress(5 if args.model == "auto" else 4)
    progress("reading " + str(args.input))
    frame = _load(args)
    out = clv_table(
        frame,
        **_columns(args).kwargs(margin=False),
        model=args.model,
        horizon_months=args.horizon,
        discount_rate=args.discount_rate,
        progress=progress,
    )
    progress.finish()
    if args.model == "auto":
        sys.stderr.write(f"kamkit clv: purchase model {out.attrs['model_reason']}\n")
    where = write_table(
        out, args.out, lang=args.lang, time_unit="W", bom=not args.no_bom, customer=args.customer
    )
    _done(args, args.rows, len(out), where, "wrote_clv")
    return EXIT_OK


def _write_report(report: Any, out: Path, args: argparse.Namespace) -> None:
    paths = report.write(out, bom=not getattr(args, "no_bom", False))
    listed = ", ".join(str(p) for p in paths)
    n = report.numbers
    rows = getattr(args, "rows", None) or int(n.get("transactions", 0))
    _done(args, rows, int(n.get("customers", 0)), listed, "wrote_report")


def _cmd_backtest(args: argparse.Namespace) -> int:
    from .backtest import backtest

    progress = Progress(2)
    progress("reading " + str(args.input))
    frame = _load(args)
    progress("replaying the log")
    card = backtest(
        frame, customer=args.customer, date=args.date, amount=args.amount,
        cutoffs=args.cutoff or None, horizon=args.horizon, drop=args.drop,
        share=args.share, seed=args.seed, n_cutoffs=args.n_cutoffs,
        observation_end=args.observation_end, missing=args.missing,
        parts=args.parts.split(","),
    )  # fmt: skip
    progress.finish()
    card = card.copy()
    card["cutoff"] = card["cutoff"].dt.strftime("%Y-%m-%d")
    write_table(card.set_index("cutoff"), args.out)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from . import report as _report

    progress = Progress(_report.N_STEPS + 1)
    progress("reading " + str(args.input))
    frame = _load(args)
    rep = _report.build_report(
        frame,
        **_columns(args).kwargs(),
        period=args.period,
        lang=args.lang,
        title=args.title,
        source=Path(args.input).name,
        progress=progress,
    )
    progress.finish()
    _write_report(rep, Path(args.out), args)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import report as _report
    from .datasets import load_cdnow_sample

    progress = Progress(_report.N_STEPS + 1)
    progress("loading the CDNOW sample")
    log = load_cdnow_sample()
    rep = _report.build_report(
        log,
        customer="customer_id",
        date="date",
        amount="amount",
        period="M",
        lang=args.lang,
        title=None,
        source="CDNOW sample (kamkit.datasets.load_cdnow_sample)",
        progress=progress,
    )
    progress.finish()
    print(_demo_summary(rep.numbers, args.lang))
    args.rows = len(log)
    _write_report(rep, Path(args.out), args)
    return EXIT_OK


def _demo_summary(n: dict[str, Any], lang: str = "en") -> str:
    """What a newcomer should see: the key figures of the report, in a few lines."""
    from ._i18n import label

    lines = [
        message("demo_title", lang),
        message("demo_purchases", lang).format(
            transactions=f"{n['transactions']:,}",
            customers=f"{n['customers']:,}",
            first=f"{n['first']:%Y-%m-%d}",
            last=f"{n['last']:%Y-%m-%d}",
            revenue=f"${n['revenue']:,.2f}",
        ),
        message("demo_concentration", lang).format(
            gini=f"{n['gini']:.3f}",
            top20=f"{n['top20_share']:.1%}",
            pareto=f"{n['pareto_point']:.1%}",
        ),
    ]
    tiers = n.get("tiers") or {}
    if tiers:
        sep = "，" if lang == "zh" else ", "
        parts = sep.join(f"{label(k, lang)} {t['customers']:,}" for k, t in tiers.items())
        lines.append(message("demo_pyramid", lang).format(parts=parts))
    if "warnings" in n:
        lines.append(
            message("demo_warning", lang).format(
                warnings=f"{n['warnings']:,}", value=f"${n['expected_loss']:,.0f}"
            )
        )
    if "clv_total" in n:
        lines.append(message("demo_clv", lang).format(clv=f"${n['clv_total']:,.0f}"))
    return "\n".join(lines)


# --------------------------------------------------------------------------- parser


def _input_flags(p: argparse.ArgumentParser, amount_default: str | None = "amount") -> None:
    p.add_argument("input", help="transaction log: .csv/.tsv/.txt (may be .gz), .parquet or .xlsx")
    p.add_argument("--customer", default="customer_id", help="customer id column")
    p.add_argument("--date", default="date", help="purchase date column")
    p.add_argument(
        "--amount",
        default=amount_default,
        help="sales amount column, or the product of two columns such as Quantity*UnitPrice "
        "(default 'amount'" + ("" if amount_default else ", when the file has one") + ")",
    )
    p.add_argument("--margin", default=None, help="profit margin column (optional)")
    p.add_argument(
        "--order",
        default=None,
        metavar="COL",
        help="order (invoice) id column: all lines of one order form one transaction, "
        "dated at its first line (default: each row is a transaction)",
    )
    p.add_argument(
        "--missing",
        choices=("raise", "drop"),
        default="raise",
        help="rows without id, date or amount: stop with an error (default) or drop them",
    )
    p.add_argument(
        "--date-format", default=None, help="strftime format of the dates, e.g. %%Y%%m%%d"
    )
    p.add_argument("--sheet", default=None, help="Excel sheet name (default: the first)")
    p.add_argument("--observation-end", default=None, help="end of the observation (a date)")
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="labels and CSV column names in English or Chinese",
    )
    _bom_flag(p)


def _bom_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-bom",
        action="store_true",
        help="write CSV files as plain UTF-8, without the byte-order mark that lets Excel on "
        "Windows read them (default: with it)",
    )


def _out_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out", "-o", default=None, help="output .csv or .parquet (default: CSV to stdout)"
    )


class _Renamed(argparse.Action):
    """A flag with a deprecated second name, which still works and says so."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if option_string is not None and option_string != self.option_strings[0]:
            sys.stderr.write(
                f"{parser.prog}: warning: {option_string} is deprecated; use "
                f"{self.option_strings[0]}\n"
            )
        setattr(namespace, self.dest, values)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kamkit``."""
    parser = argparse.ArgumentParser(
        prog="kamkit",
        description="Key-account management analytics on transaction logs: customer archive, "
        "pyramid tiers, lifecycle, early warning, lifetime value and a report.",
    )
    parser.add_argument("--version", action="version", version=f"kamkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="run the whole pipeline on the bundled CDNOW sample and write a report"
    )
    demo.add_argument(
        "--out", "-o", default="kamkit-demo", help="output folder (default kamkit-demo)"
    )
    demo.add_argument("--lang", choices=("en", "zh"), default="en", help="report language")
    _bom_flag(demo)
    demo.set_defaults(func=_cmd_demo)

    summ = sub.add_parser("summarize", help="the customer archive: one row per customer")
    _input_flags(summ, amount_default=None)
    summ.add_argument(
        "--granularity",
        "--freq",
        action=_Renamed,
        choices=("D", "W", "M", "Q", "Y"),
        default="D",
        help="purchases in one such period count once (--freq: deprecated name)",
    )
    summ.add_argument("--time-unit", choices=("D", "W"), default="D")
    summ.add_argument(
        "--value-period",
        "--period",
        action=_Renamed,
        choices=("M", "Q", "Y"),
        default="Q",
        help="periods of avg_period_revenue and growth (--period: deprecated name)",
    )
    _out_flag(summ)
    summ.set_defaults(func=_cmd_summarize)

    tier = sub.add_parser("tier", help="value score, pyramid tier and RFM segment per customer")
    _input_flags(tier)
    tier.add_argument(
        "--by",
        choices=("count", "value"),
        default="count",
        help="cut tiers by share of customers (pyramid) or of value (ABC)",
    )
    tier.add_argument("--labels", choices=("vip", "metal", "abcd"), default="vip")
    tier.add_argument(
        "--shares", default=None, help="tier shares, top tier first: 0.01,0.04,0.15,0.80"
    )
    tier.add_argument(
        "--rank-by",
        choices=("revenue", "score"),
        default="revenue",
        help="rank customers by net revenue or by the value score",
    )
    _out_flag(tier)
    tier.set_defaults(func=_cmd_tier)

    life = sub.add_parser(
        "lifecycle", help="lifecycle stages, tiers per period, transitions, warnings"
    )
    _input_flags(life)
    life.add_argument("--period", choices=("W", "M", "Q", "Y"), default="M")
    life.add_argument(
        "--what", choices=("stages", "tiers", "transitions", "warnings"), default="stages"
    )
    life.add_argument(
        "--probabilities",
        action="store_true",
        help="with --what transitions: probabilities instead of counts",
    )
    _out_flag(life)
    life.set_defaults(func=_cmd_lifecycle)

    clv = sub.add_parser("clv", help="P(alive), expected purchases and lifetime value per customer")
    _input_flags(clv)
    clv.add_argument(
        "--model",
        choices=("auto", "bgnbd", "mbgnbd", "pareto"),
        default="auto",
        help="purchase model (default auto: the best on a 91-day holdout, named on stderr)",
    )
    clv.add_argument("--horizon", type=int, default=12, help="whole months ahead (default 12)")
    clv.add_argument("--discount-rate", type=float, default=0.01, help="per month (default 0.01)")
    _out_flag(clv)
    clv.set_defaults(func=_cmd_clv)

    bt = sub.add_parser(
        "backtest", help="replay the log: score the warnings and the models against what happened"
    )
    _input_flags(bt)
    bt.add_argument("--horizon", type=int, default=90, help="days ahead (default 90)")
    bt.add_argument("--drop", type=float, default=0.5, help="fall of spend that counts (0.5)")
    bt.add_argument("--share", type=float, default=0.2, help="share of active customers listed")
    bt.add_argument("--cutoff", action="append", help="a cut date (repeat; default: the last 3)")
    bt.add_argument("--n-cutoffs", type=int, default=3, help="number of default cut dates")
    bt.add_argument("--seed", type=int, default=0)
    bt.add_argument(
        "--parts", default="warning,btyd,clv,tiers", help="comma-separated parts to score"
    )
    _out_flag(bt)
    bt.set_defaults(func=_cmd_backtest)

    rep = sub.add_parser("report", help="write the HTML report for your own log")
    _input_flags(rep)
    rep.add_argument("--period", choices=("M", "Q"), default="M", help="lifecycle periods")
    rep.add_argument("--title", default=None)
    rep.add_argument("--out", "-o", default="kamkit-report", help="output folder")
    rep.set_defaults(func=_cmd_report)
    return parser


def _paragraph(command: str | None, message: str, kind: str = "error") -> str:
    prefix = f"kamkit {command}: {kind}: " if command else f"kamkit: {kind}: "
    text = " ".join(message.split())
    width = 100
    return textwrap.fill(prefix + text, width=width) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kamkit`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)

    seen: set[str] = set()

    def show(message: Any, category: Any, *rest: Any, **kw: Any) -> None:
        # Warnings as one line each, like the errors, without file names; a
        # warning raised again by a later step (the same text) is not repeated.
        text = str(message)
        if text in seen:
            return
        seen.add(text)
        sys.stderr.write(_paragraph(args.command, text, "warning"))

    try:
        with warnings.catch_warnings(), pd.option_context("display.width", 120):
            warnings.showwarning = show
            return int(args.func(args))
    except CliError as exc:
        sys.stderr.write(_paragraph(args.command, str(exc)))
        return exc.code
    except (ValueError, TypeError) as exc:
        # kamkit's input checks: the message names the column and the fix.
        message = str(exc).replace("pass missing='drop'", "pass --missing drop")
        sys.stderr.write(_paragraph(args.command, message))
        return EXIT_DATA
    except MissingExtraError as exc:
        # An optional package is missing; the message names the extra to install.
        sys.stderr.write(_paragraph(args.command, str(exc)))
        return EXIT_MISSING_EXTRA
    except ImportError as exc:
        sys.stderr.write(
            _paragraph(
                args.command,
                f"this command needs a package that is not installed ({exc}); install it with pip",
            )
        )
        return EXIT_MISSING_EXTRA
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error of the input.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        sys.stderr.write(
            _paragraph(
                args.command,
                f"cannot read or write{where}: {exc.strerror or exc}; check the path and its "
                "permissions",
            )
        )
        return EXIT_DATA
    except KeyboardInterrupt:
        sys.stderr.write("kamkit: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
