"""vsharness: run the real vmastressd and read the kernel's truth about it."""
import argparse
import bisect
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

SYSCTL = "/proc/sys/vm/max_map_count"


def args():
    p = argparse.ArgumentParser()
    p.add_argument("--daemon", required=True)
    p.add_argument("--ctl")
    return p.parse_args()


def read_sysctl():
    with open(SYSCTL) as f:
        return int(f.read())


TEST_LIMIT_ENV = "VMASTRESS_TEST_MAX_MAP_COUNT"


def read_limit():
    """The limit the daemon runs against: the sysctl, or in a sanitizer build the one
    emulate_limit_under_sanitizer() set."""
    v = os.environ.get(TEST_LIMIT_ENV)
    return int(v) if v and os.environ.get("VMASTRESS_SANITIZER") else read_sysctl()


def proc_vmas(pid):
    """Kernel VMAs of pid: lines of /proc/PID/maps minus [vsyscall]."""
    with open(f"/proc/{pid}/maps") as f:
        lines = f.read().splitlines()
    return len([l for l in lines if not l.endswith("[vsyscall]")])


def proc_maps(pid):
    """(start, end, perms) for every VMA of pid."""
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            rng, perms = line.split()[:2]
            s, e = (int(x, 16) for x in rng.split("-"))
            out.append((s, e, perms))
    return out


def leaked_in_proc(pid, regions):
    """For each leaked region of a report ({"addr", "length", ...}), the bytes that
    /proc/PID/maps shows mapped inside [addr, addr + length)."""
    maps = proc_maps(pid)  # sorted by start, as /proc lists them
    starts = [s for s, _, _ in maps]
    out = []
    for r in regions:
        lo, hi = r["addr"], r["addr"] + r["length"]
        i = max(0, bisect.bisect_right(starts, lo) - 1)
        total = 0
        while i < len(maps) and maps[i][0] < hi:
            s, e, _ = maps[i]
            total += max(0, min(e, hi) - max(s, lo))
            i += 1
        out.append(total)
    return out


class RaisedLimit:
    """vm.max_map_count raised (never lowered) for a with-block, and put back to the
    value found on every way out: the block's end, an exception, exit or a signal."""

    def __init__(self, value):
        self.found = read_sysctl()
        self.value = value
        if not os.access(SYSCTL, os.W_OK):
            skip("needs root to write %s" % SYSCTL)

    def restore(self):
        if read_sysctl() != self.found:
            with open(SYSCTL, "w") as f:
                f.write(str(self.found))

    def __enter__(self):
        import atexit
        atexit.register(self.restore)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda *_: sys.exit(1))
        if self.value > self.found:
            with open(SYSCTL, "w") as f:
                f.write(str(self.value))
        return self

    def __exit__(self, *exc):
        self.restore()
        check(read_sysctl() == self.found, "vm.max_map_count back to %d" % self.found)
        return False


def write_config(tmp, text):
    path = os.path.join(tmp, "vmastressd.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def wait_log(d, text, timeout=5.0):
    """Wait until the daemon's stderr shows text."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in d.log():
            return True
        time.sleep(0.05)
    return False


def wait_stopped(pid, timeout):
    """Wait until pid is in state T (stopped by the test hold hook)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        if state in ("T", "t"):
            return True
        time.sleep(0.02)
    return False


class Daemon:
    """vmastressd in the foreground; killed by its PID only."""

    def __init__(self, binary, argv, hold=False, tmp=None, socket="none", env=None, prefix=None):
        self.tmp = tmp or tempfile.mkdtemp(prefix="vmastress-test-")
        self.report = os.path.join(self.tmp, "report.json")
        self.hold = os.path.join(self.tmp, "hold.json") if hold else None
        env = dict(os.environ, **(env or {}))
        # Watch mode keeps its peaks in $STATE_DIRECTORY: the test's, not the host's.
        env.setdefault("STATE_DIRECTORY", self.tmp)
        if hold:
            env["VMASTRESS_TEST_HOLD"] = self.hold
        self.stderr_path = os.path.join(self.tmp, "stderr.log")
        self.stderr = open(self.stderr_path, "w")
        self.t0 = time.monotonic()
        self.socket = socket
        cmd = (prefix or []) + [binary, "--socket", socket, "--report", self.report] + argv
        self.p = subprocess.Popen(cmd,
                                  env=env, stdout=subprocess.DEVNULL, stderr=self.stderr)

    def wait(self, timeout=120):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self):
        if self.p.poll() is None:
            os.kill(self.p.pid, signal.SIGKILL)
            self.p.wait()

    def log(self):
        with open(self.stderr_path) as f:
            return f.read()

    def result(self):
        with open(self.report) as f:
            return json.load(f)


# The start of every helper script that maps through ctypes: libc with errno and the
# prototypes of the calls that change VMAs, and the page size.
LIBC = r'''
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.mremap.restype = ctypes.c_void_p
libc.mremap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int,
                        ctypes.c_void_p]
page = os.sysconf("SC_PAGE_SIZE")
'''


# Sanitizer runtimes (ASan's allocator, TSan's shadow) map VMAs of their own, so
# under them the process's VMA count is not ours alone: exactness is asserted in
# the normal build and only reported in sanitizer builds (tests/run-all.sh).
SANITIZER = os.environ.get("VMASTRESS_SANITIZER", "")


def skip_under_sanitizer(what):
    """At vm.max_map_count a sanitizer runtime's own mmap/munmap fails and it aborts by
    design (and its shadow counts against RLIMIT_DATA): such tests run in the normal build."""
    if SANITIZER:
        skip("%s build: %s needs the runtime to live at the kernel's limit" % (SANITIZER, what))


def emulate_limit_under_sanitizer(n=16384):
    """The at-limit paths under ASan and TSan: their runtimes cannot live at the
    kernel's limit (their own mmap fails and they abort), so a sanitizer build's
    daemon refuses its own calls by the kernel's rules at n VMAs instead (at most a
    quarter of the real limit), with ENOMEM, before making them. Daemons started
    after this call inherit it; read_limit() returns n. The normal build runs at the
    real limit. Returns the limit the daemon will run against."""
    if SANITIZER:
        n = min(n, read_sysctl() // 4)
        os.environ[TEST_LIMIT_ENV] = str(n)
        print("note: %s build: the limit is emulated in the daemon at %d VMAs (%s)"
              % (SANITIZER, n, TEST_LIMIT_ENV))
    return read_limit()


def find_journald():
    """systemd-journald's binary, or None."""
    return next((p for p in ("/lib/systemd/systemd-journald",
                             "/usr/lib/systemd/systemd-journald") if os.access(p, os.X_OK)), None)


# The start of a script that `unshare -m sh SCRIPT` runs: a private /run with a real
# journald of its own (its log in TMP/journald.log), killed as the script exits; then
# `journalctl -o json -D /run/log/journal/*` reads what it was sent. Fill with
# {"journald": find_journald(), "tmp": TMP}.
PRIVATE_JOURNALD = """mount --make-rprivate / || exit 1
mount -t tmpfs tmpfs /run || exit 1
mkdir -p /run/systemd/journal /run/log
%(journald)s > %(tmp)s/journald.log 2>&1 < /dev/null & JPID=$!
trap 'kill -9 $JPID 2>/dev/null' EXIT
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
"""


def check_exact(cond, what):
    """An exact VMA count: asserted, but under a sanitizer, whose runtime maps VMAs of its
    own in the daemon, a miss is a visible skip (ci_skips lists it; CI allows it there)."""
    if SANITIZER and not cond:
        print("SKIP part: exactness not asserted in the %s build (its runtime maps VMAs too): "
              "%s" % (SANITIZER, what))
        return
    check(cond, what)


def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)
    print("ok:", what)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def query(path, line, timeout=5.0):
    """One request on the stats socket; the whole answer as bytes."""
    import socket as so
    s = so.socket(so.AF_UNIX, so.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    try:
        s.sendall(line)
    except (BrokenPipeError, ConnectionResetError):
        pass  # answered and closed before reading ("error: busy"): the answer is queued
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    s.close()
    return out


def wait_socket(path, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if query(path, b"ping\n") == b"pong\n":
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def stats(path):
    return json.loads(query(path, b"stats\n"))


class Pinger:
    """A client pinging the stats socket every period (20 ms) from a thread, as a
    monitoring check would, for a with-block: each answer's latency in ms, None for
    one not answered within timeout."""

    def __init__(self, path, period=0.02, timeout=5.0):
        import threading
        self.path, self.period, self.timeout = path, period, timeout
        self.latencies_ms = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.done.is_set():
            t0 = time.monotonic()
            try:
                ok = query(self.path, b"ping\n", self.timeout) == b"pong\n"
            except OSError:
                ok = False
            dt = time.monotonic() - t0
            self.latencies_ms.append(1000 * dt if ok else None)
            time.sleep(max(0.0, self.period - dt))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(self.timeout + 1)
        return False

    def figures(self):
        """p50, p99 and max in ms, and the pings not answered."""
        got = sorted(x for x in self.latencies_ms if x is not None)
        if not got:
            return None, None, None, len(self.latencies_ms)
        pick = lambda q: got[min(len(got) - 1, int(q * len(got)))]  # noqa: E731
        return pick(0.5), pick(0.99), got[-1], len(self.latencies_ms) - len(got)


def shapes(daemon):
    """Every shape the daemon knows, from its --help (the registry's order): a test that
    covers them all takes a new shape without an edit."""
    import re
    import subprocess
    out = subprocess.run([daemon, "--help"], capture_output=True, text=True).stdout
    m = re.search(r"--shape SHAPE .*?\(([a-z]+(?:, [a-z]+)+)\)", out)
    check(m is not None, "the shapes listed by %s --help" % daemon)
    return tuple(m.group(1).split(", "))


def find_tool(name, env):
    """A Prometheus tool: $env, PATH, or beside $PROMTOOL (.ci/run extracts Debian's
    packages there without installing, so nothing is started on the host)."""
    import shutil
    beside = os.path.join(os.path.dirname(os.environ.get("PROMTOOL", "")), name)
    for cand in (os.environ.get(env), shutil.which(name), beside):
        if cand and os.path.isabs(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def find_promtool():
    return find_tool("promtool", "PROMTOOL")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def progressing(path, timeout=5.0):
    """True once the workers' op count moves (slow sanitizer builds need time). Under
    TSan, whose shadow mappings are never unmapped, the process's VMAs can pass the
    pressure cap with no region of ours left: workers are then (rightly) held, and
    their steps show in held_or_idle instead."""
    def key(s):
        return s["ops"]["mmap"] + (s["held_or_idle"] if SANITIZER else 0)
    before = key(stats(path))
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        time.sleep(0.1)
        if key(stats(path)) > before:
            return True
    return False


def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG, decoded
    here (zlib and the five filters), so no imaging library is needed."""
    import struct
    import zlib
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, hgt, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("%s: PNG depth %d type %d interlace %d not decoded"
                                 % (path, depth, ctype, interlace))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(hgt):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return w, hgt, rows
