"""churn: short-lived mappings from the start. Without a demand it does not build up to its
cap first (that held 10 % of the limit and made every call walk a larger VMA tree than the
workload's, and than the benchmark's same-work loop); with a demand it builds and holds it."""
import json
import os
import subprocess
import tempfile
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
limit = h.read_limit()
cap = int(0.1 * limit)  # churn's target_fill


def run(*extra):
    report = os.path.join(tmp, "r.json")
    p = subprocess.run([a.daemon, "-p", "churn", "-w", "1", "-s", "3", "--max-ops", "20000",
                        "-d", "60", "--socket", "none", "--report", report] + list(extra),
                       capture_output=True, text=True, timeout=120)
    with open(report) as f:
        return p.returncode, json.load(f)


rc, r = run()
# A 50/50 walk from nothing: 20000 steps reach a few hundred regions, not thousands.
h.check(rc == 0 and r["ops"]["mmap"] > 5000 and r["map_count_peak"] < cap // 2,
        "no demand: churns from the start, peak %d VMAs (the cap is %d)"
        % (r["map_count_peak"], cap))
demand = min(4000, cap // 2)
rc, r = run("--demand", str(demand))
# Held at the demand: within one region's VMAs (2) of it, as the verdict counts it.
h.check(rc == 0 and r["verdict"]["held"] and r["verdict"]["time_to_demand_seconds"] is not None
        and r["map_count_peak"] >= demand - 2, "with a demand of %d: built and held (peak %d)"
        % (demand, r["map_count_peak"]))
