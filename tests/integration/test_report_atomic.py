"""The --report file is replaced atomically: a kill -9 in the middle of writing it leaves
the previous complete report (or none), never a torn one."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
if not shutil.which("strace"):
    h.skip("needs strace to hold the daemon inside its report write (.ci/run installs it)")
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
report = os.path.join(tmp, "report.json")
p = subprocess.run([a.daemon, "-p", "churn", "-w", "1", "-d", "1", "--socket", "none",
                    "--report", report], capture_output=True, timeout=60)
h.check(p.returncode == 0, "a first run leaves a complete report")
with open(report) as f:
    previous = f.read()
json.loads(previous)

# Every write(2) of the daemon is held 0.3 s (strace -D: the daemon stays our child),
# so it is still inside the report's write when its fd shows up.
env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
d = subprocess.Popen(["strace", "-D", "-f", "-qq", "-o", "/dev/null", "-e", "trace=write",
                      "-e", "inject=write:delay_enter=300000", a.daemon, "-p", "churn", "-w",
                      "1", "-d", "1", "--socket", "none", "--report", report],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
killed = False
try:
    end = time.monotonic() + 60
    while not killed and d.poll() is None and time.monotonic() < end:
        try:
            fds = os.listdir("/proc/%d/fd" % d.pid)
        except FileNotFoundError:
            break
        for fd in fds:
            try:
                target = os.readlink("/proc/%d/fd/%s" % (d.pid, fd))
            except OSError:
                continue
            if target.startswith(report):
                os.kill(d.pid, signal.SIGKILL)
                killed = True
                break
        time.sleep(0.002)
finally:
    if d.poll() is None:
        os.kill(d.pid, signal.SIGKILL)
    d.wait()
h.check(killed, "killed -9 while the report was open for writing")
if os.path.exists(report):
    with open(report) as f:
        now = f.read()
    h.check(now == previous, "the report is the previous complete one (%d bytes, was %d)"
            % (len(now), len(previous)))
else:
    print("ok: no report (allowed)")

# A report path that is not a regular file (/dev/null, a FIFO) is written in place, never
# renamed over: `--report /dev/null` once replaced the host's /dev/null with a file. Tried
# on a FIFO of our own, read as the daemon writes it.
import select
import stat
import threading
fifo = os.path.join(tmp, "report.fifo")
os.mkfifo(fifo)
rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
got = []


def drain():
    while True:
        ready, _, _ = select.select([rfd], [], [], 30)
        if not ready:
            return
        chunk = os.read(rfd, 65536)
        if not chunk:
            if got:
                return
            time.sleep(0.05)  # no writer yet
            continue
        got.append(chunk)


t = threading.Thread(target=drain, daemon=True)
t.start()
p = subprocess.run([a.daemon, "-p", "churn", "-w", "1", "-d", "1", "--socket",
                    "none", "--report", fifo], capture_output=True, timeout=60)
h.check(p.returncode == 0, "a run reporting to a FIFO exits 0" + ("" if p.returncode == 0 else " (%s)" % p.stderr[-300:]))
h.check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO, not a file put "
        "in its place")
h.check(not os.path.exists(fifo + ".tmp"), "no .tmp beside it")
t.join(35)
text = b"".join(got).decode(errors="replace")
h.check('"max_map_count"' in text and '"final":true' in text.replace(" ", ""),
        "the final report came through the FIFO (%d bytes)" % len(text))
os.close(rfd)
