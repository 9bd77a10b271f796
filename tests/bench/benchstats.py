"""The benchmark's arithmetic, apart from its runs so that it is tested alone
(tests/unit/test_bench_merge.py): one figure over the reps, and tree against baseline."""
import math
import re
import statistics

# Every shape name a daemon has had, for a daemon whose --help lists none: tried with -t.
KNOWN_SHAPES = ("guarded", "fragment", "churn", "threads", "allocator", "files")


def parse_shapes(help_text):
    """The shapes a daemon's --help lists, in its order, in any format since the first
    --baseline: "-p, --shape SHAPE ... (guarded, fragment, ...)" and, before the rename,
    "-p, --profile PROFILE ... (guarded, ...)". None where no such line lists them."""
    for line in help_text.splitlines():
        if not re.match(r"\s*-p, --(shape|profile)\b", line):
            continue
        lists = re.findall(r"\(([a-z][a-z0-9_-]*(?:, [a-z][a-z0-9_-]*)+)\)", line)
        if lists:
            return tuple(lists[-1].split(", "))
    return None


def parse_cpus(text):
    """taskset -c's list ("1", "0,2", "2-3") as CPU numbers."""
    cpus = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus += range(int(lo), int(hi or lo) + 1)
    return sorted(set(cpus))


def failures(results, prefix):
    """{prefix + key: why} for every figure or section that failed."""
    return {prefix + k: v for k, v in (results or {}).items()
            if isinstance(v, str) and v.startswith("failed")}


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def stat(xs):
    """median, min, max and n of the numbers in xs (anything else is left out); None
    when there is none."""
    xs = [x for x in xs if is_number(x)]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def pair_stat(ratios):
    """A ratio from back-to-back pairs: the median of the pairs' ratios, with their
    spread (min, max, and the quartiles q1 and q3)."""
    st = stat(ratios)
    if st is None:
        return None
    xs = sorted(x for x in ratios if is_number(x))
    if len(xs) >= 2:
        q = statistics.quantiles(xs, n=4, method="inclusive")
        st["q1"], st["q3"] = q[0], q[2]
    else:
        st["q1"] = st["q3"] = xs[0]
    return st


def sign_test_p(worse, n):
    """One-sided sign test: the chance of `worse` or more of n pairs worse by luck alone."""
    return sum(math.comb(n, i) for i in range(worse, n + 1)) / 2 ** n


# A regression in pairs: the median pair worse by more than this, and the pairs worse
# more often than chance (the sign test) allows.
PAIR_DROP_MIN = 0.02
PAIR_P_MAX = 0.05


def judge_pairs(ratios, lower_better):
    """Tree / baseline over back-to-back pairs: pair_stat, how many pairs were worse,
    the sign test's p, and whether the pairs say it regressed."""
    st = pair_stat(ratios)
    if st is None:
        return "failed: no pair measured"
    xs = [x for x in ratios if is_number(x)]
    drops = [(r - 1) if lower_better else (1 - r) for r in xs]
    st["worse"] = sum(d > 0 for d in drops)
    st["drop"] = statistics.median(drops)
    st["p_worse"] = sign_test_p(st["worse"], len(xs))
    st["regression"] = st["drop"] > PAIR_DROP_MIN and st["p_worse"] <= PAIR_P_MAX
    return st


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
    # A rate (..._per_s) ends in _s too: more of it is better.
    if k.endswith("_per_s"):
        return False
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
