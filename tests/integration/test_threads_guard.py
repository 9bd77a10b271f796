"""threads.guard: the same threads need 2 VMAs a stack with mprotect guards (glibc to 2.41)
and 1 with MADV_GUARD_INSTALL guards (glibc 2.42, Linux 6.13+), so one thread count is not
held at the host's limit one way and held the other. Counted by the kernel (/proc/PID/maps
at the hold), the guard checked as the kernel sees it (/proc/PID/mem refuses the guard page
and reads the page above it), and a bad value refused with its file and line."""
import json
import os
import subprocess
import tempfile
import vsharness as h

a = h.args()
h.emulate_limit_under_sanitizer()
found = h.read_limit()
threads = int(found * 0.6)  # held with 1 VMA a stack, not with 2 (39318 at 65530)
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
STACK = 16 + 1  # the shape's 16 pages and its guard page


def run(guard, demand):
    cfg = h.write_config(tmp, 'threads = { guard = "%s"; };\nmapping = { touch_pages = 2; };\n'
                         % guard)
    return h.Daemon(a.daemon, ["-c", cfg, "-p", "threads", "-w", "2", "-d", "3", "--demand",
                               str(demand)], tmp=tmp, hold=True)


def guard_refused(pid):
    """For stacks in /proc/PID/maps: the guard page (the lowest) cannot be read through
    /proc/PID/mem, and the page above it can. Returns (stacks tried, guards refused,
    pages above read)."""
    page = os.sysconf("SC_PAGE_SIZE")
    stacks = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            if hi - lo == STACK * page and line.split()[1] == "rw-p":
                stacks.append(lo)
    tried = refused = read = 0
    fd = os.open("/proc/%d/mem" % pid, os.O_RDONLY)
    try:
        for lo in stacks[:50]:
            tried += 1
            try:
                os.pread(fd, page, lo)
            except OSError:
                refused += 1
            try:
                read += len(os.pread(fd, page, lo + page)) == page
            except OSError:
                pass
    finally:
        os.close(fd)
    return tried, refused, read


per_stack = {}
for guard, demand in (("mprotect", 2 * threads), ("madvise", threads)):
    d = run(guard, demand)
    try:
        h.check(h.wait_stopped(d.p.pid, 60), "%s: at the hold point" % guard)
        with open(d.hold) as f:
            held = json.load(f)
        vmas = h.proc_vmas(d.p.pid)
        h.check_exact(held["map_count"] == vmas, "%s: the count is the kernel's: %d == /proc %d"
                % (guard, held["map_count"], vmas))
        tried, refused, read = guard_refused(d.p.pid)
        if guard == "madvise":
            # (under TSan some areas of a stack's size are the runtime's: most, not all)
            h.check(tried > 0 and read == tried and 10 * refused >= 9 * tried,
                    "madvise: the guard page refused in most stacks (%d of %d)" % (refused, tried))
            h.check_exact(tried > 0 and refused == tried and read == tried,
                    "madvise: in one VMA a stack, the guard page is refused (%d of %d) and the "
                    "stack above it read (%d)" % (refused, tried, read))
        else:
            # (TSan's runtime maps areas of a stack's size of its own: reported there)
            h.check_exact(tried == 0, "mprotect: no stack is a single VMA with its guard")
        os.kill(d.p.pid, 18)  # SIGCONT
        rc = d.wait(60)
        final = d.result()
    finally:
        d.kill()
    stacks = held["mappings"]
    per_stack[guard] = (held["map_count"] - final["map_count"]) / float(stacks)
    v = held["verdict"]
    print("%s: %d threads need %d VMAs; %d stacks made, %.3f VMAs a stack, held %s (exit %d)"
          % (guard, threads, demand, stacks, per_stack[guard], v["held"], rc))
    if guard == "mprotect":
        h.check(not v["held"] and rc == 2 and v["reached_limit"],
                "mprotect: %d threads (%d VMAs) not held under %d" % (threads, demand, found))
        h.check_exact(abs(per_stack[guard] - 2) < 0.02, "mprotect: 2 VMAs a stack (%.3f)"
                % per_stack[guard])
    else:
        h.check(v["held"] and rc == 0 and
                sum(n for op in final["failures"].values() for n in op.values()) == 0,
                "madvise: %d threads held under %d, no failure" % (threads, found))
        h.check_exact(abs(per_stack[guard] - 1) < 0.01, "madvise: 1 VMA a stack (%.3f)"
                % per_stack[guard])
h.check_exact(final["accounting"]["drift_last"] == 0, "no drift after teardown")

# A bad value: refused with the file, the line and what is accepted.
bad = h.write_config(tmp, 'shape = "threads";\n\nthreads = { guard = "mmap"; };\n')
r = subprocess.run([a.daemon, "-c", bad, "-t"], capture_output=True, text=True, timeout=30)
h.check(r.returncode != 0 and "%s:3" % bad in r.stderr and "threads.guard" in r.stderr and
        "not mprotect or madvise" in r.stderr, "a bad guard refused: %s" % r.stderr.strip())
