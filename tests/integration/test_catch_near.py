"""watch.catch = "near", the default where the catch's exit hook is a tracepoint (every
syscall of the host pays it): the hook is attached only while a process holds
watch.catch_from of the limit, the host counted by the iterator every 100 ms between
scans. Idle, it is detached (stats catch_attached false, the metric 0); a process that
climbs at the rate of a real thread-creating program (2 VMAs a thread, ~50 000 threads a
second) is caught from its first refusal, with its pid; once none is near for 10 s, the
hook is detached again; catch = "always" (a reload) keeps it attached. Where the kernel
has BPF trampolines (fexit), the hook costs only the hooked calls: always attached."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import vsharness as h

a = h.args()
if os.geteuid() != 0:
    h.skip("needs root (CAP_BPF, CAP_PERFMON) to load the BPF backend")
limit = h.read_limit()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
os.chmod(tmp, 0o755)
sock = os.path.join(tmp, "watch.sock")
# Near from half the limit: a churning load beside (10 % of it) is not near.
NEAR = 'watch = { interval = 1; top = 20; backend = "bpf"; catch_from = 0.5; };\n'
cfg = h.write_config(tmp, NEAR)

CLIMBER = h.LIBC + r'''
import time
limit, rate = int(sys.argv[1]), float(sys.argv[2])
pages = 2 * limit + 8
p = libc.mmap(None, pages * page, 3, 0x22 | 0x4000, -1, 0)
t0, made = time.monotonic(), 0
for i in range(1, pages - 1, 2):
    if libc.mprotect(p + i * page, page, 1) != 0:
        break
    made += 2
    if made % 1000 == 0:  # paced: 2 VMAs a thread, as pthread_create makes them
        ahead = t0 + made / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
print("done", made, "%.3f" % (time.monotonic() - t0), flush=True)
sys.stdin.read()
'''


def watch():
    return h.stats(sock)["watch"]


def wait_for(cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        w = watch()
        if cond(w):
            return w
        time.sleep(0.2)
    return watch()


d = h.Daemon(a.daemon, ["--watch", "-c", cfg, "-d", "120"], tmp=tmp, socket=sock)
try:
    h.check(h.wait_socket(sock), "watch up")
    w = watch()
    h.check(w["backend"] == "bpf", "backend bpf (%s)" % w.get("attach"))
    if w["attach"] == "fexit":
        h.check(w["catch_mode"] == "always" and w["catch_attached"],
                "fexit: only the hooked calls pay, the hook always attached")
        sys.exit(0)
    w = wait_for(lambda w: not w["catch_attached"], 5)
    h.check(w["catch_mode"] == "near" and w["catch_attached"] is False,
            "%s, nothing near %d VMAs: the exit hook detached" % (w["attach"], limit // 2))
    m = h.query(sock, b"metrics\n").decode()
    h.check(re.search(r"^vmastress_watch_catch_attached 0$", m, re.M), "the metric says 0")
    base = dict(w["catch"]["hits"])
    rate = 100000.0  # VMAs a second: a C program creating threads with glibc's defaults
    p = subprocess.Popen([sys.executable, "-c", CLIMBER, str(limit), str(rate)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        said = p.stdout.readline().split()
        h.check(said and said[0] == "done", "a process climbed to the limit: %s" % said)
        w = wait_for(lambda w: w["catch"]["hits"]["mprotect"] > base["mprotect"], 5)
        ev = [e for e in w["catch"]["recent"] if e["pid"] == p.pid]
        h.check(w["catch"]["hits"]["mprotect"] == base["mprotect"] + 1 and ev and
                ev[0]["call"] == "mprotect" and ev[0]["map_count"] >= limit - 64,
                "climbing from %d to %d VMAs in %s s, caught from its first refusal: %s"
                % (limit // 2, limit, said[2] if len(said) > 2 else "?", ev[:1]))
        h.check(w["catch_attached"] is True, "attached while it is near")
    finally:
        p.stdin.close()
        p.wait(30)
    t0 = time.monotonic()
    w = wait_for(lambda w: not w["catch_attached"], 20)
    h.check(w["catch_attached"] is False, "none near for 10 s: detached again after %.1f s"
            % (time.monotonic() - t0))
    # catch = "always": a reload attaches it, idle as the host is.
    with open(cfg, "w") as f:
        f.write(NEAR.replace("catch_from = 0.5;", 'catch = "always";'))
    os.kill(d.p.pid, signal.SIGHUP)
    w = wait_for(lambda w: w["catch_attached"], 5)
    h.check(w["catch_mode"] == "always" and w["catch_attached"] is True,
            'catch = "always" (reloaded): attached with nothing near')
finally:
    d.kill()
