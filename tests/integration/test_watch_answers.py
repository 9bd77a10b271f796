"""The watch answers its clients whatever the host does: a client pinging every 20 ms,
as a monitoring check does, gets every answer within its timeout while a process climbs
to vm.max_map_count (1048576) again and again, and while one at the limit is refused at
full speed; with the BPF backend and with the /proc scan. (The scan, and the shape
guess that reads a big /proc/PID/maps, run off the loop that answers; the ring of
refusals is drained in bounded batches. Before, a storm held the loop for as long as it
lasted.) The latencies themselves are the benchmark's (bench.py --only watch_ping)."""
import os
import subprocess
import sys
import tempfile
import time
import vsharness as h

a = h.args()
if os.geteuid() != 0:
    h.skip("needs root to raise vm.max_map_count and load the BPF backend")
TIMEOUT = 1.0  # a monitoring check's, run every few seconds: its answer or UNKNOWN
# The fastest storm is the C reference's (the build's tests/fastest_limit: a few hundred
# thousand refusals a second); a sanitized build's own copy cannot live at the limit
# (its runtime maps as it goes), so there the Python helper storms, more slowly.
FASTEST = os.path.join(os.path.dirname(os.path.abspath(a.daemon)), "tests", "fastest_limit")
SPAN = 5.0

HELPER = h.LIBC + r'''
import time
limit, mode, span = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
pages = 2 * limit + 8


def climb():
    """One RW mapping, every other page read-only until the kernel refuses."""
    p = libc.mmap(None, pages * page, 3, 0x22 | 0x4000, -1, 0)
    mprotect = libc.mprotect
    for i in range(1, pages - 1, 2):
        if mprotect(p + i * page, page, 1) != 0:
            return p, i
    raise SystemExit("never refused")


end = time.monotonic() + span
if mode == "climb":
    n = 0
    while time.monotonic() < end:
        p, _ = climb()
        libc.munmap(p, pages * page)
        n += 1
    print(n, flush=True)
else:
    p, i = climb()
    print("at the limit", flush=True)
    target, munmap, n, refused = p + (i + 10) * page, libc.munmap, 0, 0
    while n % 4096 or time.monotonic() < end:
        refused += munmap(target, page) != 0
        n += 1
    print(refused, n, flush=True)
'''

tmp = tempfile.mkdtemp(prefix="vmastress-test-")
with h.RaisedLimit(max(h.read_limit(), 1048576)):
    limit = h.read_limit()
    for backend in ("bpf", "proc"):
        sock = os.path.join(tmp, "%s.sock" % backend)
        cfg = h.write_config(tmp, 'watch = { interval = 1; top = 10; backend = "%s"; };\n'
                             % backend)
        d = h.Daemon(a.daemon, ["--watch", "-c", cfg, "-d", "120"], tmp=tmp, socket=sock)
        try:
            if not h.wait_socket(sock):
                if backend == "bpf":
                    print("SKIP part: the BPF watch did not start: %s" % d.log()[-500:])
                    continue
                h.check(False, "the /proc watch answers")
            for mode in (("climb", "storm") if backend == "bpf" else ("climb",)):
                if mode == "storm" and not h.SANITIZER and os.access(FASTEST, os.X_OK):
                    cmd = [FASTEST, str(limit), str(2 * limit), "storm", str(SPAN)]
                else:
                    cmd = [sys.executable, "-c", HELPER, str(limit), mode, str(SPAN)]
                load = subprocess.Popen(["timeout", "-k", "5", "120"] + cmd,
                                        stdout=subprocess.PIPE, text=True)
                if mode == "storm":
                    h.check(load.stdout.readline().strip() != "", "storm: a process at the limit")
                with h.Pinger(sock, timeout=TIMEOUT) as pinger:
                    time.sleep(SPAN)
                said = load.communicate(timeout=120)[0].split()
                p50, p99, mx, lost = pinger.figures()
                n = len(pinger.latencies_ms)
                h.check(n >= 50 and lost == 0,
                        "%s watch, a process %s (%s): %d pings, every one answered within "
                        "%.0f s (p50 %.1f ms, p99 %.1f ms, max %.1f ms)"
                        % (backend, "climbing to %d" % limit if mode == "climb" else
                           "refused at the limit", " ".join(said), n, TIMEOUT, p50 or -1,
                           p99 or -1, mx or -1))
        finally:
            d.kill()
