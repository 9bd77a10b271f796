"""Every shape, one and two workers: the internal count equals /proc/PID/maps at rest."""
import json
import os
import signal
import tempfile
import vsharness as h

a = h.args()
# fragment lives at the kernel's limit, where sanitizer runtimes abort (vsharness).
ALL = h.shapes(a.daemon)
for shape in tuple(s for s in ALL if s != "fragment") if h.SANITIZER else ALL:
    for workers in ("1", "2"):
        tmp = tempfile.mkdtemp(prefix="vmastress-test-")
        # Separator shapes also touch pages and punch holes: still exact.
        extra = ('mapping = { touch_pages = 2; };\nops = { punch = 10; };\n'
                 if shape in ("guarded", "churn") else
                 'mapping = { touch_pages = 2; };\n' if shape in ("files", "threads") else "")
        cfg = h.write_config(tmp, 'shape = "%s";\n%s' % (shape, extra))
        d = h.Daemon(a.daemon, ["-c", cfg, "-w", workers, "-d", "2"], hold=True, tmp=tmp)
        try:
            h.check(h.wait_stopped(d.p.pid, 60), "%s/%s: reached the hold point" % (shape, workers))
            with open(d.hold) as f:
                held = json.load(f)
            vmas = h.proc_vmas(d.p.pid)
            h.check_exact(held["map_count"] == vmas, "%s/%s workers: exact count %d == /proc %d"
                    % (shape, workers, held["map_count"], vmas))
            h.check(sum(held["ops"].values()) > 1000, "%s/%s: %d operations ran"
                    % (shape, workers, sum(held["ops"].values())))
            os.kill(d.p.pid, signal.SIGCONT)
            h.check(d.wait(60) == 0, "%s/%s: exit 0" % (shape, workers))
            final = d.result()
            h.check_exact(final["accounting"]["drift_last"] == 0, "%s/%s: no drift after teardown"
                    % (shape, workers))
        finally:
            d.kill()
