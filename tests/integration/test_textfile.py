"""stats.textfile: the metrics, promtool-clean, rewritten atomically every interval."""
import os
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
prom = os.path.join(tmp, "vmastress.prom")
cfg = h.write_config(tmp, 'profile = "churn";\nstats = { textfile = "%s"; textfile_interval = 1; };\n'
                     % prom)
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "1", "-d", "4"], tmp=tmp)
try:
    end = time.monotonic() + 3
    while not os.path.exists(prom) and time.monotonic() < end:
        time.sleep(0.05)
    h.check(os.path.exists(prom), "textfile written")
    with open(prom) as f:
        first = f.read()
    h.check("vmastress_ops_total{op=\"mmap\"}" in first, "it holds the metrics")
    time.sleep(1.5)
    with open(prom) as f:
        second = f.read()
    h.check(second != first, "rewritten after the interval")
    h.check(not os.path.exists(prom + ".tmp"), "no temporary file left behind")
    promtool = h.find_promtool()
    if promtool:
        p = subprocess.run([promtool, "check", "metrics"], input=second, capture_output=True,
                           text=True)
        h.check(p.returncode == 0 and p.stdout + p.stderr == "", "promtool check metrics: clean")
    h.check(d.wait(30) == 0, "exit 0")
finally:
    d.kill()
bad = h.write_config(tmp, 'stats = { textfile = "relative.prom"; };\n')
p = subprocess.run([a.daemon, "-t", "-c", bad], capture_output=True, text=True)
h.check(p.returncode == 78 and ":1: stats.textfile: must be an absolute path ending in .prom"
        in p.stderr, "a bad textfile path is a config error")
