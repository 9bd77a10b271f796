"""Smoke run of the benchmark (tests/bench/bench.py --quick): every figure is produced."""
import json
import os
import subprocess
import sys
import tempfile
import vsharness as h

a = h.args()
h.skip_under_sanitizer("benchmarking")
here = os.path.dirname(os.path.abspath(__file__))
loop = os.path.join(os.path.dirname(a.daemon), "tests", "plain_loop")
out = os.path.join(tempfile.mkdtemp(prefix="vmastress-test-"), "bench.json")
p = subprocess.run([sys.executable, os.path.join(here, "..", "bench", "bench.py"), "--daemon",
                    a.daemon, "--loop", loop, "--quick", "--json", out], capture_output=True,
                   text=True, timeout=600)
print(p.stdout[-3000:], p.stderr[-2000:])
h.check(p.returncode == 0, "bench.py --quick ran")
with open(out) as f:
    r = json.load(f)
for k in ("plain_loop_cycles_per_s", "churn_1_worker_cycles_per_s", "churn_2_workers_cycles_per_s",
          "churn_1_worker_ratio", "verify_on_off_ratio", "vmastressd_vmas_created_per_s",
          "fragment_first_munmap_enomem_s", "bytes_per_live_region"):
    h.check(r.get(k) and r[k]["median"] > 0, "%s = %.3f" % (k, r[k]["median"] if r.get(k) else -1))
h.check(r["stats_latency_ms"]["p99"] > 0, "stats latency measured")
