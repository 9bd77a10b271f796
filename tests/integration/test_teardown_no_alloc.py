"""From the end of the run to the exit, the daemon asks the kernel for no mapping.

The run ends at (or near) vm.max_map_count, so anything its teardown allocates is an
mmap or brk the kernel may refuse: a call the daemon does not count, and one the
watch catches in the daemon's name (test_catch saw 7 such mmap refusals from glibc's
qsort, whose malloc'ed copy of the region table is an mmap at that size). Every
shape, 2 workers, held at the end of the run (the test hook), then traced by strace
through teardown and exit: no mmap, mremap or brk, and no drift."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
h.skip_under_sanitizer("a run that ends at the limit, and a runtime that maps as it frees")
if not shutil.which("strace"):
    h.skip("needs strace to watch the daemon's teardown (.ci/run installs it)")

with open("/proc/sys/vm/max_map_count") as f:
    limit = int(f.read())
for shape in h.shapes(a.daemon):
    tmp = tempfile.mkdtemp(prefix="vmastress-test-")
    d = h.Daemon(a.daemon, ["-p", shape, "-w", "2", "-d", "2"], hold=True, tmp=tmp)
    tracer = None
    try:
        h.check(h.wait_stopped(d.p.pid, 60), "%s: held at the end of the run" % shape)
        with open(d.hold) as f:
            held = json.load(f)
        trace = os.path.join(tmp, "trace")
        tracer = subprocess.Popen(["timeout", "-k", "5", "120", "strace", "-f", "-qq", "-o", trace,
                                   "-e", "trace=mmap,mremap,brk", "-p", str(d.p.pid)],
                                  stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end:  # attached: the tracer shows in the tracee's status
            with open("/proc/%d/status" % d.p.pid) as f:
                if re.search(r"^TracerPid:\s+[1-9]", f.read(), re.M):
                    break
            time.sleep(0.02)
        else:
            h.check(False, "%s: strace attached" % shape)
        os.kill(d.p.pid, signal.SIGCONT)
        rc = d.wait(120)
        tracer.wait(30)
        h.check(rc in (0, 2), "%s: exit %d (0 held, 2 not held)" % (shape, rc))
        with open(trace) as f:
            calls = [l.strip() for l in f if re.match(r"\d+\s+(mmap|mremap|brk)\(", l)]
        fill = held["map_count"] / float(limit)
        h.check(not calls, "%s: %d VMAs at the hold (%.0f %% of the limit), %d mapping calls "
                "in teardown and exit%s" % (shape, held["map_count"], 100 * fill, len(calls),
                                            (": " + "; ".join(calls[:4])) if calls else ""))
        h.check(d.result()["accounting"]["drift_last"] == 0, "%s: no drift after teardown" % shape)
    finally:
        d.kill()
        if tracer and tracer.poll() is None:
            os.kill(tracer.pid, signal.SIGKILL)
            tracer.wait()
