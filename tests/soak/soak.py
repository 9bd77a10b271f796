#!/usr/bin/env python3
"""Soak: fragment at the kernel's limit for a long time (default 10 min). Samples RSS and
open fds every 10 s (must stay flat), then holds the daemon at shutdown and checks that
the leaked bytes it reports are what /proc/PID/maps shows and that the count is exact.
Not part of the default suite:
  python3 tests/soak/soak.py --daemon build/vmastressd [--minutes 10]"""
import argparse
import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import vsharness as h  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--daemon", required=True)
p.add_argument("--minutes", type=float, default=10)
a = p.parse_args()
tmp = tempfile.mkdtemp(prefix="vmastress-soak-")
path = os.path.join(tmp, "stats.sock")
cfg = h.write_config(tmp, 'shape = "fragment";\nworkers = 2;\n'
                          'log = { summary_interval = 60; };\n')
d = h.Daemon(a.daemon, ["-c", cfg], hold=True, tmp=tmp, socket=path)


def sample():
    with open("/proc/%d/status" % d.p.pid) as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    fds = len(os.listdir("/proc/%d/fd" % d.p.pid))
    s = h.stats(path)
    return rss, fds, s


try:
    h.check(h.wait_socket(path), "daemon up")
    time.sleep(10)  # past the ramp to the limit
    samples = []
    end = time.monotonic() + a.minutes * 60
    while time.monotonic() < end:
        rss, fds, s = sample()
        samples.append((rss, fds))
        print("t=%5.0fs rss=%d KiB fds=%d vmas=%d/%d ops=%d munmap_enomem=%d leaked=%d "
              "reclaimed=%d drift_max=%d" % (s["uptime_seconds"], rss, fds,
              s["map_count"], s["max_map_count"], sum(s["ops"].values()),
              s["failures"]["munmap"]["ENOMEM"], s["leaks"]["bytes"],
              s["leaks"]["reclaimed_bytes"], s["accounting"]["drift_max"]), flush=True)
        time.sleep(10)
    rss0, fds0 = samples[0]
    rss_max = max(r for r, _ in samples)
    fds_set = sorted(set(f for _, f in samples))
    print("RSS first %d KiB, max %d KiB, last %d KiB; fds %s"
          % (rss0, rss_max, samples[-1][0], fds_set))
    h.check(rss_max <= rss0 * 1.10 + 1024, "RSS flat (within 10 % + 1 MiB of the first sample)")
    h.check(len(fds_set) <= 2 and max(fds_set) - min(fds_set) <= 2, "open fds flat")
    os.kill(d.p.pid, signal.SIGTERM)
    h.check(h.wait_stopped(d.p.pid, 60), "held at shutdown")
    with open(d.hold) as f:
        held = json.load(f)
    shown = sum(h.leaked_in_proc(d.p.pid, held["leaked_regions"]))
    h.check(shown == held["leaks"]["bytes"], "leaked bytes %d == /proc %d"
            % (held["leaks"]["bytes"], shown))
    h.check(held["map_count"] == h.proc_vmas(d.p.pid), "at rest: exact")
    h.check(held["accounting"]["drift_max"] == 0, "no drift at any of %d verifications"
            % held["accounting"]["verifications"])
    os.kill(d.p.pid, signal.SIGCONT)
    h.check(d.wait(120) == 0, "exit 0")
finally:
    d.kill()
