#!/usr/bin/env python3
"""vmastress benchmarks, one run, one machine: every figure a median over --reps with
min-max, ratios against references measured in the same run. A speed ratio is the
median of --pairs back-to-back pairs (reference, then subject, the order alternating,
both pinned to the same CPUs), with the pairs' spread. Prints a table and writes JSON
(--json). Not part of the suite; --quick is the suite's smoke run.
  python3 tests/bench/bench.py --daemon build/vmastressd --loop build/tests/plain_loop"""
import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vsharness as h  # noqa: E402
import benchstats  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--daemon", required=True)
p.add_argument("--loop", required=True)
p.add_argument("--reps", type=int, default=5)
p.add_argument("--seconds", type=float, default=3.0)
p.add_argument("--json", default="bench.json")
p.add_argument("--quick", action="store_true", help="smoke: 1 rep, 1 s, 2 pairs")
p.add_argument("--pairs", type=int, default=40,
               help="back-to-back pairs behind each speed ratio, each run 1 s (default 40: "
               "with 20 pairs of 3 s, two runs of one tree differed by 3 percent on a noisy "
               "2-core VM)")
p.add_argument("--cpus", help="the CPUs the pairs are pinned to, as taskset -c takes them "
               "(default: the last two this process may run on; one-worker pairs take the last)")
p.add_argument("--baseline", metavar="REF",
               help="build the git ref REF in a temporary directory and interleave its runs "
               "with the tree's, rep by rep: every figure gets a vs_baseline ratio with its "
               "spread, and a drop beyond the run's noise is printed as a regression")
p.add_argument("--only", help="comma-separated sections (all by default): churn, verify, latency, "
               "stress-ng, limits, watch, catch, watch_ping, raise, stats, memory. The A/B of what the "
               "workers and the watch run, --only churn,watch,catch,watch_ping,raise --reps 2 "
               "--pairs 20 --baseline REF, took 19 minutes on 2 cores")
p.add_argument("--baseline-daemon", metavar="PATH",
               help="as --baseline, against a vmastressd already built (any build whose "
               "flags bench.py uses: -c, -p, -w, -d, --max-ops, --socket, --report)")
p.add_argument("--fixed-ops", type=int, default=1500000,
               help="the A/B's whole-process pairs: --max-ops of one worker (default 1500000, "
               "about 7 s of guarded on 2 cores)")
a = p.parse_args()
if a.quick:
    a.reps, a.seconds, a.pairs = 1, 1.0, 2
if a.baseline and a.baseline_daemon:
    sys.exit("--baseline and --baseline-daemon: one or the other")
a.pairs = max(1, a.pairs)
tmp = tempfile.mkdtemp(prefix="vmastress-bench-")
secs = max(1, int(round(a.seconds)))
# A pair's runs are short (the daemon's -d takes whole seconds): the shorter the
# pair, the less the machine drifts between its two halves.
PAIR_S = 1


class BenchError(Exception):
    pass


def conf(name, text):
    path = os.path.join(tmp, name + ".conf")
    with open(path, "w") as f:
        f.write(text)
    return path


current = {"daemon": a.daemon}  # the binary measure() runs now


def run_daemon(cfg, extra=(), duration=None, ok=(0,), prefix=(), daemon=None):
    report = os.path.join(tmp, "report.json")
    daemon = daemon or current["daemon"]
    p = subprocess.run(list(prefix) + [daemon, "-c", cfg, "-d", str(duration or secs), "--socket", "none",
                        "--report", report] + list(extra), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    if p.returncode not in ok:
        raise BenchError("%s %s: exit %d: %s" % (daemon, " ".join(extra), p.returncode,
                                                 p.stderr[-2000:]))
    with open(report) as f:
        return json.load(f)


def daemon_shapes(daemon):
    """The shapes a daemon knows, learned from that daemon: its --help in any format since
    the first --baseline (-p SHAPE or, before the rename, -p PROFILE), else each name the
    bench has known tried with -t. A BenchError, never an exit: the section fails alone."""
    try:
        out = subprocess.run([daemon, "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise BenchError("%s --help: %s" % (daemon, e))
    found = benchstats.parse_shapes(out)
    if found:
        return found
    known = [n for n in benchstats.KNOWN_SHAPES
             if subprocess.run([daemon, "-t", "-q", "-p", n], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=30).returncode == 0]
    if not known:
        raise BenchError("%s: no shape in its --help, and none of %s accepted by -t -p"
                         % (daemon, ", ".join(benchstats.KNOWN_SHAPES)))
    return tuple(known)


def cpu_sets():
    """(one, two): the CPUs one-worker pairs and two-worker pairs are pinned to."""
    if a.cpus:
        cpus = benchstats.parse_cpus(a.cpus)
    else:
        cpus = sorted(os.sched_getaffinity(0))[-2:]
    if not shutil.which("taskset") or not cpus:
        return [], []
    one = ["taskset", "-c", str(cpus[-1])]
    two = ["taskset", "-c", ",".join(str(c) for c in cpus[-2:])]
    return one, two


PIN_ONE, PIN_TWO = cpu_sets()


def pairs(reference, subject, n):
    """n back-to-back pairs, reference then subject, the order alternating pair by pair
    (drift within a pair falls on both, its direction on neither): the ratios
    subject / reference, and each side's values."""
    ratios, refs, subs = [], [], []
    for i in range(n):
        if i % 2 == 0:
            r = reference()
            x = subject()
        else:
            x = subject()
            r = reference()
        refs.append(r), subs.append(x)
        ratios.append(x / r if r else None)
    return ratios, refs, subs


stat = benchstats.stat
# The configs of the speed figures, % a value. They say `profile`, the key's old name
# (an alias of shape): an A/B runs them against builds from before the rename too.
CHURN_CONF = 'profile = "churn";\naccounting = { verify_interval_ms = %d; };\n'
LATENCY_CONF = 'profile = "churn";\naccounting = { verify_interval_ms = 0; latency = %d; };\n'
# stress-ng --mmapmany's work per VMA: [separator][2 data pages], touch_pages written.
SAME_WORK_CONF = ('profile = "churn";\nmapping = { min_pages = 2; max_pages = 2; touch_pages = %d; '
                  '};\naccounting = { verify_interval_ms = 0; };\n')
pair_stat = benchstats.pair_stat


SECTIONS = ("churn", "verify", "latency", "stress-ng", "limits", "watch", "catch", "watch_ping",
            "raise", "stats", "memory")
want = set(a.only.split(",")) if a.only else set(SECTIONS)
unknown = want - set(SECTIONS)
if unknown:
    sys.exit("--only: unknown section %s (%s)" % (", ".join(sorted(unknown)), ", ".join(SECTIONS)))


def save(what):
    """The JSON as it stands: written after every section, so a run that dies later
    keeps what it measured."""
    with open(a.json + ".tmp", "w") as f:
        json.dump(what, f, indent=1)
    os.replace(a.json + ".tmp", a.json)


progress = {"partial": True, "runs": []}


def measure(daemon, reps, label="tree", npairs=a.pairs):
    """Every wanted section with this daemon, reps repetitions each (npairs pairs behind
    each speed ratio): (results, goals). A section that fails, however, is recorded as
    failed and the rest go on."""
    current["daemon"] = daemon
    results = {}
    goals = {"churn_1_worker_ratio": ">= 0.95", "vmastressd_vs_stress_ng_ratio": ">= 2",
             "limit_65530_fragment_first_munmap_enomem_s": "<= 0.5", "verify_on_off_ratio": ">= 0.98",
             "latency_on_off_ratio": ">= 0.98"}
    churn = CHURN_CONF
    walk_cap = str(int(0.1 * h.read_limit()) // 2)
    fastest = os.path.join(os.path.dirname(a.loop), "fastest_limit")
    found = h.read_limit()
    count_maps = os.path.join(os.path.dirname(a.loop), "count_maps")

    def sec_churn():
        # The loop walks as churn does (map or unmap a random region, 50/50) under churn's
        # cap: 10 % of the limit in VMAs, 2 per region. The empty loop (cap 0: map, unmap
        # the same region) holds nothing and is the cycle alone, for information. Each
        # ratio is the median of back-to-back pairs, loop then daemon, the order
        # alternating, both pinned: one worker and the loop on one CPU, two on two.
        def loop(threads, pin, cap=walk_cap):
            return lambda: float(subprocess.check_output(pin + [a.loop, str(PAIR_S), "16", cap,
                                                                str(threads)]))

        def churner(workers, pin):
            def run():
                x = run_daemon(conf("c%d" % workers, churn % 0), ["-w", str(workers)], PAIR_S,
                               prefix=pin)
                return x["ops"]["mmap"] / x["uptime_seconds"]
            return run
        r1, l1, c1 = pairs(loop(1, PIN_ONE), churner(1, PIN_ONE), npairs)
        r2, l2, c2 = pairs(loop(2, PIN_TWO), churner(2, PIN_TWO), npairs)
        empty = [loop(1, PIN_ONE, "0")() for _ in range(reps)]
        results["plain_loop_cycles_per_s"] = stat(l1)
        results["plain_loop_2_threads_cycles_per_s"] = stat(l2)
        results["plain_loop_empty_cycles_per_s"] = stat(empty)
        results["churn_1_worker_cycles_per_s"] = stat(c1)
        results["churn_2_workers_cycles_per_s"] = stat(c2)
        results["churn_1_worker_ratio"] = pair_stat(r1)
        results["churn_2_workers_ratio"] = pair_stat(r2)
        results["churn_1_worker_vs_empty_loop_ratio"] = stat(
            [statistics.median(c1) / e for e in empty])


    def on_off_ratio(text, off, on):
        """One worker's op rate with a feature on against off: pairs, pinned to one CPU."""
        def rate(value, tag):
            def run():
                x = run_daemon(conf(tag, text % value), ["-w", "1"], PAIR_S, prefix=PIN_ONE)
                return x["ops"]["mmap"] / x["uptime_seconds"]
            return run
        return pair_stat(pairs(rate(off, "off"), rate(on, "on"), npairs)[0])


    def sec_verify():
        # Verification cost: the same run with /proc verification every 100 ms vs off.
        results["verify_on_off_ratio"] = on_off_ratio(churn, 0, 100)


    def sec_latency():
        # Latency histograms' cost at the default (one call in 8 timed: two clock reads and
        # three counter updates each) against off.
        results["latency_on_off_ratio"] = on_off_ratio(LATENCY_CONF, 0, 8)


    def sec_stress_ng():
        # stress-ng --mmapmany: 3 pages mapped, 2 written, the middle one unmapped = 2 VMAs and
        # 1 written page per VMA (perf stat: 2.0 page faults per bogo op). vmastressd the same
        # per VMA: [separator][2 data pages], both written. Two references in the same run:
        # the plain loop doing that same work (no bookkeeping: the ceiling for this work per
        # VMA), and vmastressd writing nothing (the VMA calls alone).
        sng = shutil.which("stress-ng")
        ours, theirs, vr, ceil, cr, bare, br, vc = [], [], [], [], [], [], [], []
        same = SAME_WORK_CONF


        def stress_ng():
            """VMAs created per second, and page faults per VMA (its writes) from rusage."""
            y = os.path.join(tmp, "sng.yaml")
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
            subprocess.run([sng, "--mmapmany", "1", "-t", "%ds" % secs, "--metrics-brief", "--yaml", y],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            faults = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before
            rate = ops = None
            with open(y) as f:
                for line in f:
                    if "bogo-ops-per-second-real-time" in line:
                        rate = 2 * float(line.split(":")[1])
                    elif line.strip().startswith("bogo-ops:"):
                        ops = float(line.split(":")[1])
            return rate, (faults / (2 * ops) if ops else None)


        def created(x):
            return x["vmas_created"] / x["uptime_seconds"]


        spv, spv_ng = [], []
        # Pairs pinned to two CPUs: the daemon's loop thread beside its one worker needs a
        # CPU of its own (pinned to one CPU with the loop, the ratio read 0.88 against
        # 1.19 unpinned); the loop runs on the same two.
        loop = PIN_TWO + [a.loop, str(PAIR_S), "2-2", walk_cap, "1", "2"]
        xs = []

        def same_work():
            x = run_daemon(conf("same", same % 2), ["-w", "1"], PAIR_S, prefix=PIN_TWO)
            xs.append(x)
            return created(x)
        vc, ceil, ours = pairs(lambda: 2 * float(subprocess.check_output(loop)), same_work, npairs)
        spv = [x["touched_pages"] / x["vmas_created"] for x in xs]
        for _ in range(reps):
            z = run_daemon(conf("bare", same % 0), ["-w", "1"])
            b = created(z)
            bare.append(b)
            t, pages = stress_ng() if sng else (None, None)
            if t:
                theirs.append(t), vr.append(statistics.median(ours) / t)
                cr.append(statistics.median(ceil) / t), br.append(b / t), spv_ng.append(pages)
        results["vmastressd_vmas_created_per_s"] = stat(ours)
        results["stress_ng_mmapmany_vmas_created_per_s"] = stat(theirs)
        results["vmastressd_pages_written_per_vma"] = stat(spv)
        results["stress_ng_page_faults_per_vma"] = stat(spv_ng)
        results["vmastressd_vs_stress_ng_ratio"] = stat(vr)
        results["plain_loop_same_work_vmas_per_s"] = stat(ceil)
        results["vmastressd_vs_same_work_loop_ratio"] = pair_stat(vc)
        goals["vmastressd_vs_same_work_loop_ratio"] = ">= 0.95"
        results["plain_loop_same_work_vs_stress_ng_ratio"] = stat(cr)
        results["vmastressd_no_writes_vs_stress_ng_ratio"] = stat(br)


    def sec_limits():
        # At the current limit, at the kernel default (65530) and at 1048576 (the limit raised, as root, and put back
        # to the value found on every way out; never lowered: a host above 65530 skips it):
        # - the fastest known way to the limit (one RW mapping, mprotect on every other page:
        #   fastest_limit), fragment's time to its first refusal against it, and to its first
        #   munmap ENOMEM;
        # - each shape's build of a demand of 90 % of the limit (the verdict's
        #   time_to_demand_seconds) against the fastest way to as many VMAs;
        # - the kernel's bytes per VMA at the peak (slabinfo deltas; the meminfo estimate is
        #   marked so) at the limit;
        # - munmap and mprotect p50/p99 with the limit at or above 90 % full (fragment at the
        #   limit) against below 50 % (fragment held at 40 %).
        SHAPES = ("threads", "allocator", "files", "fragment")


        def fastest_way(limit, vmas=None):
            argv = [fastest, str(limit)] + ([str(vmas)] if vmas else [])
            return float(subprocess.check_output(argv, timeout=300).split()[0])


        def at_limit(limit, reps):
            tag = "limit_%d_" % limit
            ref = [fastest_way(limit) for _ in range(reps)]
            dur = max(secs, int(4 * statistics.median(ref)) + 2)
            demand = int(0.9 * limit)
            first, reach, fr, kb, src, dref, fref, files_file = [], [], [], [], set(), [], [], []
            lat = {(op, band, q): [] for op in ("munmap", "mprotect") for band in ("low", "high")
                   for q in ("p50", "p99")}
            demand_ratio = {shape: [] for shape in SHAPES}
            for i in range(reps):  # interleaved: every repetition sees the same machine state
                x = run_daemon(conf("frag", 'profile = "fragment";\n'), ["-w", "2"], dur)
                first.append(x["first_enomem_seconds"]["munmap"])
                reach.append(min(v for v in x["first_enomem_seconds"].values() if v is not None))
                fr.append(reach[-1] / ref[i])
                kb.append(x["kernel"]["bytes_per_vma"])
                src.add(x["kernel"]["source"] + (" (estimate)" if x["kernel"]["estimate"] else ""))
                low = run_daemon(conf("frag40", 'profile = "fragment";\n'
                                      'pressure = { target_fill = 0.4; };\n'), ["-w", "2"], dur)
                for (op, band, q), xs in lat.items():
                    xs.append((x if band == "high" else low)["latency"][op][band][q])
                t = fastest_way(limit, demand)
                dref.append(t)
                tf = float(subprocess.check_output([fastest, "--file", str(limit), str(demand)],
                                                   timeout=300).split()[0])
                fref.append(tf / t)
                for shape in SHAPES:
                    y = run_daemon(conf("demand", ""), ["-p", shape, "-w", "2", "-s", "42",
                                                        "--demand", str(demand)], dur, ok=(0, 2))
                    got = y["verdict"]["time_to_demand_seconds"]
                    demand_ratio[shape].append(got / t if got is not None else None)
                    if shape == "files":
                        files_file.append(got / tf if got is not None else None)
            results[tag + "fastest_way_to_limit_s"] = stat(ref)
            results[tag + "fragment_to_limit_s"] = stat(reach)
            results[tag + "fragment_to_limit_vs_fastest_ratio"] = stat(fr)
            results[tag + "fragment_first_munmap_enomem_s"] = stat(first)
            results[tag + "fastest_way_to_demand_s"] = stat(dref)
            for shape in SHAPES:
                results[tag + shape + "_to_demand_vs_fastest_ratio"] = stat(demand_ratio[shape])
                goals[tag + shape + "_to_demand_vs_fastest_ratio"] = "<= 2"
            goals[tag + "fragment_to_limit_vs_fastest_ratio"] = "<= 2"
            # File-backed VMAs cost the kernel more (each split updates the file's interval
            # tree): the same fastest way on a shared memfd, against the anonymous one, and
            # the files shape against it.
            results[tag + "fastest_way_file_vs_anon_ratio"] = stat(fref)
            results[tag + "files_to_demand_vs_fastest_file_ratio"] = stat(files_file)
            results[tag + "kernel_bytes_per_vma"] = stat(kb)
            results[tag + "kernel_bytes_source"] = ", ".join(sorted(src))
            for op in ("munmap", "mprotect"):
                for q in ("p50", "p99"):
                    hi, lo = lat[(op, "high", q)], lat[(op, "low", q)]
                    results[tag + "%s_%s_high_s" % (op, q)] = stat(hi)
                    results[tag + "%s_%s_low_s" % (op, q)] = stat(lo)
                    results[tag + "%s_%s_high_vs_low_ratio" % (op, q)] = stat(
                        [u / v if u and v else None for u, v in zip(hi, lo)])


        for limit in sorted({found, 65530, 1048576}):  # the current limit, whatever it is, too
            why = None
            if limit < found:
                why = "the host's limit (%d) is above it: the sysctl is never lowered" % found
            elif limit > found and a.quick:
                why = "--quick: the current limit only"
            elif limit > found and not os.access(h.SYSCTL, os.W_OK):
                why = "needs root to raise vm.max_map_count"
            if why:
                results["limit_%d" % limit] = "skipped: " + why
                continue
            with h.RaisedLimit(limit):
                at_limit(limit, min(reps, 3))


    def sec_watch():
        # Watch mode's cost, on a host where one process of known size (fastest_limit, held)
        # has most of the VMAs: 1048576 in all with the limit raised (as root), else 90 % of
        # the current limit.
        # - the scan's CPU per VMA (the daemon, a scan a second) against a bare C loop that
        #   counts the newlines of every /proc/*/maps (count_maps) as many times;
        # - the wall time of one scan of the whole host;
        # - a target's mapping rate (the plain loop, churning ~10 % of the limit) while the
        #   daemon scans every second, against the same without it.


        def children_cpu():
            r = resource.getrusage(resource.RUSAGE_CHILDREN)
            return r.ru_utime + r.ru_stime


        def watch_cost(reps):
            limit = h.read_limit()
            total = 1048576 if limit >= 1048576 else int(0.9 * limit)
            holder = subprocess.Popen([fastest, str(limit), str(total - 2000), "hold"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            holder.stdout.readline()
            wcfg = conf("watch", "watch = { interval = 1; top = 10; };\n")
            cpu_ratio, scan_s, bare_s, host_vmas, rate = [], [], [], [], []
            try:
                for _ in range(reps):
                    c0 = children_cpu()
                    x = run_daemon(wcfg, ["--watch"], secs + 1)
                    cpu_d = children_cpu() - c0
                    w = x["watch"]
                    out = subprocess.check_output([count_maps, str(w["scans"])]).split()
                    cpu_b, wall_b, lines = float(out[0]), float(out[1]), int(out[2])
                    cpu_ratio.append((cpu_d / (w["scans"] * w["vmas"])) / (cpu_b / (w["scans"] * lines)))
                    scan_s.append(w["scan_seconds"])
                    bare_s.append(wall_b)
                    host_vmas.append(w["vmas"])
                    off = float(subprocess.check_output([a.loop, str(a.seconds), "16", walk_cap, "1"]))
                    d = subprocess.Popen([daemon, "-c", wcfg, "--watch", "--socket", "none", "-d",
                                          str(secs + 2)], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
                    try:
                        on = float(subprocess.check_output([a.loop, str(a.seconds), "16", walk_cap,
                                                            "1"]))
                    finally:
                        d.wait(120)
                    rate.append(on / off)
            finally:
                holder.stdin.close()
                holder.wait(120)
            results["watch_host_vmas"] = stat(host_vmas)
            results["watch_scan_s"] = stat(scan_s)
            results["watch_bare_loop_pass_s"] = stat(bare_s)
            results["watch_cpu_per_vma_vs_bare_loop_ratio"] = stat(cpu_ratio)
            results["watch_target_rate_scanned_vs_not_ratio"] = stat(rate)
            goals["watch_cpu_per_vma_vs_bare_loop_ratio"] = "<= 1.2"
            goals["watch_target_rate_scanned_vs_not_ratio"] = ">= 0.95"


        if found < 1048576 and not a.quick and os.access(h.SYSCTL, os.W_OK):
            with h.RaisedLimit(1048576):
                watch_cost(min(reps, 3))
        else:
            watch_cost(1 if a.quick else min(reps, 3))


    def sec_catch():
        # The watch's BPF backend (root): a whole-host count by the kernel's counter
        # against the /proc scan, on a host where one process holds most of the VMAs
        # (1048576 in all with the limit raised, else 90 % of it); what the catch costs
        # a target mapping (the plain loop) counted every second, an unrelated syscall
        # loop, and an mmap/munmap loop, each with a BPF watch running against none.
        if os.geteuid() != 0:
            results["catch"] = "skipped: needs root to load BPF"
            return
        sysloop = os.path.join(os.path.dirname(a.loop), "syscall_loop")
        small = conf("small", "x" * 64)
        # Interleaved variants within the section: 9 reps alone; 3 in an A/B, whose reps
        # interleave tree and baseline again.
        inner = 3 if a.baseline else max(reps, 9)

        # With 2 CPUs or more, the watch on CPU 0 and the loops on CPU 1: unpinned, this VM's
        # scheduler moves them and the spread (0.55-1.37) hides a 10 % effect; pinned, 0.9-1.04.
        ncpu = os.cpu_count() or 1
        pin_watch = ["taskset", "-c", "0"] if ncpu > 1 and shutil.which("taskset") else []
        pin_loop = ["taskset", "-c", "1"] if pin_watch else []

        def watch_with(hook):
            """The BPF watch counting every second: hook None catches as shipped, "count"
            attaches the iterator alone, "empty" hooks every exit and returns at once
            (what this kernel's attach costs by itself): test hooks, references only."""
            c = conf("wbpf", 'watch = { interval = 1; top = 10; backend = "bpf"; };\n')
            env = dict(os.environ)
            if hook:
                env.update(VMASTRESS_TEST_HOOKS="1", VMASTRESS_TEST_CATCH=hook)
            return subprocess.Popen(pin_watch + [daemon, "-c", c, "--watch", "--socket", "none",
                                                 "-d", "600"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

        def stop(p):
            p.send_signal(signal.SIGTERM)
            p.wait(60)

        def one_scan(backend):
            x = run_daemon(conf("s" + backend, 'watch = { interval = 1; backend = "%s"; };\n'
                                % backend), ["--watch"], 2)
            return x["watch"]["scan_seconds"], x["watch"]["vmas"], x["watch"].get("backend"), \
                x["watch"].get("attach")

        def loops():
            secs = "1" if a.quick or a.baseline else "1.5"
            return (float(subprocess.check_output(pin_loop + [a.loop, secs, "16", walk_cap, "1"])),
                    float(subprocess.check_output(pin_loop + [sysloop, secs, small])),
                    float(subprocess.check_output(pin_loop + [a.loop, secs, "16", "0", "1"])))

        def measure_rates(scans, reps):
            scan, hostv, attach = [], [], None
            for _ in range(scans):
                ps, v, _, _ = one_scan("proc")
                bs, _, be, attach = one_scan("bpf")
                if be != "bpf":
                    raise BenchError("the BPF backend did not load")
                scan.append(ps / bs)
                hostv.append(v)
            # Each rep runs the 3 loops under each variant, the order reversed every other
            # rep; every ratio is a rep's figure against the median with no watch.
            names = ("off", "count", "empty", "on")
            rates = {n: [] for n in names}
            for rep in range(reps):
                for n in (names if rep % 2 == 0 else names[::-1]):
                    w = watch_with({"off": None, "count": "count", "empty": "empty",
                                    "on": None}[n]) if n != "off" else None
                    try:
                        if w:
                            time.sleep(0.7)
                        rates[n].append(loops())
                    finally:
                        if w:
                            stop(w)

            def ratio(n, k, ref="off"):
                base = statistics.median(r[k] for r in rates[ref])
                return stat([r[k] / base for r in rates[n]])
            results["catch_attach"] = attach
            results["catch_host_vmas"] = stat(hostv)
            results["catch_proc_scan_vs_bpf_count_ratio"] = stat(scan)
            results["catch_target_rate_counted_vs_not_ratio"] = ratio("count", 0)
            results["catch_target_rate_counted_caught_vs_not_ratio"] = ratio("on", 0)
            results["catch_syscall_loop_on_off_ratio"] = ratio("on", 1)
            results["catch_mmap_munmap_loop_on_off_ratio"] = ratio("on", 2)
            for k, name in enumerate(("target", "syscall_loop", "mmap_munmap_loop")):
                # the attach's own cost (a program that returns at once), and ours above it
                results["catch_%s_empty_program_vs_off_ratio" % name] = ratio("empty", k)
                results["catch_%s_on_vs_empty_program_ratio" % name] = ratio("on", k, "empty")
            goals["catch_proc_scan_vs_bpf_count_ratio"] = ">= 100"
            goals["catch_target_rate_counted_vs_not_ratio"] = ">= 0.99"
            goals["catch_syscall_loop_on_off_ratio"] = ">= 0.97"
            goals["catch_mmap_munmap_loop_on_off_ratio"] = ">= 0.90"

        limit = h.read_limit()
        raise_it = found < 1048576 and not a.quick and os.access(h.SYSCTL, os.W_OK)
        with h.RaisedLimit(1048576 if raise_it else found):
            limit = h.read_limit()
            total = 1048576 if limit >= 1048576 else int(0.9 * limit)
            holder = subprocess.Popen([fastest, str(limit), str(total - 2000), "hold"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            holder.stdout.readline()
            try:
                measure_rates(1 if a.quick else min(reps, 3), 1 if a.quick else inner)
            finally:
                holder.stdin.close()
                holder.wait(120)

        def cpu_of(p):
            with open("/proc/%d/stat" % p.pid) as f:
                x = f.read().rsplit(")", 1)[1].split()
            return (int(x[11]) + int(x[12])) / os.sysconf("SC_CLK_TCK")

        # No process near the limit: the shipped watch (catch = "near": the exit hook
        # detached, the host counted by the iterator every 100 ms) against no watch, the
        # two interleaved; and the watch's own CPU meanwhile.
        names = ("off", "near")
        rates, cpu = {n: [] for n in names}, []
        for rep in range(1 if a.quick else inner):
            for n in (names if rep % 2 == 0 else names[::-1]):
                w = watch_with(None) if n == "near" else None
                try:
                    if w:
                        time.sleep(1.5)  # its first scan finds nothing near: detached
                        t0, c0 = time.monotonic(), cpu_of(w)
                    rates[n].append(loops())
                    if w:
                        cpu.append((cpu_of(w) - c0) / (time.monotonic() - t0))
                finally:
                    if w:
                        stop(w)
        for k, name in enumerate(("target", "syscall_loop", "mmap_munmap_loop")):
            base = statistics.median(r[k] for r in rates["off"])
            results["catch_%s_near_idle_vs_off_ratio" % name] = stat(
                [r[k] / base for r in rates["near"]])
        results["catch_near_idle_watch_cpu_share"] = stat(cpu)
        goals["catch_syscall_loop_near_idle_vs_off_ratio"] = ">= 0.99"

    def sec_watch_ping():
        # A client pinging the watch every 20 ms, as a monitoring check does, in three
        # moments at 1048576 (as root): idle; while a process climbs to the limit as fast
        # as it can, again and again; while one at the limit makes refused munmap calls
        # at full speed. The BPF watch, and the /proc scan while one climbs. p50, p99
        # and max of the answers' latency; the goal is p99 <= 50 ms in every moment.
        if os.geteuid() != 0:
            results["watch_ping"] = "skipped: needs root (BPF, the limit raised)"
            return
        span = 2.0 if a.quick else 6.0
        with h.RaisedLimit(max(found, 1048576)):
            limit = h.read_limit()
            for backend in ("bpf", "proc"):
                sock = os.path.join(tmp, "ping-%s.sock" % backend)
                c = conf("wping" + backend, 'watch = { interval = 1; top = 10; backend = "%s"; };\n'
                         % backend)
                d = subprocess.Popen(["timeout", "-k", "5", "600", daemon, "-c", c, "--watch",
                                      "--socket", sock], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
                try:
                    if not h.wait_socket(sock):
                        raise BenchError("the %s watch did not answer" % backend)
                    moments = ("idle", "climb", "storm") if backend == "bpf" else ("climb",)
                    for moment in moments:
                        load = None
                        if moment != "idle":
                            load = subprocess.Popen(
                                [fastest, str(limit), str(2 * limit), moment, str(span + 1)],
                                stdout=subprocess.PIPE, text=True)
                            if moment == "storm":
                                load.stdout.readline()  # at the limit: the storm begins
                        with h.Pinger(sock) as pinger:
                            time.sleep(span)
                        if load:
                            out = load.communicate(timeout=600)[0].split()
                            if moment == "storm" and len(out) >= 2:
                                results["watch_ping_storm_refusals_per_s"] = float(out[-1])
                        p50, p99, mx, lost = pinger.figures()
                        key = "watch_ping_%s%s" % ("" if backend == "bpf" else "proc_", moment)
                        results[key + "_p50_ms"] = stat([p50])
                        results[key + "_p99_ms"] = stat([p99])
                        results[key + "_max_ms"] = stat([mx])
                        results[key + "_unanswered"] = lost
                        goals[key + "_p99_ms"] = "<= 50"
                finally:
                    d.terminate()
                    d.wait(60)

    def sec_raise():
        # The raise policy (as root, on a host at 65530): its reaction time over 20
        # crossings (the fastest climber past raise.at of 65530; the test, as the
        # administrator, puts the limit back and reloads between them); the refusals the
        # fastest climber to 200 000 sees (ceiling 262144); the watch's CPU while a
        # process climbs below the trigger, with the policy armed against without it.
        if os.geteuid() != 0 or found != 65530:
            results["raise"] = "skipped: needs root on a host at 65530"
            return

        def cpu_of(pid):
            """CPU seconds of pid's threads from schedstat, in nanoseconds: the watch
            uses a few ms a second, too few for /proc/PID/stat's 10 ms ticks."""
            total = 0
            for t in os.listdir("/proc/%d/task" % pid):
                try:
                    with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                        total += int(f.read().split()[0])
                except OSError:
                    pass  # a thread that ended meanwhile
            return total / 1e9

        def start(name, text):
            sock = os.path.join(tmp, "raise-%s.sock" % name)
            c = conf("raise" + name, 'watch = { interval = 1; backend = "bpf"; };\n' + text)
            d = subprocess.Popen(["timeout", "-k", "5", "600", daemon, "-c", c, "--watch",
                                  "--socket", sock], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            if not h.wait_socket(sock):
                d.kill()
                raise BenchError("the %s watch did not answer" % name)
            return d, sock

        def set_limit(v):
            with open(h.SYSCTL, "w") as f:
                f.write(str(v))

        def stop(d):
            d.terminate()
            d.wait(60)

        with h.RaisedLimit(found):
            d, sock = start("react", "raise = { enabled = 1; ceiling = 1048576; };\n")
            reactions, disturbed, want = [], 0, 5 if a.quick else 20
            dpid = h.stats(sock)["pid"]  # the daemon's own, not timeout's
            try:
                while len(reactions) < want:
                    set_limit(found)
                    os.kill(dpid, signal.SIGHUP)
                    end = time.monotonic() + 10
                    while time.monotonic() < end:
                        r = h.stats(sock)["raise"]
                        if r["state"] == "armed" and r["limit"] == found:
                            break
                        time.sleep(0.05)
                    t0 = time.time()
                    climber = subprocess.Popen([fastest, str(found), "62000"],
                                               stdout=subprocess.DEVNULL)
                    if climber.wait(60) != 0:
                        raise BenchError("the climber failed: exit %d" % climber.returncode)
                    time.sleep(0.1)
                    new = [x for x in h.stats(sock)["raise"]["raises"] if x["time"] >= t0 - 0.01]
                    ours = [x for x in new if x["pid"] == climber.pid and x["result"] == "raised"]
                    if ours:
                        reactions.append(ours[0]["reaction_ms"])
                    elif any(x["pid"] != climber.pid for x in new) and disturbed < want:
                        # The policy watches the whole host: another process near the
                        # limit (a busy host) raised it first. Not a crossing of ours.
                        disturbed += 1
                    else:
                        raise BenchError("no raise for a crossing: %s" % new)
            finally:
                stop(d)
                set_limit(found)
            reactions.sort()
            pick = lambda q: reactions[min(len(reactions) - 1, int(q * len(reactions)))]  # noqa: E731
            results["raise_reaction_p50_ms"] = stat([pick(0.5)])
            results["raise_reaction_p99_ms"] = stat([pick(0.99)])
            results["raise_reaction_max_ms"] = stat([reactions[-1]])
            results["raise_crossings"] = len(reactions)
            results["raise_crossings_disturbed"] = disturbed
            goals["raise_reaction_p99_ms"] = "<= 2"

            d, sock = start("fast", "raise = { enabled = 1; ceiling = 262144; };\n")
            try:
                out = subprocess.check_output([fastest, "262144", "200000"], text=True).split()
                time.sleep(0.1)
                s = h.stats(sock)
            finally:
                stop(d)
                set_limit(found)
            results["raise_fastest_climber_vmas_made"] = int(out[1])
            results["raise_fastest_climber_refusals"] = sum(s["watch"]["catch"]["hits"].values())
            goals["raise_fastest_climber_refusals"] = "<= 0"

            # The watch's CPU while a process climbs to 50 000 again and again (below the
            # trigger at 58 977), the policy armed against off, interleaved.
            span = 2.0 if a.quick else 4.0
            cpu = {"off": [], "armed": []}
            for rep in range(1 if a.quick else 3):
                for n in (("off", "armed") if rep % 2 == 0 else ("armed", "off")):
                    d, sock = start("cpu" + n, "raise = { enabled = %d; };\n" % (n == "armed"))
                    try:
                        time.sleep(0.5)
                        # the daemon is timeout's child: its own pid from the stats
                        dpid = h.stats(sock)["pid"]
                        t0, c0 = time.monotonic(), cpu_of(dpid)
                        subprocess.run([fastest, str(found), "50000", "climb", str(span)],
                                       stdout=subprocess.DEVNULL, check=True)
                        cpu[n].append((cpu_of(dpid) - c0) / (time.monotonic() - t0))
                    finally:
                        stop(d)
            base = statistics.median(cpu["off"]) or 1e-9
            results["raise_watch_cpu_share_armed"] = stat(cpu["armed"])
            results["raise_watch_cpu_share_off"] = stat(cpu["off"])
            results["raise_watch_cpu_armed_vs_off_ratio"] = stat([c / base for c in cpu["armed"]])

    def sec_stats():
        # stats latency while 2 workers run flat out; memory per live region at ~30k regions.
        sock = os.path.join(tmp, "stats.sock")
        d = subprocess.Popen([daemon, "-c", conf("lat", 'profile = "guarded";\n'), "-w", "2",
                              "--socket", sock], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if os.path.exists(sock):
                    break
                time.sleep(0.05)
            time.sleep(0.5)
            lat = []
            for _ in range(100 if a.quick else 1000):
                t0 = time.perf_counter()
                h.query(sock, b"stats\n")
                lat.append((time.perf_counter() - t0) * 1e3)
            lat.sort()
            results["stats_latency_ms"] = {"p50": lat[len(lat) // 2], "p99": lat[int(len(lat) * 0.99)],
                                           "n": len(lat)}
        finally:
            d.send_signal(signal.SIGTERM)
            d.wait(60)


    def sec_memory():
        def wait_held(proc):
            """Until the daemon stops itself at the hold (SIGSTOP), or a BenchError: a
            build without the hook (VMASTRESS_TEST_HOLD) exits, and nothing waits for ever."""
            end = time.monotonic() + 120
            while True:
                with open("/proc/%d/stat" % proc.pid) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                if state == "T":
                    return
                if proc.poll() is not None or time.monotonic() > end:
                    if proc.poll() is None:
                        proc.kill()
                    proc.wait(60)
                    raise BenchError("%s: never held (exit %s): a build without the hold hook"
                                     % (" ".join(proc.args), proc.returncode))
                time.sleep(0.05)

        def held_rss(cfg, extra):
            env = dict(os.environ, VMASTRESS_TEST_HOLD=os.path.join(tmp, "hold.json"))
            proc = subprocess.Popen([daemon, "-c", cfg, "--socket", "none"] + extra, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_held(proc)
            with open("/proc/%d/status" % proc.pid) as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            with open(os.path.join(tmp, "hold.json")) as f:
                n = json.load(f)["mappings"]
            os.kill(proc.pid, signal.SIGCONT)
            proc.wait(60)
            return rss, n


        # Maps almost only (munmap must weigh > 0), so --max-ops N leaves ~N live regions.
        mem = conf("mem", 'profile = "guarded";\nworkers = 1;\npressure = { target_fill = 0.97; };\n'
                          'ops = { mmap = 1000000; mprotect = 0; munmap = 1; punch = 0; };\n')
        per = []
        for _ in range(reps):
            rss0, n0 = held_rss(mem, ["--max-ops", "1"])
            rss1, n1 = held_rss(mem, ["--max-ops", "30000"])
            per.append((rss1 - rss0) * 1024.0 / max(1, n1 - n0))
        results["bytes_per_live_region"] = stat(per)
        # The design: a 16-byte region slot and the per-page model's byte for each page of
        # the region (guarded: 1-64 data pages and a separator, 33.5 on average). The model
        # is what makes every prediction exact; it grows with the pages, not the calls.
        design = 16 + (1 + 64) / 2 + 1
        results["bytes_per_live_region_vs_design_ratio"] = stat([x / design for x in per])
        goals["bytes_per_live_region_vs_design_ratio"] = "<= 1.1"
        results["live_regions_measured"] = n1
        results["bookkeeping_rss_kib_at_start"] = rss0

        # RSS per VMA held, every shape, at the current limit and (as root) at
        # 1048576, and at 2147483642 under a 512 MiB memory cgroup: the report's
        # rss_per_vma_bytes, the one method (docs/cost.md): the daemon's peak RSS over
        # its peak VMA count, in a run long enough to fill and hold. The teardown of
        # fragment's VMAs at 1048576 against a bare munmap of as many, a pair a call.
        def held_profile(profile, limit_tag, prefix=()):
            # At the hold (VMASTRESS_TEST_HOLD: the run's end, before teardown) the hook's
            # report has the figure; the teardown is timed from SIGCONT to the exit.
            dur = secs + 3 if limit_tag == "now" or a.quick else 15
            hold = os.path.join(tmp, "hold.json")
            env = dict(os.environ, VMASTRESS_TEST_HOLD=hold)
            proc = subprocess.Popen(list(prefix) + [daemon, "-p", profile, "-w", "2", "-d",
                                                    str(dur), "--socket", "none"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_held(proc)
            with open(hold) as f:
                x = json.load(f)
            t0 = time.monotonic()
            os.kill(proc.pid, signal.SIGCONT)
            proc.wait(600)
            if "rss_per_vma_bytes" not in x:  # a build from before the field: its parts
                x["rss_per_vma_bytes"] = x["rss_max_bytes"] / max(1, x["map_count_peak"])
            results["rss_per_vma_%s_%s" % (profile, limit_tag)] = x["rss_per_vma_bytes"]
            goals["rss_per_vma_%s_%s" % (profile, limit_tag)] = "<= 24" if limit_tag == "1048576" \
                else ""
            return x["map_count_peak"], time.monotonic() - t0

        profiles = daemon_shapes(daemon)
        for prof in profiles:
            held_profile(prof, "now")
        if os.access(h.SYSCTL, os.W_OK) and not a.quick:
            with h.RaisedLimit(max(found, 1048576)):
                for prof in profiles:
                    vmas, down = held_profile(prof, "1048576")
                    if prof == "fragment":
                        out = subprocess.check_output([fastest, str(h.read_limit()), str(vmas),
                                                       "teardown"]).split()
                        results["teardown_fragment_1048576_s"] = down
                        results["teardown_bare_munmap_s"] = float(out[2])
                        results["teardown_vs_bare_munmap_ratio"] = down / float(out[2])
                        goals["teardown_vs_bare_munmap_ratio"] = "<= 1.2"
            cgroot = "/sys/fs/cgroup/memory" if os.path.exists("/sys/fs/cgroup/memory/cgroup.procs") \
                else "/sys/fs/cgroup"
            knob = "memory.limit_in_bytes" if cgroot.endswith("memory") else "memory.max"
            cg = os.path.join(cgroot, "vmastress-bench-%d" % os.getpid())
            try:
                os.mkdir(cg)
                with open(os.path.join(cg, knob), "w") as f:
                    f.write(str(512 << 20))
                with h.RaisedLimit(2147483642):
                    for prof in ("fragment", "guarded"):
                        held_profile(prof, "2147483642_cap512m",
                                     ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg])
            except OSError as e:
                results["rss_per_vma_capped"] = "skipped: %s" % e
            finally:
                try:
                    os.rmdir(cg)
                except OSError:
                    pass


    progress["runs"].append({"label": label, "results": results})
    sections = [(n, f) for n, f in (("churn", sec_churn), ("verify", sec_verify),
                                    ("latency", sec_latency), ("stress-ng", sec_stress_ng),
                                    ("limits", sec_limits), ("watch", sec_watch),
                                    ("catch", sec_catch), ("watch_ping", sec_watch_ping),
                                    ("raise", sec_raise),
                                    ("stats", sec_stats), ("memory", sec_memory)) if n in want]
    for i, (name, fn) in enumerate(sections):
        t0 = time.monotonic()
        print("bench: %s: section %s (%d of %d)..." % (label, name, i + 1, len(sections)),
              flush=True)
        try:
            fn()
        except BenchError as e:
            results["section_" + name.replace("-", "_")] = "failed: %s" % e
        except SystemExit as e:  # a helper that exits: that section's failure, not the run's
            results["section_" + name.replace("-", "_")] = "failed: exited (%s)" % e.code
        except Exception as e:  # noqa: BLE001 -- one broken section never loses the others
            traceback.print_exc()
            results["section_" + name.replace("-", "_")] = "failed: %s: %s" % (type(e).__name__, e)
        print("bench: %s: section %s done in %.0f s" % (label, name, time.monotonic() - t0),
              flush=True)
        save(progress)
    return results, goals


def build_ref(ref):
    """REF (a git ref) built in a temporary directory as the tree's build is: its vmastressd."""
    src = subprocess.check_output(["git", "-C", os.path.dirname(os.path.abspath(__file__)),
                                   "rev-parse", "--show-toplevel"], text=True).strip()
    sha = subprocess.check_output(["git", "-C", src, "rev-parse", "--verify", ref + "^{commit}"],
                                  text=True).strip()
    where = os.path.join(tmp, "baseline")
    os.makedirs(os.path.join(where, "src"))
    subprocess.run("git -C '%s' archive %s | tar -x -C '%s'" % (src, sha, os.path.join(where, "src")),
                   shell=True, check=True)
    btype = "RelWithDebInfo"
    cache = os.path.join(os.path.dirname(os.path.abspath(a.daemon)), "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:") and line.split("=", 1)[1].strip():
                    btype = line.split("=", 1)[1].strip()
    log = open(os.path.join(where, "build.log"), "w")
    subprocess.run(["cmake", "-S", os.path.join(where, "src"), "-B", os.path.join(where, "build"),
                    "-DCMAKE_BUILD_TYPE=" + btype, "-DVS_BUILD_TESTS=OFF"], check=True, stdout=log,
                   stderr=subprocess.STDOUT)
    subprocess.run(["cmake", "--build", os.path.join(where, "build"), "--target", "vmastressd",
                    "-j%d" % (os.cpu_count() or 1)], check=True, stdout=log, stderr=subprocess.STDOUT)
    print("baseline %s (%s) built: %s" % (ref, sha[:12], btype))
    return os.path.join(where, "build", "vmastressd"), sha


lower_is_better = benchstats.lower_is_better


def ab_pairs(tree, base):
    """The speed figures, the tree against the baseline directly: back-to-back pairs of
    the same run with either daemon, pinned alike, the order alternating. Each figure is
    judged by its pairs (benchstats.judge_pairs); one that cannot be measured says why."""
    churn = conf("ab_churn", CHURN_CONF % 0)
    verify = conf("ab_verify", CHURN_CONF % 100)
    latency = conf("ab_latency", LATENCY_CONF % 8)
    same = conf("ab_same", SAME_WORK_CONF % 2)

    def rate(cfg, workers, pin, key="mmap"):
        def make(d):
            def run():
                x = run_daemon(cfg, ["-w", str(workers)], PAIR_S, prefix=pin, daemon=d)
                n = x["ops"]["mmap"] if key == "mmap" else x[key]
                return n / x["uptime_seconds"]
            return run
        return make

    def fixed_work(shape):
        # A fixed amount of work, whole process (start, the work, teardown), wall time.
        def make(d):
            def run():
                t0 = time.monotonic()
                p = subprocess.run(PIN_ONE + [d, "-p", shape, "-w", "1", "--max-ops",
                                              str(FIXED_WORK_OPS), "--socket", "none"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   timeout=600)
                if p.returncode != 0:
                    raise BenchError("%s -p %s: exit %d: %s" % (d, shape, p.returncode,
                                                                 p.stderr[-500:]))
                return time.monotonic() - t0
            return run
        return make

    specs = []
    if "churn" in want:
        specs += [("churn_1_worker_cycles_per_s", rate(churn, 1, PIN_ONE), a.pairs),
                  ("churn_2_workers_cycles_per_s", rate(churn, 2, PIN_TWO), a.pairs),
                  ("guarded_fixed_work_wall_s", fixed_work("guarded"), min(a.pairs, 10)),
                  ("churn_fixed_work_wall_s", fixed_work("churn"), min(a.pairs, 10))]
    if "verify" in want:
        specs.append(("verify_on_cycles_per_s", rate(verify, 1, PIN_ONE), a.pairs))
    if "latency" in want:
        specs.append(("latency_on_cycles_per_s", rate(latency, 1, PIN_ONE), a.pairs))
    if "stress-ng" in want:
        specs.append(("vmastressd_vmas_created_per_s", rate(same, 1, PIN_TWO, "vmas_created"),
                      a.pairs))
    figs = {}
    for name, make, n in specs:
        print("bench: tree against baseline, %d pairs: %s..." % (n, name), flush=True)
        try:
            ratios = pairs(make(base), make(tree), n)[0]
            figs[name] = benchstats.judge_pairs(ratios, lower_is_better(name))
        except (BenchError, OSError, subprocess.SubprocessError, KeyError, ValueError) as e:
            figs[name] = "failed: %s: %s" % (type(e).__name__, e)
    return figs


FIXED_WORK_OPS = 300000 if a.quick else a.fixed_ops

lower_is_better = benchstats.lower_is_better


failed = {}
if a.baseline or a.baseline_daemon:
    if a.baseline:
        base_daemon, base_sha = build_ref(a.baseline)
    else:
        base_daemon, base_sha = os.path.abspath(a.baseline_daemon), "(built)"
    tree_runs, base_runs = [], []
    for rep in range(a.reps):
        # Interleaved, rep by rep, the order alternating: drift on the machine falls
        # on both alike.
        order = [("tree", a.daemon), ("baseline", base_daemon)]
        for who, d in (order if rep % 2 == 0 else order[::-1]):
            r, goals = measure(d, 1, "%s, rep %d of %d" % (who, rep + 1, a.reps),
                               max(2, a.pairs // 4))
            (tree_runs if who == "tree" else base_runs).append(r)
    results, baseline, vs = benchstats.compare(tree_runs, base_runs)
    ref = a.baseline or a.baseline_daemon
    results["vs_baseline"] = {"ref": ref, "commit": base_sha, "figures": vs,
                              "pairs": ab_pairs(a.daemon, base_daemon)}
    results["baseline"] = baseline
    failed = benchstats.failures(results, "")
    failed.update(benchstats.failures(baseline, "baseline "))
    failed.update(benchstats.failures(results["vs_baseline"]["pairs"], "pairs "))
else:
    results, goals = measure(a.daemon, a.reps)
    failed = benchstats.failures(results, "")

print("%-48s %12s %12s %12s  %s" % ("figure", "median", "min", "max", "goal"))
for k, v in results.items():
    if k in ("vs_baseline", "baseline"):
        continue
    if isinstance(v, dict) and "median" in v:
        print("%-48s %12.4g %12.4g %12.4g  %s" % (k, v["median"], v["min"], v["max"],
                                                goals.get(k, "")))
    elif isinstance(v, dict):
        print("%-48s %s" % (k, " ".join("%s=%.4g" % kv for kv in v.items())))
    elif v is None:
        print("%-48s %12s" % (k, "n/a"))
    else:
        print("%-48s %s" % (k, v))
regressions = []
if a.baseline or a.baseline_daemon:
    vs = results["vs_baseline"]["figures"]
    print("\nagainst %s (%s), the same run, interleaved rep by rep: tree / baseline"
          % (results["vs_baseline"]["ref"], results["vs_baseline"]["commit"][:12]))
    print("%-48s %12s %12s %12s  %s" % ("figure", "vs_baseline", "min", "max", "noise"))
    for k, st in vs.items():
        print("%-48s %12.4g %12.4g %12.4g  %.3f%s" % (
            k, st["median"], st["min"], st["max"], st["noise"],
            "  REGRESSION (%s is better)" % ("lower" if lower_is_better(k) else "higher")
            if st["regression"] else "  (reference)" if st["reference"] else ""))
    regressions += [k for k, st in vs.items() if st["regression"]]
    pv = results["vs_baseline"]["pairs"]
    if pv:
        print("\nthe speed figures in back-to-back pairs, pinned, the order alternating: "
              "tree / baseline")
        print("%-48s %12s %12s %12s  %s" % ("figure", "median", "q1", "q3", "pairs worse, p"))
    for k, st in pv.items():
        if isinstance(st, str):
            print("%-48s %s" % (k, st))
            continue
        print("%-48s %12.4g %12.4g %12.4g  %d/%d, p=%.3g%s" % (
            k, st["median"], st["q1"], st["q3"], st["worse"], st["n"], st["p_worse"],
            "  REGRESSION (%s is better)" % ("lower" if lower_is_better(k) else "higher")
            if st["regression"] else ""))
    regressions += ["pairs " + k for k, st in pv.items() if isinstance(st, dict) and
                    st["regression"]]
    print("regressions: %s" % (", ".join(regressions) if regressions else
                               "none beyond the noise of this run"))
for k, why in failed.items():  # what it could not measure, and why
    print("not measured: %s: %s" % (k, why))
results["reps"] = a.reps
results["seconds"] = a.seconds
with open(a.json, "w") as f:
    json.dump(results, f, indent=1)
print("JSON:", a.json)
shutil.rmtree(tmp, ignore_errors=True)
# The tree's failures fail the run; the baseline's are what an older build could not
# measure (a section it predates): printed above, not a failure of the A/B.
tree_failed = [k for k in failed if not k.startswith("baseline ")]
if tree_failed:
    sys.exit("bench: failed sections: %s" % ", ".join(tree_failed))
if regressions:
    sys.exit(3)  # a regression against the baseline, printed above
