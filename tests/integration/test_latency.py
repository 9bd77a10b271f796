"""Call latency: per kind of call and fill band, as p50/p99/max/count in the JSON and as a
Prometheus histogram (vmastress_op_duration_seconds{op,fill}); off with accounting.latency = 0."""
import os
import re
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
h.emulate_limit_under_sanitizer()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
path = os.path.join(tmp, "stats.sock")
d = h.Daemon(a.daemon, ["-p", "fragment", "-w", "2", "-d", "30"], tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "daemon up")
    time.sleep(2)  # at the limit by now
    lat = h.stats(path)["latency"]
    h.check(set(lat) == {"mmap", "mprotect", "munmap", "punch"} and
            all(set(v) == {"low", "mid", "high"} for v in lat.values()), "every kind and band")
    # The build (maps and re-protections) crosses every band; the churn's unmaps and
    # holes come after it, at the limit.
    for kind in ("mmap", "mprotect"):
        h.check(all(lat[kind][band]["count"] > 0 for band in ("low", "mid", "high")),
                "%s timed in every band: %s" % (kind, {b: v["count"] for b, v in lat[kind].items()}))
    for kind in ("mmap", "mprotect", "munmap", "punch"):
        high = lat[kind]["high"]
        h.check(0 < high["p50"] <= high["p99"] <= high["max"] < 1, "%s at the limit: %s"
                % (kind, high))
    m = h.query(path, b"metrics\n").decode()
    h.check("# TYPE vmastress_op_duration_seconds histogram" in m and
            re.search(r'^vmastress_op_duration_seconds_bucket\{op="munmap",fill="high",le="\+Inf"\} '
                      r'[1-9]\d*$', m, re.M) and
            re.search(r'^vmastress_op_duration_seconds_count\{op="punch",fill="high"\} [1-9]', m,
                      re.M), "the histogram in the metrics")
    promtool = h.find_promtool()
    if promtool:
        p = subprocess.run([promtool, "check", "metrics"], input=m, capture_output=True,
                           text=True)
        h.check(p.returncode == 0 and p.stdout + p.stderr == "", "promtool check metrics: clean")
finally:
    d.kill()

cfg = h.write_config(tmp, 'shape = "churn";\naccounting = { latency = 0; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "1", "-d", "1"], tmp=tmp)
h.check(d.wait(60) == 0, "a run with accounting.latency = 0")
r = d.result()
h.check(all(b["count"] == 0 for v in r["latency"].values() for b in v.values()) and
        r["ops"]["mmap"] > 0, "times nothing")

# Every call timed (accounting.latency = 1): the histograms' counts are the op counters,
# once by kind and once by the shape's name for the call, through the limit and back.
cfg = h.write_config(tmp, 'accounting = { latency = 1; };\n')
for shape, calls in (("threads", {"stack mmap": "mmap", "guard page mprotect": "mprotect",
                                  "stack munmap": "munmap"}),
                     ("allocator", {"reserve": "mmap", "commit": "mprotect",
                                    "decommit": "mprotect", "release": "munmap"})):
    # A demand past the limit: built up to it, refused there, then churned (exit 2).
    d = h.Daemon(a.daemon, ["-c", cfg, "-p", shape, "-w", "2", "-d", "3", "--demand",
                            str(h.read_limit() + 1000)], tmp=tmp)
    h.check(d.wait(60) == 2, "%s: a run with every call timed, not held" % shape)
    r = d.result()
    n = {k: sum(b["count"] for b in v.values()) for k, v in r["latency"].items()}
    c = {k: sum(b["count"] for b in v.values()) for k, v in r["call_latency"].items()}
    ops = r["ops"]
    h.check(n["mmap"] == ops["mmap"] and n["mprotect"] == ops["mprotect"] and
            n["munmap"] + n["punch"] == ops["munmap"] and ops["munmap"] > 0,
            "%s: timed by kind %s = ops %s" % (shape, n, ops))
    h.check(set(c) == set(calls), "%s: every call named: %s" % (shape, sorted(c)))
    by_op = {op: sum(c[k] for k, o in calls.items() if o == op) for op in ops}
    h.check(by_op == ops, "%s: timed by call %s = ops %s" % (shape, c, ops))
    h.check(r["max_map_count"] > 0 and
            sum(r["call_latency"][k]["high"]["count"] for k in calls) > 0,
            "%s: calls timed at the limit (high band)" % shape)
