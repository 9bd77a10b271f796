#!/usr/bin/env python3
"""Quick figures for the engine: churn cycles/s vs a plain C loop (same run), memory per
live region, time to the first munmap ENOMEM in fragment. Usage:
  churn_vs_loop.py --daemon build/vmastressd --loop build/tests/plain_loop [--reps 5] [--seconds 2]
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time

p = argparse.ArgumentParser()
p.add_argument("--daemon", required=True)
p.add_argument("--loop", required=True)
p.add_argument("--reps", type=int, default=5)
p.add_argument("--seconds", type=float, default=2.0)
a = p.parse_args()
tmp = tempfile.mkdtemp(prefix="vmastress-bench-")
empty = os.path.join(tmp, "empty.conf")
open(empty, "w").close()


def daemon(argv, hold=False):
    report = os.path.join(tmp, "r.json")
    env = dict(os.environ)
    if hold:
        env["VMASTRESS_TEST_HOLD"] = os.path.join(tmp, "hold.json")
    return subprocess.Popen([a.daemon, "--socket", "none", "--report", report] + argv, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), report


def churn_rate(workers):
    proc, report = daemon(["-p", "churn", "-w", str(workers), "-d", str(int(a.seconds)),
                           "-c", empty])
    proc.wait()
    with open(report) as f:
        r = json.load(f)
    return r["ops"]["mmap"] / r["uptime_seconds"]


def summary(xs):
    return "%.0f (min %.0f, max %.0f)" % (statistics.median(xs), min(xs), max(xs))


loop, churn1, ratio = [], [], []
for _ in range(a.reps):
    # Interleaved, so both see the same machine state.
    ref = float(subprocess.check_output([a.loop, str(a.seconds), "16"]))
    c = churn_rate(1)
    loop.append(ref)
    churn1.append(c)
    ratio.append(c / ref)
print("plain C loop cycles/s      ", summary(loop))
print("churn, 1 worker cycles/s   ", summary(churn1))
print("ratio churn/loop            %.3f (min %.3f, max %.3f)"
      % (statistics.median(ratio), min(ratio), max(ratio)))

first = []
for _ in range(a.reps):
    proc, report = daemon(["-p", "fragment", "-w", "2", "-d", "3", "-c", empty])
    proc.wait()
    with open(report) as f:
        first.append(json.load(f)["first_enomem_seconds"]["munmap"])
print("fragment first munmap ENOMEM s  %.3f (min %.3f, max %.3f)"
      % (statistics.median(first), min(first), max(first)))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


# Memory per live region: RSS at the hold point with ~30k live regions against
# the same daemon held after one operation (both include the bookkeeping
# allocated up front; the difference is what live regions touch).
cfg = os.path.join(tmp, "m.conf")
with open(cfg, "w") as f:
    f.write('profile = "guarded";\nworkers = 1;\npressure = { target_fill = 0.95; };\n')


def held_rss(argv):
    proc, _ = daemon(["-c", cfg] + argv, hold=True)
    while True:
        with open("/proc/%d/stat" % proc.pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "T":
                break
        time.sleep(0.05)
    rss = rss_kib(proc.pid)
    with open(os.path.join(tmp, "hold.json")) as f:
        n = json.load(f)["mappings"]
    os.kill(proc.pid, signal.SIGCONT)
    proc.wait()
    return rss, n


rss0, n0 = held_rss(["--max-ops", "1"])
rss1, n1 = held_rss(["-d", "2"])
print("live regions %d -> %d, RSS %d KiB -> %d KiB: %.1f bytes per live region"
      % (n0, n1, rss0, rss1, (rss1 - rss0) * 1024.0 / (n1 - n0)))
