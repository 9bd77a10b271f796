"""Faults against the real daemon: memory ENOMEM (RLIMIT_DATA), SIGSTOP/SIGCONT, 500 clients,
a 1 MiB request, random bytes, and a SIGHUP storm alternating valid and invalid files."""
import json
import os
import resource
import signal
import socket
import tempfile
import threading
import time
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
path = os.path.join(tmp, "stats.sock")
cfg = os.path.join(tmp, "vmastressd.conf")
good = 'shape = "guarded";\nworkers = 2;\naccounting = { verify_interval_ms = 200; };\n'
bad = 'shape = "guarded";\nworkers = 0x1FFFFFFFF;\n'


def write(text):
    with open(cfg + ".new", "w") as f:
        f.write(text)
    os.rename(cfg + ".new", cfg)


# 1. Memory, not the map count: RLIMIT_DATA caps private writable mappings, so
#    opening a region's data pages fails with ENOMEM far below vm.max_map_count.
#    (No re-protections: the build would flip data read-only, out of RLIMIT_DATA.)
write(good + 'ops = { mprotect = 0; };\n')
limit_bytes = 256 << 20
# (Sanitizer shadow memory counts against RLIMIT_DATA: that part needs the normal build.)
d = None if h.SANITIZER else h.Daemon(a.daemon, ["-c", cfg, "-d", "60"], tmp=tmp, socket=path,
                                      prefix=["prlimit", "--data=%d" % limit_bytes, "--"])
try:
    if d is None:
        raise StopIteration
    h.check(h.wait_socket(path), "daemon up under RLIMIT_DATA=256M")
    time.sleep(1.5)
    s = h.stats(path)
    f = s["failures"]["mprotect"]["ENOMEM"] + s["failures"]["mmap"]["ENOMEM"]
    h.check(f > 0, "ENOMEM failures: %d" % f)
    h.check(s["enomem"]["memory"]["mprotect"] + s["enomem"]["memory"]["mmap"] == f and
            s["enomem"]["map_count"]["mprotect"] + s["enomem"]["map_count"]["mmap"] == 0,
            "all counted as memory, none as the map count (%s)" % s["enomem"])
    h.check(s["map_count"] < 0.5 * s["max_map_count"], "far below the VMA limit")
    h.check(h.query(path, b"ping\n") == b"pong\n", "still serving")
    os.kill(d.p.pid, signal.SIGTERM)
    h.check(d.wait(60) == 0, "exit 0")
    h.check_exact(d.result()["accounting"]["drift_last"] == 0, "still exact")
except StopIteration:
    print("note: %s build: the RLIMIT_DATA part runs in the normal build" % h.SANITIZER)
finally:
    if d:
        d.kill()

# 2. SIGSTOP/SIGCONT, abusive clients, a reload storm: one daemon through all of it.
d = h.Daemon(a.daemon, ["-c", cfg, "-d", "120"], tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "daemon up")
    os.kill(d.p.pid, signal.SIGSTOP)
    time.sleep(2)
    os.kill(d.p.pid, signal.SIGCONT)
    h.check(h.query(path, b"ping\n") == b"pong\n", "answers after SIGSTOP/SIGCONT")
    h.check(h.progressing(path), "workers run again")

    # 1 MiB request: refused after 256 bytes, connection closed, daemon fine.
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(5)
    c.connect(path)
    try:
        c.sendall(b"x" * (1 << 20))
    except (BrokenPipeError, ConnectionResetError):
        pass
    got = b""
    try:
        while True:
            chunk = c.recv(4096)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    c.close()
    h.check(got == b"" or got.startswith(b"error: request longer"), "1 MiB request refused")
    for i in range(100):
        out = h.query(path, os.urandom(1 + i * 3))
        if not out.startswith(b"error:"):
            h.check(False, "random bytes %d: %r" % (i, out[:60]))
    h.check(True, "100 random payloads: each got an error line")

    # 500 clients at once: every one gets an answer or an error, none hangs.
    results, lock = [], threading.Lock()

    def client():
        try:
            out = h.query(path, b"stats\n", timeout=10)
        except OSError as e:
            out = ("oserror %s" % e).encode()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=client) for _ in range(500)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    served = sum(1 for r in results if r.startswith(b"{"))
    busy = sum(1 for r in results if r.startswith(b"error: busy"))
    other = [r[:80] for r in results if not r.startswith(b"{") and not r.startswith(b"error:")]
    h.check(len(results) == 500 and not other,
            "500 clients in %.2f s: %d served, %d told busy, %d other %s"
            % (time.monotonic() - t0, served, busy, len(other), other[:3]))
    h.check(served > 0, "served under load")

    # SIGHUP 100 times a second for 10 s, valid and invalid files alternating.
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < 10:
        write(good.replace("workers = 2", "workers = %d" % (1 + n % 4)) if n % 2 == 0 else bad)
        os.kill(d.p.pid, signal.SIGHUP)
        n += 1
        time.sleep(max(0.0, t0 + n * 0.01 - time.monotonic()))  # paced: 100 a second
    h.check(d.p.poll() is None, "alive after %d reloads" % n)
    write(good)
    os.kill(d.p.pid, signal.SIGHUP)
    time.sleep(1)
    s = h.stats(path)
    h.check(s["workers"] == 2, "the last valid config applies (workers %d)" % s["workers"])
    h.check(h.progressing(path), "workers still run")
    os.kill(d.p.pid, signal.SIGTERM)
    h.check(d.wait(60) == 0, "SIGTERM: exit 0")
    r = d.result()
    h.check_exact(r["accounting"]["drift_last"] == 0, "exact at the end")
    h.check(r["mappings"] == 0 and r["leaked_regions"] == [], "everything unmapped")
finally:
    d.kill()
