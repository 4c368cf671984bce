"""Regenerate the results table of benchmarks/README.md from benchmarks/results/*.json.

    python benchmarks/make_table.py          # rewrite the README between the markers
    python benchmarks/make_table.py --check  # exit 1 when the README is out of date

Only the text between ``<!-- results:start -->`` and ``<!-- results:end -->``
is replaced.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
START = "<!-- results:start -->"
END = "<!-- results:end -->"
ROLE_ORDER = {"floor": 0, "kamkit": 1, "baseline": 2, "variant": 3, "reference": 4}


def _fmt_s(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:.0f}"
    if seconds >= 10:
        return f"{seconds:.1f}"
    if seconds >= 0.1:
        return f"{seconds:.2f}"
    return f"{seconds:.3f}"


def _fmt_ratio(x: float) -> str:
    return f"{x:.0f}x" if x >= 10 else f"{x:.1f}x" if x >= 1 else f"{x:.2f}x"


def _fmt_rows(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def _versions(v: dict[str, Any]) -> str:
    keys = ("kamkit", "numpy", "pandas", "scikit-learn", "python")
    parts = [f"{k} {v[k]}" for k in keys if v.get(k)]
    if v.get("kamkit_revision"):
        parts[0] += f" ({v['kamkit_revision']})"
    lt = v.get("lifetimes_env")
    if lt and lt.get("lifetimes"):
        parts.append(
            f"lifetimes {lt['lifetimes']} (own environment: numpy {lt.get('numpy')}, "
            f"pandas {lt.get('pandas')})"
        )
    return ", ".join(parts)


def area_table(data: dict[str, Any]) -> str:
    """Markdown for one results file: a table per input, biggest input first."""
    lines = [f"### {data['title']}", ""]
    m = data["machine"]
    lines.append(
        f"Measured {data['date'][:10]} on {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB; "
        f"{_versions(data['versions'])}."
    )
    load = m.get("load_average_1min")
    if load and max(load) > 0.5 * m["cores"]:
        lines.append(
            f"The machine was shared during the run (1-minute load average {load[0]:.1f} at the "
            f"start, {load[1]:.1f} at the end, on {m['cores']} cores): the wall times are noisy."
        )
    lines.append("")
    inputs = data["inputs"]
    order = sorted(inputs, key=lambda name: -inputs[name]["rows"])
    results = data["results"]
    for name in order:
        rows = [r for r in results if r.get("input") == name and "time_s" in r]
        if not rows:
            continue
        info = inputs[name]
        mb_in = info["bytes"] / 2**20
        kamkit = next((r for r in rows if r["role"] == "kamkit"), None)
        lines.append(
            f"**{_fmt_rows(info['rows'])} rows, {_fmt_rows(info['customers'])} customers** "
            f"(input {mb_in:.0f} MB):"
        )
        lines.append("")
        lines.append(
            "| contender | time (s) | time / kamkit | extra peak memory (MB) | memory / input |"
        )
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        summary = data.get("summary", {}).get(name, {})
        fastest = summary.get("pandas_fastest")
        fastest_groupby = summary.get("groupby_fastest")
        rows.sort(key=lambda r: (ROLE_ORDER.get(r["role"], 9), r["time_s"]))
        for r in rows:
            label = f"`{r['name']}`: {r['label']}"
            if r["name"] == fastest:
                label += " (**fastest pandas**)"
            if r["name"] == fastest_groupby and fastest_groupby != fastest:
                label += " (**fastest pandas groupby**)"
            if r.get("extrapolated"):
                label += " (*extrapolated*)"
            # A record may name the kamkit record it is compared with ("vs").
            ref = next((q for q in rows if q["name"] == r.get("vs")), kamkit)
            if r.get("vs") and r["vs"] != r["name"]:
                label += f" (vs `{ref['name']}`)"
            ratio = _fmt_ratio(r["time_s"] / ref["time_s"]) if ref else ""
            mem = r["extra_peak_mb"]
            lines.append(
                f"| {label} | {_fmt_s(r['time_s'])} | {ratio} | {mem:.0f} | {mem / mb_in:.2f} |"
            )
        lines.append("")
        failed = [r for r in results if r.get("input") == name and "error" in r]
        for r in failed:
            lines.append(f"- `{r['name']}` did not finish: {r['error'][:200]}")
        if failed:
            lines.append("")
    for note in data.get("notes", []):
        lines.append(f"- {note}")
    if data.get("check_disagreements"):
        lines.append("- Contenders disagree: " + "; ".join(data["check_disagreements"]))
    elif data.get("check_note"):
        lines.append(f"- {data['check_note']}")
    else:
        lines.append(
            "- All contenders agree on their common check figures (customers, rows, "
            "revenue, first/last dates, frequency/recency/T/monetary sums)."
        )
    lines.append("")
    return "\n".join(lines)


def _load_note(load: Any) -> str:
    if isinstance(load, (list, tuple)) and load:
        busy = float(load[0]) > 1.0
        return f" (1-minute load average {float(load[0]):.1f} on 2 cores" + (
            ": the machine was shared, wall times are noisy)" if busy else ", otherwise idle)"
        )
    return ""


def lifecycle_table(d: dict[str, Any]) -> str:
    """bench_lifecycle.py: panel + stages + transitions against pandas."""
    inp = d["input"]
    lines = [
        f"### Lifecycle: {d.get('task', 'panel + stages + transitions')}",
        "",
        f"Measured {str(d.get('date', ''))[:10]}; {_fmt_rows(inp['rows'])} rows, "
        f"{_fmt_rows(inp['customers'])} customers, {inp.get('periods', 24)} months"
        + _load_note(
            d.get("machine", {}).get("load_average")
            or d["contenders"]["kamkit"].get("load_average_1_5_15min", {}).get("before")
        )
        + ".",
        "",
        "| contender | time (s) | time / kamkit | extra peak memory (MB) |",
        "| --- | ---: | ---: | ---: |",
    ]
    c = d["contenders"]
    k = c["kamkit"]["best_seconds"]
    for name in sorted(c, key=lambda n: ROLE_ORDER.get(c[n].get("role"), 9)):
        r = c[name]
        lines.append(
            f"| {r['label']} | {_fmt_s(r['best_seconds'])} | {_fmt_ratio(r['best_seconds'] / k)} "
            f"| {r['extra_peak_mb']:.0f} |"
        )
    agree = "agree" if d.get("results_agree") else "DISAGREE"
    lines += ["", f"- Both give the same stage counts and transition matrices: {agree}.", ""]
    return "\n".join(lines)


def scoring_table(d: dict[str, Any]) -> str:
    """bench_scoring.py: value score + pyramid + concentration, and k-means."""
    lines = [
        "### Scoring and tiering",
        "",
        f"Measured {str(d.get('date', ''))[:10]}; {_fmt_rows(d['customers'])} customers"
        + _load_note(d.get("machine", {}).get("load_average"))
        + ".",
        "",
        "| contender | best time (s) | extra peak memory (MB) |",
        "| --- | ---: | ---: |",
    ]
    for name, r in d["results"].items():
        mem = r.get("extra_peak_rss_mib", r.get("extra_peak_mb", float("nan")))
        lines.append(f"| {name} | {_fmt_s(r['best'])} | {mem:.0f} |")
    lines.append("")
    for name, ratio in d.get("ratios", {}).items():
        lines.append(f"- {name}: **{_fmt_ratio(ratio)}**")
    if "kmeans_inertia_rel_diff" in d:
        lines.append(
            f"- k-means inertia relative to scikit-learn's: {d['kmeans_inertia_rel_diff']:+.1e}"
        )
    lines.append("")
    return "\n".join(lines)


def models_table(d: dict[str, Any]) -> str:
    """bench_models.py: BG/NBD (and Pareto/NBD) fit and predictions against lifetimes."""
    lines = [
        "### Lifetime-value models",
        "",
        f"{_fmt_rows(d['customers'])} customers; {d.get('data', '')}"
        + _load_note(d.get("machine", {}).get("load_average_1_5_15min_at_start"))
        + ".",
        "",
        "| model, contender | fit (s) | one evaluation | predict (s) | log-likelihood |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    ll = d.get("log_likelihood", {})
    for key in ("kamkit_bg_nbd", "kamkit_bg_nbd_passive"):
        r = d.get(key)
        if isinstance(r, dict):
            label = "BG/NBD, kamkit" + (" (OMP_WAIT_POLICY=PASSIVE)" if "passive" in key else "")
            lines.append(
                f"| {label} | {_fmt_s(r['fit_s'])} | {r['eval_order2_ns_per_row']:.0f} ns/row "
                f"with Hessian | {_fmt_s(r['predict_s'])} | {r['log_likelihood']:.2f} |"
            )
    lt = d.get("lifetimes_bg_nbd")
    if isinstance(lt, dict):
        lines.append(
            f"| BG/NBD, lifetimes | {_fmt_s(lt['fit_s'])} | {_fmt_s(lt['eval_s'])} s "
            f"(value and gradient) | {_fmt_s(lt['predict_s'])} | "
            f"{ll.get('lifetimes', float('nan')):.2f} |"
        )
    lines.append("")
    for key, sp in d.get("speedup", {}).items():
        parts = ", ".join(f"{k.replace('_', ' ')} {_fmt_ratio(v)}" for k, v in sp.items())
        lines.append(f"- {key}: {parts}")
    pareto = d.get("pareto_nbd")
    if isinstance(pareto, dict) and isinstance(pareto.get("kamkit"), dict):
        pk, pl = pareto["kamkit"], pareto.get("lifetimes", {})
        pll = pareto.get("log_likelihood", {})
        lines += [
            "",
            f"Pareto/NBD: {pareto.get('data', '')}; lifetimes fitted on "
            f"{_fmt_rows(pl.get('fit_customers', 0))} customers.",
            "",
            "| contender | fit (s) | evaluations | predict (s) | log-likelihood |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| kamkit | {_fmt_s(pk['fit_s'])} | {pk.get('evaluations', '')} "
            f"| {_fmt_s(pk['predict_s'])} | {pll.get('kamkit', float('nan')):.3f} |",
        ]
        if pl:
            lines.append(
                f"| lifetimes | {_fmt_s(pl['fit_s'])} | {pl.get('evaluations', '')} "
                f"| {_fmt_s(pl['predict_s'])} | {pll.get('lifetimes', float('nan')):.3f} |"
            )
        lines.append("")
        sp = pareto.get("speedup", {})
        lines.append(
            "- Pareto/NBD: "
            + ", ".join(f"{k.replace('_', ' ')} {_fmt_ratio(v)}" for k, v in sp.items())
        )
        if pl and pk:
            both = (pl["fit_s"] + pl["predict_s"]) / (pk["fit_s"] + pk["predict_s"])
            lines.append(f"- Pareto/NBD fit and predict: {_fmt_ratio(both)}")
    elif pareto:
        lines.append(f"- Pareto/NBD: {pareto}")
    lines.append("")
    return "\n".join(lines)


def render_file(data: dict[str, Any]) -> str:
    if "title" in data and "results" in data and "inputs" in data:
        return area_table(data)
    if data.get("area") == "lifecycle":
        return lifecycle_table(data)
    if data.get("area") == "scoring":
        return scoring_table(data)
    if data.get("benchmark") == "models":
        return models_table(data)
    return f"*{data.get('area', 'results')}: no table layout for this file.*\n"


def render(results_dir: Path = HERE / "results") -> str:
    parts = []
    order = {"archive": 0, "scoring": 1, "lifecycle": 2, "models": 3}
    for path in sorted(results_dir.glob("*.json"), key=lambda p: (order.get(p.stem, 9), p.stem)):
        parts.append(render_file(json.loads(path.read_text())))
    if not parts:
        parts.append("*No results yet: run a benchmark script.*\n")
    return "\n".join(parts)


def update(readme: Path = README) -> tuple[str, str]:
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: the markers {START} and {END} are missing")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{render()}\n{END}{tail}"
    return text, new


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true")
    a = p.parse_args(argv)
    old, new = update()
    if a.check:
        if old != new:
            print("benchmarks/README.md is out of date: run python benchmarks/make_table.py")
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
