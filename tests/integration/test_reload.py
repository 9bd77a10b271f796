"""SIGHUP: a changed worker count shows in stats; a broken file keeps the old config;
command-line flags survive a reload (they win over the file, at start and after).
SIGTERM: exit 0, and the leak figures of the report match /proc at that moment."""
import json
import os
import signal
import tempfile
import time
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
path = os.path.join(tmp, "stats.sock")
cfg = os.path.join(tmp, "vmastressd.conf")


def write(text):
    with open(cfg + ".new", "w") as f:
        f.write(text)
    os.rename(cfg + ".new", cfg)


def wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = h.stats(path)
        if pred(s):
            return s
        time.sleep(0.05)
    return h.stats(path)


write('shape = "guarded";\nworkers = 2;\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-d", "60"], tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "daemon up")
    h.check(h.stats(path)["workers"] == 2, "2 workers")
    write('shape = "guarded";\nworkers = 3;\nmapping = { max_pages = 8; };\n')
    os.kill(d.p.pid, signal.SIGHUP)
    s = wait_for(lambda s: s["workers"] == 3)
    h.check(s["workers"] == 3, "SIGHUP with workers = 3: stats shows %d" % s["workers"])
    write('shape = "churn";\nworkers = 1;\n')
    os.kill(d.p.pid, signal.SIGHUP)
    s = wait_for(lambda s: s["workers"] == 1 and s["shape"] == "churn")
    h.check(s["workers"] == 1 and s["shape"] == "churn", "then 1 worker, shape churn")
    # Shapes with steps of their own start over from no region: exact all along.
    for shape in ("allocator", "threads", "files"):
        write('shape = "%s";\nworkers = 1;\n' % shape)
        os.kill(d.p.pid, signal.SIGHUP)
        s = wait_for(lambda s: s["shape"] == shape)
        h.check(s["shape"] == shape and h.progressing(path), "then %s, working" % shape)
    # files fills to its cap, its mappings with a piece of reservation between
    # each two; churn's cap is a ninth of files'.
    s = wait_for(lambda s: s["map_count"] > s["vma_cap"] // 2, 30)
    h.check(s["map_count"] > s["vma_cap"] // 2,
            "files fills: %d VMAs, cap %d" % (s["map_count"], s["vma_cap"]))
    write('shape = "churn";\nworkers = 1;\n')
    os.kill(d.p.pid, signal.SIGHUP)
    # The pieces of reservation the files shape left between its mappings are
    # VMAs with nothing to unmap: a new shape starts from one reservation again,
    # or they hold the count above its cap for good (and the worker with it).
    s = wait_for(lambda s: s["shape"] == "churn" and s["map_count"] <= s["vma_cap"])
    h.check(s["map_count"] <= s["vma_cap"],
            "after files, churn is under its cap: %d VMAs, cap %d" % (s["map_count"], s["vma_cap"]))
    h.check(h.progressing(path), "the remaining worker keeps going")
    write('shape = "guarded";\nworkers = "many";\n')
    os.kill(d.p.pid, signal.SIGHUP)
    time.sleep(0.5)
    h.check(d.p.poll() is None, "a broken file does not stop the daemon")
    h.check(h.stats(path)["workers"] == 1, "and the old config stays")
    h.check("reload refused: %s:2: workers: expected an integer" % cfg in d.log(),
            "the refusal names file, line and key")
    os.kill(d.p.pid, signal.SIGTERM)
    h.check(d.wait(60) == 0, "SIGTERM: exit 0")
    r = d.result()
    h.check_exact(r["accounting"]["drift_last"] == 0, "exact after three reloads")
finally:
    d.kill()

# Command-line flags are part of the effective config: a reload keeps them.
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
path = os.path.join(tmp, "stats.sock")
cfg = os.path.join(tmp, "vmastressd.conf")
write('workers = 2;\npressure = { target_fill = 0.5; reserve = 512; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-p", "fragment", "-w", "3", "-s", "42", "-d", "60"],
             tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "daemon up")
    s = h.stats(path)
    h.check((s["shape"], s["workers"], s["seed"]) == ("fragment", 3, 42),
            "started with -p fragment -w 3 -s 42: %s %d %d" % (s["shape"], s["workers"], s["seed"]))
    write('workers = 2;\npressure = { target_fill = 0.4; reserve = 512; };\n'
          'mapping = { max_pages = 16; };\n')
    os.kill(d.p.pid, signal.SIGHUP)
    h.check(h.wait_log(d, "configuration reloaded"), "reload applied")
    s = h.stats(path)
    h.check((s["shape"], s["workers"], s["seed"]) == ("fragment", 3, 42),
            "after a reload still fragment, 3 workers, seed 42: got %s %d %d"
            % (s["shape"], s["workers"], s["seed"]))
    h.check(h.progressing(path), "workers keep going")
    os.kill(d.p.pid, signal.SIGTERM)
    h.check(d.wait(60) == 0, "SIGTERM: exit 0")
finally:
    d.kill()

# SIGTERM in the middle of fragment: the report's leaks are what /proc shows.
h.emulate_limit_under_sanitizer()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
write_cfg = h.write_config(tmp, 'shape = "fragment";\nleaks = { retry_interval_ms = 3600000; };\n')
sock = os.path.join(tmp, "leaks.sock")
d = h.Daemon(a.daemon, ["-c", write_cfg, "-w", "2"], hold=True, tmp=tmp, socket=sock)
try:
    # Until it has leaked (2.5 s on a quiet host; a sanitized build beside a churning
    # load takes longer), then stopped before its teardown.
    h.check(h.wait_socket(sock, 30), "fragment up")
    end = time.monotonic() + 60
    while time.monotonic() < end and not h.stats(sock)["leaks"]["bytes"]:
        time.sleep(0.2)
    os.kill(d.p.pid, signal.SIGTERM)
    h.check(h.wait_stopped(d.p.pid, 30), "held after SIGTERM, before teardown")
    with open(d.hold) as f:
        held = json.load(f)
    shown = sum(h.leaked_in_proc(d.p.pid, held["leaked_regions"]))
    h.check(held["leaks"]["bytes"] > 0 and shown == held["leaks"]["bytes"],
            "leaked bytes %d == /proc %d" % (held["leaks"]["bytes"], shown))
    os.kill(d.p.pid, signal.SIGCONT)
    h.check(d.wait(60) == 0, "exit 0 after teardown")
finally:
    d.kill()
