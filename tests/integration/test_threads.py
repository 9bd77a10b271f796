"""Many workers at once (4 and 8), worker counts changing under load, queries meanwhile:
the concurrency the thread sanitizer run (tests/run-all.sh) watches."""
import os
import signal
import tempfile
import threading
import time
import vsharness as h

a = h.args()
# Under sanitizers stay below the kernel's limit (vsharness.skip_under_sanitizer).
for shape, workers in (("guarded", 4), ("churn" if h.SANITIZER else "fragment", 8)):
    tmp = tempfile.mkdtemp(prefix="vmastress-test-")
    path = os.path.join(tmp, "stats.sock")
    cfg = os.path.join(tmp, "vmastressd.conf")
    with open(cfg, "w") as f:
        f.write('shape = "%s";\nworkers = %d;\naccounting = { verify_interval_ms = 100; };\n'
                % (shape, workers))
    d = h.Daemon(a.daemon, ["-c", cfg, "-d", "60"], tmp=tmp, socket=path)
    stop = threading.Event()
    answers = []

    def poll():
        while not stop.is_set():
            try:
                answers.append(h.query(path, b"stats\n")[:1])
            except OSError:
                pass

    try:
        h.check(h.wait_socket(path), "%s: %d workers up" % (shape, workers))
        pollers = [threading.Thread(target=poll) for _ in range(4)]
        for t in pollers:
            t.start()
        for n in (workers, 2, workers + 2, 1, workers):
            with open(cfg, "w") as f:
                f.write('shape = "%s";\nworkers = %d;\naccounting = { verify_interval_ms = 100; };\n'
                        % (shape, n))
            os.kill(d.p.pid, signal.SIGHUP)
            time.sleep(0.6)
        stop.set()
        for t in pollers:
            t.join()
        s = h.stats(path)
        h.check(s["workers"] == workers, "%s: back to %d workers" % (shape, s["workers"]))
        h.check(len(answers) > 50 and all(x == b"{" for x in answers),
                "%s: %d stats answers meanwhile" % (shape, len(answers)))
        os.kill(d.p.pid, signal.SIGTERM)
        h.check(d.wait(120) == 0, "%s: exit 0" % shape)
        r = d.result()
        h.check(sum(r["ops"].values()) > 1000, "%s: %d operations" % (shape, sum(r["ops"].values())))
        h.check_exact(r["accounting"]["drift_last"] == 0, "%s: exact at the end" % shape)
    finally:
        stop.set()
        d.kill()
