"""Watch mode's BPF backend against the real kernel: helper processes are refused by the
limit in each call's way (a split by mprotect, munmap, madvise, a move by mremap, a new
mmap above the limit): each is caught once, with its call, pid and map count; an ENOMEM
under RLIMIT_AS is counted as other, never as a hit; a storm of refusals loses no count; a
process that climbs to 95 % and falls back between two scans shows its peak; the kernel's
counts equal /proc's; without CAP_BPF the watch falls back to /proc and says why."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import vsharness as h

a = h.args()
# Run again with the attach forced down to the raw tracepoint (a test hook): each way the
# daemon can attach is tested on a kernel that has the cheaper one.
FORCED = os.environ.get("VMASTRESS_TEST_CATCH_ATTACH")
if os.geteuid() != 0:
    h.skip("needs root (CAP_BPF, CAP_PERFMON) to load the BPF backend")
limit = h.read_limit()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
os.chmod(tmp, 0o755)
sock = os.path.join(tmp, "watch.sock")
# Every refusal, from a helper's first: the exit hook always attached (near, the default
# on a tracepoint kernel, is test_catch_near's).
cfg = h.write_config(tmp, 'watch = { interval = 30; top = 100; backend = "bpf"; '
                     'catch = "always"; };\n')
ctl = [a.ctl, "--socket", sock]

HELPER = h.LIBC + r'''
import resource
limit = int(sys.argv[2])
FAIL = ctypes.c_void_p(-1).value


def say(*x):
    sys.stdout.write(" ".join(map(str, x)) + "\n")
    sys.stdout.flush()


def to_limit():
    """One RW mapping, every other page read-only until the kernel refuses: the count is
    then the limit (the refused mprotect is the first hit)."""
    pages = 2 * limit + 8
    p = libc.mmap(None, pages * page, 3, 0x22 | 0x4000, -1, 0)
    for i in range(1, pages - 1, 2):
        if libc.mprotect(p + i * page, page, 1) != 0:
            return p, i
    raise SystemExit("never refused")


mode = sys.argv[1]
if mode == "calls":
    p, i = to_limit()
    rw = p + (i + 3) * page  # inside an RW VMA of 2 pages past the last split: [i+1, i+2]...
    big = p + (i + 10) * page  # the untouched RW tail: one VMA of many pages
    r = {}
    r["munmap"] = (libc.munmap(big + 4 * page, page), ctypes.get_errno())
    r["madvise"] = (libc.madvise(big + 4 * page, page, 10), ctypes.get_errno())  # DONTFORK
    dst = libc.mmap(None, 4 * page, 0, 0x22, -1, 0)  # a hole to move into (count: limit + 1)
    libc.munmap(dst, 4 * page)
    r["mremap"] = (libc.mremap(big + 4 * page, page, page, 3, dst) == FAIL, ctypes.get_errno())
    one = libc.mmap(None, page, 1, 0x22, -1, 0)  # allowed once: limit + 1
    r["mmap"] = (libc.mmap(None, page, 1, 0x22, -1, 0) == FAIL, ctypes.get_errno())
    libc.munmap(one, page)
    say("done", r)
    sys.stdin.read()
elif mode == "rlimit":
    resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))
    q = libc.mmap(None, 1 << 30, 3, 0x22, -1, 0)
    say("done", q == FAIL, ctypes.get_errno())
    sys.stdin.read()
elif mode == "storm":
    p, i = to_limit()
    big = p + (i + 10) * page
    n, fails, t0 = int(sys.argv[3]), 0, __import__("time").monotonic()
    munmap, target = libc.munmap, big + 4 * page
    for _ in range(n):
        if munmap(target, page) != 0:
            fails += 1
    say("done", fails, n / (__import__("time").monotonic() - t0))
    sys.stdin.read()
elif mode == "climb":
    p, i = to_limit()
    libc.munmap(p, (2 * limit + 8) * page)  # and back down at once
    say("done")
    sys.stdin.read()
'''


def helper(*argv):
    p = subprocess.Popen([sys.executable, "-c", HELPER] + [str(x) for x in argv],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip().split(" ", 1)
    h.check(line[0] == "done", "helper %s: %s" % (argv[0], line))
    return p, line[1].strip() if len(line) > 1 else ""


def stats():
    return h.stats(sock)["watch"]


def wait_hits(call, want, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        w = stats()
        if w["catch"]["hits"][call] >= want:
            return w
        time.sleep(0.1)
    return stats()


d = h.Daemon(a.daemon, ["--watch", "-c", cfg, "-d", "240"], tmp=tmp, socket=sock)
helpers = []
try:
    h.check(h.wait_socket(sock), "watch up")
    w = stats()
    h.check(w["backend"] == "bpf" and w["backend_reason"] is None and
            w["attach"] == FORCED if FORCED else w["attach"] in ("fexit", "tp_btf", "raw_tp"),
            "backend bpf (%s)" % w.get("attach"))
    base = dict(w["catch"]["hits"])
    base_other = dict(w["catch"]["other_enomem"])

    # Each call's refusal at the limit, caught once, with its call, pid and count.
    p, said = helper("calls", limit)
    helpers.append(p)
    print("helper said", said)
    w = wait_hits("mmap", base["mmap"] + 1)
    hits = {k: v - base[k] for k, v in w["catch"]["hits"].items()}
    want = {"mprotect": 1, "munmap": 1, "madvise": 1, "mremap": 1, "mmap": 1}
    h.check({k: v for k, v in hits.items() if v} == want,
            "each refusal caught once: %s" % {k: v for k, v in hits.items() if v})
    mine = [e for e in w["catch"]["recent"] if e["pid"] == p.pid]
    h.check([e["call"] for e in mine] == ["mprotect", "munmap", "madvise", "mremap", "mmap"],
            "in the recent events, in order: %s" % [e["call"] for e in mine])
    counts = {e["call"]: (e["map_count"], e["errno"], e["limit"]) for e in mine}
    h.check(counts["mprotect"] == (limit, "ENOMEM", limit) and
            counts["munmap"] == (limit, "ENOMEM", limit) and
            counts["madvise"] == (limit, "EAGAIN", limit) and
            counts["mremap"][:2] == (limit, "ENOMEM") and
            counts["mmap"][:2] == (limit + 1, "ENOMEM"),
            "each at the kernel's count: %s" % counts)
    h.check(all(e["comm"] == "python3" and e["tid"] == p.pid for e in mine), "pid, tid, comm")
    out = subprocess.run(ctl + ["events"], capture_output=True, text=True).stdout
    h.check(sum(1 for l in out.splitlines() if " pid %-8d" % p.pid in l) == 5 and
            "munmap ENOMEM at %d of %d VMAs" % (limit, limit) in out,
            "vmastressctl events lists them:\n%s" % out)
    js = [json.loads(l) for l in subprocess.run(ctl + ["events", "--json"], capture_output=True,
                                                 text=True).stdout.splitlines()]
    h.check(len([e for e in js if e["pid"] == p.pid]) == 5, "events --json")
    ad = subprocess.run(ctl + ["advise"], capture_output=True, text=True)
    h.check(ad.returncode == 2 and "calls were refused by the limit" in ad.stdout,
            "advise: exit 2 once failures were caught")
    ck = subprocess.run(ctl + ["check", "--watch"], capture_output=True, text=True)
    h.check(ck.returncode == 2 and "calls refused at the VMA limit" in ck.stdout,
            "check --watch: CRITICAL on a caught failure: %s" % ck.stdout.strip())
    h.check("(python3) was refused munmap at %d VMAs" % limit in d.log(),
            "one journal entry per caught failure (the daemon's lines)")
    m = h.query(sock, b"metrics\n").decode()
    h.check('vmastress_watch_backend{backend="bpf"} 1' in m and
            'vmastress_watch_limit_hits_total{call="munmap",' in m and
            "vmastress_watch_events_dropped_total " in m, "the metrics")
    p.stdin.close()
    p.wait()

    # ENOMEM for another reason (RLIMIT_AS): other, never a hit.
    before = stats()["catch"]
    p, said = helper("rlimit", limit)
    helpers.append(p)
    time.sleep(0.5)
    after = stats()["catch"]
    h.check(said.startswith("True 12"), "the helper's mmap failed with ENOMEM: %s" % said)
    h.check(after["hits"] == before["hits"] and
            after["other_enomem"]["mmap"] >= before["other_enomem"]["mmap"] + 1,
            "RLIMIT_AS's ENOMEM counted as other (%d), not as the limit's"
            % (after["other_enomem"]["mmap"] - base_other["mmap"]))
    p.stdin.close()
    p.wait()

    # A storm: no count lost, whatever the ring buffer drops.
    before = stats()["catch"]
    p, said = helper("storm", limit, 300000)
    helpers.append(p)
    fails, rate = int(said.split()[0]), float(said.split()[1])
    w = wait_hits("munmap", before["hits"]["munmap"] + fails)
    got = w["catch"]["hits"]["munmap"] - before["hits"]["munmap"]
    h.check(got == fails, "storm: %d refusals at %.0f a second, %d counted (dropped %d)"
            % (fails, rate, got, w["catch"]["dropped"] - before["dropped"]))
    p.stdin.close()
    p.wait()

    # A real load (fragment at the limit, 2 workers) in a cgroup of its own, named as a
    # unit: the watch's hits for that unit equal the load's own ENOMEM counters.
    with open("/proc/self/mounts") as f:  # the cgroup v2 hierarchy (unified, or hybrid's)
        v2 = next((l.split()[1] for l in f if l.split()[2] == "cgroup2"), None)
    if h.SANITIZER:
        print("SKIP part: %s build: a fragment load at the kernel's limit" % h.SANITIZER)
    elif v2:
        unit = "vs-catch-%d.service" % os.getpid()
        cg = os.path.join(v2, unit)
        os.mkdir(cg)
        try:
            rep = os.path.join(tmp, "fragment.json")
            r = subprocess.run(["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg,
                                a.daemon, "-p", "fragment", "-w", "2", "-d", "4", "--socket",
                                "none", "--report", rep], capture_output=True, text=True,
                               timeout=120)
            h.check(r.returncode == 0, "a fragment load in %s" % unit)
            time.sleep(1)
            with open(rep) as f:
                own = json.load(f)["failures"]
            m = h.query(sock, b"metrics\n").decode()
            for call in ("munmap", "mprotect", "mmap"):
                key = 'vmastress_watch_limit_hits_total{call="%s",unit="%s"} ' % (call, unit)
                got = next((int(l.split()[-1]) for l in m.splitlines() if l.startswith(key)), 0)
                h.check(got == own[call].get("ENOMEM", 0) and got > 0 or
                        (call == "mmap" and got == own[call].get("ENOMEM", 0)),
                        "%s: the watch caught %d, the load counted %d ENOMEM" %
                        (call, got, own[call].get("ENOMEM", 0)))
        finally:
            os.rmdir(cg)
    else:
        print("SKIP part: no cgroup v2 hierarchy to name the load's unit")

    # Up to the limit and back down between two scans: its peak is kept.
    p, said = helper("climb", limit)
    helpers.append(p)
    os.kill(d.p.pid, signal.SIGHUP)  # a reload scans at once
    time.sleep(1)
    row = [r for r in stats()["top"] if r["pid"] == p.pid]
    h.check(row and row[0]["peak"] >= limit and row[0]["vmas"] < limit // 10,
            "climbed and fell back: listed with its peak %s" % row)
    p.stdin.close()
    p.wait()

    # The kernel's counts equal /proc's, for every process at rest on the host: a fresh
    # scan, then each listed process read from /proc twice; those that did not move
    # between the two reads must agree.
    os.kill(d.p.pid, signal.SIGHUP)  # a reload scans at once
    time.sleep(1)
    same = moved = 0
    for r in stats()["top"]:
        try:
            a1 = h.proc_vmas(r["pid"])
            a2 = h.proc_vmas(r["pid"])
        except OSError:
            continue
        if a1 != a2 or r["vmas"] != a1:
            moved += 1  # busy: not at rest
            continue
        same += 1
    h.check(same >= 3 and same >= 3 * moved, "the kernel's counts equal /proc's: %d equal, %d "
            "busy" % (same, moved))
finally:
    for p in helpers:
        if p.poll() is None:
            p.kill()
            p.wait()
    d.kill()

# Without CAP_BPF and CAP_PERFMON: the /proc scan, with the reason.
if shutil.which("setpriv"):
    where = tempfile.mkdtemp(prefix="vmastress-test-")
    os.chmod(where, 0o777)
    auto = h.write_config(where, 'watch = { interval = 1; };\n')
    os.chmod(auto, 0o644)
    d = h.Daemon(a.daemon, ["--watch", "-c", auto, "-d", "2"], tmp=where,
                 prefix=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
    h.check(d.wait(60) == 0, "as nobody: exit 0")
    w = d.result()["watch"]
    h.check(w["backend"] == "proc" and "EPERM, needs CAP_BPF CAP_PERFMON" in w["backend_reason"],
            "without the capabilities: the /proc scan, and why: %s" % w["backend_reason"])
    h.check("counting from /proc instead" in d.log(), "said in the journal too")
    strict = h.write_config(where, 'watch = { backend = "bpf"; };\n')
    os.chmod(strict, 0o644)
    d = h.Daemon(a.daemon, ["--watch", "-c", strict, "-d", "2"], tmp=where,
                 prefix=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
    h.check(d.wait(60) == 69 and 'watch.backend = "bpf": bpf: EPERM' in d.log(),
            "backend bpf asked for and refused: exit 69 with the reason")
else:
    print("SKIP part: setpriv not found (util-linux)")

if not FORCED:
    print("== again, attached to the raw tracepoint")
    r = subprocess.run([sys.executable] + sys.argv, timeout=240,
                       env=dict(os.environ, VMASTRESS_TEST_HOOKS="1",
                                VMASTRESS_TEST_CATCH_ATTACH="raw_tp"))
    h.check(r.returncode == 0, "the raw tracepoint's catch passes the same test")
