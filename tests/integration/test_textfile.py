"""stats.textfile: the metrics, promtool-clean, rewritten atomically every interval;
a reload turns it on and off; a clean stop (or a reload that moves it) removes it, a crash
leaves it."""
import os
import signal
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
prom = os.path.join(tmp, "vmastress.prom")
cfg = h.write_config(tmp, 'shape = "churn";\nstats = { textfile = "%s"; textfile_interval = 1; };\n'
                     % prom)
old_umask = os.umask(0o077)  # as the units run it (UMask=0077)
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "1", "-d", "4"], tmp=tmp)
os.umask(old_umask)
try:
    end = time.monotonic() + 3
    while not os.path.exists(prom) and time.monotonic() < end:
        time.sleep(0.05)
    h.check(os.path.exists(prom), "textfile written")
    mode = os.stat(prom).st_mode & 0o777
    h.check(mode == 0o644, "readable by node_exporter's user under UMask=0077: %o" % mode)
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
    h.check(not os.path.exists(prom) and "textfile %s removed (stopped)" % prom in d.log(),
            "a clean stop removes the textfile (node_exporter would serve it for ever)")
finally:
    d.kill()

# A crash leaves it: the staleness alert is then right.
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "1", "-d", "30"], tmp=tmp)
try:
    end = time.monotonic() + 3
    while not os.path.exists(prom) and time.monotonic() < end:
        time.sleep(0.05)
    h.check(os.path.exists(prom), "written again")
    d.kill()
    h.check(os.path.exists(prom), "killed (SIGKILL): the textfile stays")
finally:
    d.kill()
os.unlink(prom)
bad = h.write_config(tmp, 'stats = { textfile = "relative.prom"; };\n')
p = subprocess.run([a.daemon, "-t", "-c", bad], capture_output=True, text=True)
h.check(p.returncode == 78 and ":1: stats.textfile: must be an absolute path ending in .prom"
        in p.stderr, "a bad textfile path is a config error")

# A reload turns the textfile on (and the summary line, off at start), then off.
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
prom = os.path.join(tmp, "vmastress.prom")
cfg = h.write_config(tmp, 'shape = "churn";\nlog = { summary_interval = 0; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "1", "-d", "30"], tmp=tmp)
try:
    time.sleep(0.5)
    h.check(not os.path.exists(prom), "no textfile while stats.textfile is unset")
    h.write_config(tmp, 'shape = "churn";\nlog = { summary_interval = 1; };\n'
                   'stats = { textfile = "%s"; textfile_interval = 1; };\n' % prom)
    os.kill(d.p.pid, signal.SIGHUP)
    end = time.monotonic() + 3
    while not os.path.exists(prom) and time.monotonic() < end:
        time.sleep(0.05)
    h.check(os.path.exists(prom), "reload with stats.textfile set: written")
    h.check(h.wait_log(d, "summary: vmas"), "reload with log.summary_interval = 1: summaries")
    h.write_config(tmp, 'shape = "churn";\n')
    os.kill(d.p.pid, signal.SIGHUP)
    end = time.monotonic() + 3
    while d.log().count("configuration reloaded") < 2 and time.monotonic() < end:
        time.sleep(0.05)
    h.check(d.log().count("configuration reloaded") == 2, "reloaded again")
    time.sleep(0.3)
    h.check(not os.path.exists(prom), "reload with stats.textfile unset: the file is removed")
    time.sleep(2.2)
    h.check(not os.path.exists(prom), "and not written again")
    os.kill(d.p.pid, signal.SIGTERM)
    h.check(d.wait(30) == 0, "exit 0")
finally:
    d.kill()
