"""A raised vm.max_map_count is picked up at runtime and used; the original is restored."""
import atexit
import os
import signal
import sys
import tempfile
import time
import vsharness as h

a = h.args()
original = h.read_limit()
if not os.access(h.SYSCTL, os.W_OK):
    h.skip("needs root to write %s" % h.SYSCTL)
raised = max(original * 2, 131072)


def restore():
    # Only ever back to the value found, which is below what we set.
    if h.read_limit() != original:
        with open(h.SYSCTL, "w") as f:
            f.write(str(original))


atexit.register(restore)
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, lambda *_: sys.exit(1))

tmp = tempfile.mkdtemp(prefix="vmastress-test-")
cfg = h.write_config(tmp, 'shape = "guarded";\naccounting = { sysctl_interval_ms = 200; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "2", "-d", "6"], tmp=tmp)
try:
    time.sleep(1.5)  # at the cap of the original limit by now
    # The sysctl is read every 200 ms: 10 reads later, no descriptor more is open.
    fds = len(os.listdir("/proc/%d/fd" % d.p.pid))
    time.sleep(2)
    later = len(os.listdir("/proc/%d/fd" % d.p.pid))
    h.check(later <= fds, "re-reading the limit leaks no descriptor: %d open, then %d"
            % (fds, later))
    with open(h.SYSCTL, "w") as f:
        f.write(str(raised))
    h.check(d.wait(60) == 0, "exit 0")
    r = d.result()
    h.check(r["max_map_count"] == raised, "the report shows the new limit %d" % r["max_map_count"])
    h.check(r["accounting"]["limit_changes"] == 1, "one limit change noticed")
    h.check("vm.max_map_count changed from %d to %d" % (original, raised) in d.log(),
            "the change was logged")
    want_cap = int(0.9 * raised) if not h.SANITIZER else raised // 4  # see compute_cap()
    h.check(r["vma_cap"] == want_cap, "pressure cap recomputed: %d" % r["vma_cap"])
    h.check_exact(r["map_count_peak"] > original, "peak %d went past the old limit %d"
                  % (r["map_count_peak"], original))
    h.check_exact(r["accounting"]["drift_last"] == 0, "still exact")
finally:
    d.kill()
    restore()
h.check(h.read_limit() == original, "vm.max_map_count restored to %d" % original)
