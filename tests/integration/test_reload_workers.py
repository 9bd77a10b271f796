"""Reload up and down across 1..8 workers in every shape, under load: no call fails
with an errno the shape does not expect (a fixed-address mapping landing on another
worker's range gave mmap EEXIST), and the accounting is exact after."""
import os
import signal
import tempfile
import time
import vsharness as h

a = h.args()
# Under sanitizers the runtimes' own mappings hold the limit: stay well below it.
fill = "0.2" if h.SANITIZER else "0.9"
# What the kernel may refuse at the limit: ENOMEM (EAGAIN from madvise). Nothing else.
EXPECTED = {"ENOMEM", "EAGAIN"}
STEPS = (2, 3, 8, 1, 5, 2, 7, 4)
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
cfg = os.path.join(tmp, "vmastressd.conf")
path = os.path.join(tmp, "stats.sock")


def write(shape, workers):
    with open(cfg + ".new", "w") as f:
        f.write('shape = "%s";\nworkers = %d;\npressure = { target_fill = %s; };\n'
                % (shape, workers, fill))
    os.rename(cfg + ".new", cfg)


def unexpected(s):
    return {"%s %s" % (op, e): n for op, by in s["failures"].items() for e, n in by.items()
            if n and e not in EXPECTED}


for shape in h.shapes(a.daemon):
    write(shape, 1)
    d = h.Daemon(a.daemon, ["-c", cfg, "-d", "120", "-s", "7"], tmp=tmp, socket=path)
    try:
        h.check(h.wait_socket(path), "%s: up" % shape)
        time.sleep(0.3)
        for n in STEPS:
            write(shape, n)
            os.kill(d.p.pid, signal.SIGHUP)
            end = time.monotonic() + 10
            while h.stats(path)["workers"] != n and time.monotonic() < end:
                time.sleep(0.05)
            time.sleep(0.4)
        s = h.stats(path)
        h.check(s["workers"] == STEPS[-1], "%s: %d workers after the reloads" % (shape, s["workers"]))
        h.check(not unexpected(s), "%s: no unexpected failure across %s workers: %s"
                % (shape, "/".join(map(str, STEPS)), unexpected(s)))
        os.kill(d.p.pid, signal.SIGTERM)
        h.check(d.wait(120) == 0, "%s: exit 0" % shape)
        r = d.result()
        h.check(not unexpected(r), "%s: the report agrees: %s" % (shape, unexpected(r)))
        h.check_exact(r["accounting"]["drift_last"] == 0 and r["accounting"]["drift_max"] == 0,
                      "%s: exact all along: %s" % (shape, r["accounting"]))
    finally:
        d.kill()
