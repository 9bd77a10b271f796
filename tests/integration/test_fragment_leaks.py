"""fragment at the real limit: munmap ENOMEM and leaks within 5 s; leak figures equal /proc."""
import json
import os
import signal
import tempfile
import vsharness as h

a = h.args()
h.emulate_limit_under_sanitizer()
limit = h.read_limit()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
# Leaks stay leaked while the daemon runs (no retries within the run), so the
# hold point sees them; teardown retries them.
cfg = h.write_config(tmp, 'shape = "fragment";\nleaks = { retry_interval_ms = 3600000; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "2", "-d", "5"], hold=True, tmp=tmp)
try:
    h.check(h.wait_stopped(d.p.pid, 60), "daemon reached the hold point")
    with open(d.hold) as f:
        held = json.load(f)
    vmas = h.proc_vmas(d.p.pid)
    first = held["first_enomem_seconds"]["munmap"]
    h.check(held["failures"]["munmap"]["ENOMEM"] > 0, "munmap failed with ENOMEM (%d times)"
            % held["failures"]["munmap"]["ENOMEM"])
    h.check(first is not None and first < 5.0, "first munmap ENOMEM after %.3f s (< 5 s)" % first)
    h.check(held["enomem"]["map_count"]["munmap"] > 0, "classified as the map count's ENOMEM")
    # Plenty of memory here: not one ENOMEM may be put down to it, even though
    # the other worker moves the shared count while a refusal is classified.
    h.check(not any(held["enomem"]["memory"].values()), "none classified as memory: %s"
            % held["enomem"]["memory"])
    h.check(held["map_count_peak"] >= limit, "peak %d reached the limit %d"
            % (held["map_count_peak"], limit))
    # The kernel refuses a new VMA past limit + 1 (mmap checks count > limit):
    # a higher peak would be the workers' settle order, not the kernel.
    h.check(held["map_count_peak"] <= limit + 1, "peak %d never above limit + 1 (%d)"
            % (held["map_count_peak"], limit + 1))
    leaks = held["leaked_regions"]
    h.check(held["leaks"]["bytes"] > 0 and len(leaks) == held["leaks"]["mappings"],
            "%d leaked regions, %d bytes" % (len(leaks), held["leaks"]["bytes"]))
    shown = h.leaked_in_proc(d.p.pid, leaks)
    for r, in_proc in zip(leaks, shown):
        if in_proc != r["bytes"]:
            h.check(False, "leak at %#x: report %d bytes, /proc %d" % (r["addr"], r["bytes"], in_proc))
    total = sum(shown)
    h.check(total == held["leaks"]["bytes"], "leaked bytes %d == what /proc/PID/maps shows" % total)
    h.check_exact(held["map_count"] == vmas, "at rest: exact count %d == /proc %d"
            % (held["map_count"], vmas))
    os.kill(d.p.pid, signal.SIGCONT)
    h.check(d.wait(120) == 0, "exit 0 after teardown")
    final = d.result()
    h.check(final["final"] is True, "final report written")
    h.check(final["leaks"]["reclaimed_bytes"] >= held["leaks"]["bytes"],
            "teardown reclaimed the leaks (%d bytes)" % final["leaks"]["reclaimed_bytes"])
    h.check(final["leaks"]["bytes"] == sum(r["bytes"] for r in final["leaked_regions"]),
            "final report lists exactly what stayed mapped")
finally:
    d.kill()
