"""Smoke run of the benchmark (tests/bench/bench.py --quick): every figure is produced."""
import json
import os
import shutil
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
keys = ["plain_loop_cycles_per_s", "plain_loop_2_threads_cycles_per_s",
        "plain_loop_empty_cycles_per_s", "churn_1_worker_cycles_per_s",
        "churn_2_workers_cycles_per_s", "churn_1_worker_ratio", "churn_2_workers_ratio",
        "verify_on_off_ratio", "latency_on_off_ratio", "vmastressd_vmas_created_per_s", "plain_loop_same_work_vmas_per_s",
        "bytes_per_live_region"]
tag = "limit_%d_" % h.read_limit()  # the current limit's figures; --quick raises nothing
keys += [tag + k for k in (
    "fragment_first_munmap_enomem_s", "fastest_way_to_limit_s", "fastest_way_to_demand_s",
    "fragment_to_limit_vs_fastest_ratio", "threads_to_demand_vs_fastest_ratio",
    "allocator_to_demand_vs_fastest_ratio", "files_to_demand_vs_fastest_ratio",
    "fragment_to_demand_vs_fastest_ratio", "kernel_bytes_per_vma", "munmap_p50_high_s",
    "munmap_p50_low_s", "mprotect_p99_high_vs_low_ratio")]
if shutil.which("stress-ng"):
    keys += ["stress_ng_mmapmany_vmas_created_per_s", "vmastressd_vs_stress_ng_ratio",
             "stress_ng_page_faults_per_vma"]
else:
    print("SKIP part: stress-ng not installed (.ci/run installs it)")
if os.geteuid() == 0:  # the BPF watch's cost, with its references
    keys += ["catch_proc_scan_vs_bpf_count_ratio", "catch_target_rate_counted_vs_not_ratio",
             "catch_syscall_loop_on_off_ratio", "catch_mmap_munmap_loop_on_off_ratio",
             "catch_syscall_loop_empty_program_vs_off_ratio",
             "catch_mmap_munmap_loop_on_vs_empty_program_ratio"]
else:
    print("SKIP part: the BPF watch's cost needs root")
for k in keys:
    h.check(r.get(k) and r[k]["median"] > 0, "%s = %.3f" % (k, r[k]["median"] if r.get(k) else -1))
h.check(r["vmastressd_pages_written_per_vma"]["median"] == 1.0,
        "same work as stress-ng: one page written per VMA created")
h.check(29990 <= r["live_regions_measured"] <= 30000,
        "memory measured at %d live regions" % r["live_regions_measured"])
h.check(r["stats_latency_ms"]["p99"] > 0, "stats latency measured")
h.check(r["limit_1048576"].startswith("skipped: ") or h.read_limit() == 1048576,
        "--quick leaves the limit alone: %s" % r.get("limit_1048576"))

# --baseline REF: REF built apart and interleaved rep by rep; every figure gets a
# vs_baseline ratio. Against HEAD itself no regression may be reported (no timing goal).
src = os.path.join(here, "..", "..")
inside = subprocess.run(["git", "-C", src, "rev-parse", "--is-inside-work-tree"],
                        capture_output=True, text=True)
if inside.returncode != 0 or inside.stdout.strip() != "true":
    print("SKIP part: --baseline needs a git checkout (%s)" % inside.stderr.strip())
else:
    out = os.path.join(tempfile.mkdtemp(prefix="vmastress-test-"), "ab.json")
    p = subprocess.run([sys.executable, os.path.join(here, "..", "bench", "bench.py"), "--daemon",
                        a.daemon, "--loop", loop, "--only", "churn", "--reps", "3", "--seconds",
                        "1", "--pairs", "3", "--fixed-ops", "100000", "--baseline", "HEAD",
                        "--json", out], capture_output=True,
                       text=True, timeout=900)
    print(p.stdout[-3000:], p.stderr[-2000:])
    h.check(p.returncode == 0 and "regressions: none beyond the noise of this run" in p.stdout,
            "--baseline HEAD: ran, no regression reported (exit %d)" % p.returncode)
    with open(out) as f:
        r = json.load(f)
    vs = r["vs_baseline"]["figures"]
    h.check(r["vs_baseline"]["ref"] == "HEAD" and len(r["vs_baseline"]["commit"]) == 40 and
            r["baseline"]["churn_1_worker_cycles_per_s"]["n"] == 3,
            "the baseline's own figures, 3 reps: %s" % r["vs_baseline"]["commit"])
    # The speed figures in back-to-back pairs, tree against HEAD, pinned alike.
    pv = r["vs_baseline"]["pairs"]
    for k in ("churn_1_worker_cycles_per_s", "churn_2_workers_cycles_per_s",
              "guarded_fixed_work_wall_s", "churn_fixed_work_wall_s"):
        st = pv.get(k)
        h.check(isinstance(st, dict) and st["n"] == 3 and st["q1"] <= st["median"] <= st["q3"]
                and st["regression"] is False and 0 < st["p_worse"] <= 1,
                "pairs %s: %s" % (k, st))
    for k in ("churn_1_worker_cycles_per_s", "churn_2_workers_cycles_per_s",
              "churn_1_worker_ratio"):
        h.check(k in vs and vs[k]["n"] == 3 and vs[k]["min"] <= vs[k]["median"] <= vs[k]["max"]
                and vs[k]["regression"] is False,
                "%s: vs_baseline %.3f (%.3f-%.3f)" % (k, vs[k]["median"], vs[k]["min"],
                                                     vs[k]["max"]))
