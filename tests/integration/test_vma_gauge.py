"""map_count / vmastress_vmas is the exact count now (not the last /proc reading, which is
map_count_proc with its age), and nothing the daemon shows passes the kernel's limit + 1."""
import os
import re
import signal
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
path = os.path.join(tmp, "stats.sock")
# No verification after start: a /proc-based gauge would stay at the start value.
cfg = h.write_config(tmp, 'shape = "guarded";\naccounting = { verify_interval_ms = 0; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "1", "-d", "30"], tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "daemon up")
    time.sleep(1.0)
    # /proc read while the daemon is stopped, the gauge right after it resumes
    # (the count moves by a few dozen VMAs a millisecond here).
    os.kill(d.p.pid, signal.SIGSTOP)
    try:
        proc = h.proc_vmas(d.p.pid)
    finally:
        os.kill(d.p.pid, signal.SIGCONT)
    s = h.stats(path)
    h.check(s["map_count"] > 1000, "the gauge follows the load: %d VMAs" % s["map_count"])
    h.check_exact(abs(s["map_count"] - proc) <= 0.02 * proc,
                  "map_count %d is the current count (/proc %d)" % (s["map_count"], proc))
    h.check(s["map_count_proc"] < 1000 and s["map_count_proc_age_seconds"] >= 0.9,
            "the /proc reading is kept apart with its age: %d, %.2f s"
            % (s["map_count_proc"], s["map_count_proc_age_seconds"]))
    m = h.query(path, b"metrics\n").decode()
    vmas = int(re.search(r"^vmastress_vmas (\d+)$", m, re.M).group(1))
    h.check(vmas > 1000 and re.search(r"^vmastress_vmas_proc \d+$", m, re.M),
            "vmastress_vmas is exact (%d), vmastress_vmas_proc the /proc reading" % vmas)
finally:
    d.kill()

h.emulate_limit_under_sanitizer()
limit = h.read_limit()
d = h.Daemon(a.daemon, ["-p", "fragment", "-w", "4", "-d", "30"], tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "fragment daemon up")
    time.sleep(1.0)  # at the limit by now
    worst, checks, end = 0, [], time.monotonic() + 3
    while time.monotonic() < end:
        s = h.stats(path)
        worst = max(worst, s["map_count"], s["map_count_peak"])
        if a.ctl and len(checks) < 20:
            out = subprocess.run([a.ctl, "--socket", path, "check"], capture_output=True,
                                 text=True).stdout
            checks.append(int(re.search(r"- (\d+)/", out).group(1)))
    h.check(worst <= limit + 1, "4 workers at the limit: shown at most %d <= limit + 1 (%d)"
            % (worst, limit + 1))
    if checks:
        h.check(max(checks) <= limit + 1, "check never shows more than limit + 1 (%d)"
                % max(checks))
finally:
    d.kill()
