"""A failure the VMA limit does not explain (any errno but ENOMEM) shows in status by op and
errno, and check says WARNING: the kernel really returns EEXIST to the daemon's mmap
(strace's syscall fault injection), as it did when a reload placed one worker's mapping
on another's range."""
import os
import shutil
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
h.skip_under_sanitizer("strace's fault injection into the runtime's own mmaps")
if not shutil.which("strace"):
    h.skip("needs strace (.ci/run installs it)")
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
path = os.path.join(tmp, "stats.sock")
cfg = h.write_config(tmp, 'shape = "churn";\nworkers = 1;\n')
# Past start-up (a few hundred mmaps), every 50th of 200 mmaps fails with EEXIST.
inject = ["timeout", "-k", "5", "120", "strace", "-f", "-qq", "-o", "/dev/null", "-e",
          "trace=mmap", "-e", "inject=mmap:error=EEXIST:when=3000..3200+50"]
d = h.Daemon(a.daemon, ["-c", cfg, "-d", "60"], tmp=tmp, socket=path, prefix=inject)
try:
    h.check(h.wait_socket(path, 30), "up under strace")
    end = time.monotonic() + 30
    while time.monotonic() < end and h.stats(path)["failures"]["mmap"].get("EEXIST", 0) < 5:
        time.sleep(0.2)
    s = h.stats(path)
    n = s["failures"]["mmap"].get("EEXIST", 0)
    h.check(n == 5, "the kernel's EEXIST counted, by op and errno: %s" % s["failures"])
    p = subprocess.run([a.ctl, "--socket", path, "status"], capture_output=True, text=True)
    line = [l for l in p.stdout.splitlines() if l.startswith("failures:")]
    h.check(p.returncode == 0 and line and "mmap EEXIST 5" in line[0] and
            "5 not ENOMEM" in p.stdout, "status lists every failure kind: %s" % line)
    p = subprocess.run([a.ctl, "--socket", path, "check"], capture_output=True, text=True)
    h.check(p.returncode == 1 and p.stdout.startswith("VMASTRESS WARNING") and
            "5 failures not ENOMEM (" in p.stdout and "unexpected_failures=5c" in p.stdout,
            "check: WARNING on failures the limit does not explain: %s" % p.stdout.strip())
finally:
    d.kill()
