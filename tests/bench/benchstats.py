"""The benchmark's arithmetic, apart from its runs so that it is tested alone
(tests/unit/test_bench_merge.py): one figure over the reps, and tree against baseline."""
import statistics


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def stat(xs):
    """median, min, max and n of the numbers in xs (anything else is left out); None
    when there is none."""
    xs = [x for x in xs if is_number(x)]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def median_of(v):
    """A rep's figure as one number: a stat's median, a number itself; else None."""
    if isinstance(v, dict) and is_number(v.get("median")):
        return v["median"]
    return v if is_number(v) else None


def merge(runs):
    """One figure per key over the reps: the median of each rep's median. A key may be
    missing from a rep, None, text ("skipped: ...", "failed: ...") or a dict of other
    figures in one rep and a number in the next: the numbers are merged; a key that
    never had one keeps its last other value (the last failure tells why)."""
    numbers, other, order = {}, {}, []
    for r in runs:
        for k, v in (r or {}).items():
            if k not in order:
                order.append(k)
            m = median_of(v)
            if m is not None:
                numbers.setdefault(k, []).append(m)
            elif v is not None or k not in other:
                other[k] = v
    return {k: stat(numbers[k]) if k in numbers else other.get(k) for k in order}


# Figures where less is better (times, latencies, memory, time ratios); the rest are
# rates or rate ratios, where more is better.
def lower_is_better(k):
    return (k.endswith("_s") or k.endswith("_ms") or "bytes" in k or "rss" in k or
            k.endswith("_vs_fastest_ratio") or k.endswith("_vs_fastest_file_ratio") or
            k.endswith("_high_vs_low_ratio") or "cpu_per_vma" in k or "latency_ms" in k or
            "_ping_" in k)


def is_reference(k):
    return (k.startswith("plain_loop") or k.startswith("stress_ng") or "fastest_way" in k or
            k.startswith("watch_bare_loop"))


def compare(tree_runs, base_runs):
    """Each figure of the tree against the baseline, rep by rep: the ratios' stat, the
    run's noise, and whether it dropped beyond that noise in every rep (3 reps at
    least). References (the plain loop, stress-ng, the fastest way) run the same binary
    both times: shown, not judged."""
    results, baseline = merge(tree_runs), merge(base_runs)
    vs = {}
    for k, v in results.items():
        if not isinstance(v, dict) or "median" not in v or \
                not isinstance(baseline.get(k), dict) or "median" not in baseline[k]:
            continue
        ratios = []
        for t, b in zip(tree_runs, base_runs):
            x, y = median_of((t or {}).get(k)), median_of((b or {}).get(k))
            if x and y:
                ratios.append(x / y)
        if not ratios:
            continue
        st = stat(ratios)
        # The noise of this run: how far the baseline's own reps spread (and the
        # tree's), relative to their medians, and 5 % at least.
        noise = max(0.05, max((x["max"] - x["min"]) / (2 * x["median"]) if x["median"] else 0
                              for x in (v, baseline[k])))
        drops = [(r - 1) if lower_is_better(k) else (1 - r) for r in ratios]
        st["noise"] = noise
        st["reference"] = is_reference(k)
        st["regression"] = not st["reference"] and len(ratios) >= 3 and min(drops) > noise
        vs[k] = st
    return results, baseline, vs
