"""Call latency: per kind of call and fill band, as p50/p99/max/count in the JSON and as a
Prometheus histogram (vmastress_op_duration_seconds{op,fill}); off with accounting.latency = 0."""
import os
import re
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
h.skip_under_sanitizer("fragment at the limit")
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

cfg = h.write_config(tmp, 'profile = "churn";\naccounting = { latency = 0; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "1", "-d", "1"], tmp=tmp)
h.check(d.wait(60) == 0, "a run with accounting.latency = 0")
r = d.result()
h.check(all(b["count"] == 0 for v in r["latency"].values() for b in v.values()) and
        r["ops"]["mmap"] > 0, "times nothing")
