"""bench.py's merge and compare over reps whose figures are missing, None, text, dicts
or numbers in any mix: a 61-minute A/B once died here (None in the first rep, a number
in a later one) and printed nothing."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import benchstats as b  # noqa: E402

failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    failures += not cond


def s(m):
    return {"median": m, "min": m, "max": m, "n": 1}


runs = [
    {"a": None, "b": s(2.0), "c": "skipped: no root", "d": 5, "e": "failed: boom", "g": {"x": 1}},
    {"a": s(1.0), "b": None, "c": s(3.0), "d": "failed: x", "f": s(7.0), "g": None},
    {"a": 3, "b": s(4.0), "e": None, "h": True},
    {},
    None,
]
m = b.merge(runs)
check(m["a"] == {"median": 2.0, "min": 1.0, "max": 3, "n": 2}, "None then numbers: %s" % m["a"])
check(m["b"]["median"] == 3.0 and m["b"]["n"] == 2, "a number, None, a number: %s" % m["b"])
check(m["c"]["median"] == 3.0, "text then a number: the number: %s" % m["c"])
check(m["d"]["median"] == 5 and m["d"]["n"] == 1, "a number then text: the number: %s" % m["d"])
check(m["e"] == "failed: boom", "text then None: the text kept: %s" % m["e"])
check(m["f"]["median"] == 7.0, "a key missing from the first rep: %s" % m["f"])
check(m["g"] == {"x": 1}, "a dict of other figures kept as it is: %s" % m["g"])
check(m["h"] is True, "a boolean is not a number: %s" % m["h"])
check(list(m) == ["a", "b", "c", "d", "e", "g", "f", "h"], "keys in first-seen order")
check(b.merge([]) == {}, "no reps: no figures")

tree = [{"x": s(2.0), "y": "failed: a", "z": s(1.0)}, {"x": s(2.2), "y": s(1.0)}, {"x": None},
        {"x": s(1.8)}]
base = [{"x": s(1.0), "y": s(1.0)}, {"x": s(1.0), "y": None}, {"x": s(1.0)}, {"x": "skipped"}]
res, bl, vs = b.compare(tree, base)
check(vs["x"]["n"] == 2 and abs(vs["x"]["median"] - 2.1) < 1e-9,
      "ratios only where both reps have a number: %s" % vs["x"])
check("y" not in vs, "no rep with both: no ratio")
check("z" not in vs, "no baseline figure: no ratio")

# A regression is a drop beyond the noise in every rep, with 3 reps at least.
tree = [{"r": s(0.5)}, {"r": s(0.5)}, {"r": s(0.5)}]
base = [{"r": s(1.0)}, {"r": s(1.0)}, {"r": s(1.0)}]
check(b.compare(tree, base)[2]["r"]["regression"], "a rate halved in every rep: a regression")
check(not b.compare(base, tree)[2]["r"]["regression"], "a rate doubled: none")
t = [{"lat_ms": s(2.0)}] * 3
check(b.compare(t, [{"lat_ms": s(1.0)}] * 3)[2]["lat_ms"]["regression"],
      "a time doubled: a regression (lower is better)")
# A rate named ..._per_s ends in _s like a time, and more of it is better: a 20 % loss
# of vmastressd_vmas_created_per_s once read as a gain and was not flagged.
check(not b.lower_is_better("vmastressd_vmas_created_per_s") and
      b.lower_is_better("guarded_fixed_work_wall_s"), "a rate per second: higher is better")
rate = [{"vmastressd_vmas_created_per_s": s(0.65)}] * 3
check(b.compare(rate, [{"vmastressd_vmas_created_per_s": s(1.0)}] * 3)[2]
      ["vmastressd_vmas_created_per_s"]["regression"], "a rate per second at 0.65: a regression")
j = b.judge_pairs([0.8] * 20, b.lower_is_better("churn_1_worker_cycles_per_s"))
check(j["regression"] and j["worse"] == 20, "pairs of a rate 20 % down: all worse, a regression")
j = b.judge_pairs([0.8] * 20, b.lower_is_better("guarded_fixed_work_wall_s"))
check(not j["regression"] and j["worse"] == 0, "pairs of a time 20 % down: none worse")
sys.exit(1 if failures else 0)
