"""The load and the watch daemon write their textfiles into one directory, as the README
sets them up, and a real prometheus-node-exporter reads both at once: no series collected
twice (its log says nothing of it), no textfile scrape error, and every series of both files
served. The watch lists the load daemon, marked as a load, and leaves it out of its
threshold counts and of check --watch."""
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request
import vsharness as h

a = h.args()
node_exporter = h.find_tool("prometheus-node-exporter", "NODE_EXPORTER")
if not node_exporter:
    h.skip("needs prometheus-node-exporter (.ci/run extracts Debian's package)")
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
textdir = os.path.join(tmp, "textfile")
os.makedirs(textdir)
load_prom = os.path.join(textdir, "vmastress.prom")
watch_prom = os.path.join(textdir, "vmastress-watch.prom")
# The load near the limit on purpose (under sanitizers, lower: their runtimes map too).
fill = "0.3" if h.SANITIZER else "0.9"
load_cfg = h.write_config(tmp, 'shape = "guarded";\npressure = { target_fill = %s; };\n'
                               'stats = { textfile = "%s"; textfile_interval = 1; };\n'
                          % (fill, load_prom))
wtmp = tempfile.mkdtemp(prefix="vmastress-test-")
watch_cfg = h.write_config(wtmp, 'watch = { interval = 1; top = 50; };\n'
                                 'stats = { textfile = "%s"; textfile_interval = 1; };\n'
                           % watch_prom)
wsock = os.path.join(wtmp, "watch.sock")
port = h.free_port()
BOUND = 120
load = h.Daemon(a.daemon, ["-c", load_cfg, "-w", "2", "-d", str(BOUND)], tmp=tmp)
watch = h.Daemon(a.daemon, ["--watch", "-c", watch_cfg, "-d", str(BOUND)], tmp=wtmp,
                 socket=wsock)
nlog = open(os.path.join(tmp, "node_exporter.log"), "w")
ne = subprocess.Popen(["timeout", "-k", "5", str(BOUND), node_exporter,
                       "--web.listen-address=127.0.0.1:%d" % port, "--collector.disable-defaults",
                       "--collector.textfile", "--collector.textfile.directory=" + textdir],
                      stdout=nlog, stderr=subprocess.STDOUT)


def scrape():
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        return r.read().decode()


LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def series(text):
    """Each sample's name and labels (node_exporter serves the labels sorted)."""
    out = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key = line.rsplit(" ", 1)[0]
            name, _, labels = key.partition("{")
            out.add((name, tuple(sorted(LABEL.findall(labels)))))
    return out


try:
    end = time.monotonic() + 20
    while not (os.path.exists(load_prom) and os.path.exists(watch_prom)) and \
            time.monotonic() < end:
        time.sleep(0.1)
    h.check(os.path.exists(load_prom) and os.path.exists(watch_prom), "both textfiles written")
    # Let the load reach its fill and the watch see it.
    time.sleep(3)
    got = None
    for _ in range(50):
        try:
            got = scrape()
            break
        except OSError:
            time.sleep(0.2)
    h.check(got is not None, "node_exporter answers")
    for _ in range(3):  # a few scrapes: node_exporter logs a clash on every one
        got = scrape()
        time.sleep(0.5)
    with open(load_prom) as f:
        want = series(f.read())
    with open(watch_prom) as f:
        want |= series(f.read())
    served = series(got)
    # node_exporter adds its own labels to nothing here; values move between reads, so
    # compare the series (name and labels), from files read just before the scrape.
    missing = {s for s in want if s not in served and s[0] != "vmastress_watch_top_vmas"}
    h.check("node_textfile_scrape_error 0" in got, "no textfile scrape error")
    h.check(not missing, "every series of both files served: missing %s" % sorted(missing)[:5])
    for name in ("build_info", "start_time_seconds", "vma_limit", "textfile_failing"):
        for daemon in ("load", "watch"):
            h.check(any(s[0] == "vmastress_" + name and ("daemon", daemon) in s[1]
                        for s in served), "vmastress_%s{daemon=%s} served" % (name, daemon))
    with open(os.path.join(tmp, "node_exporter.log")) as f:
        said = f.read()
    h.check("collected before" not in said and "inconsistent" not in said and
            "error" not in said.lower(), "node_exporter logs no clash: %s" % said[-600:])
    # The watch: the load daemon is listed, marked, and counted above no threshold.
    w = h.stats(wsock)["watch"]
    row = [p for p in w["top"] if p["pid"] == load.p.pid]
    h.check(row and row[0]["load"] is True and row[0]["comm"] == "vmastressd",
            "the watch lists the load daemon as a load: %s" % row)
    h.check(not any(p["load"] for p in w["top"] if p["pid"] == watch.p.pid),
            "the watch daemon itself is no load")
    m = h.query(wsock, b"metrics\n").decode()
    h.check('pid="%d",comm="vmastressd",' % load.p.pid in m and 'load="true"' in m,
            "its metrics row carries load=\"true\"")
    p = subprocess.run([a.ctl, "--socket", wsock, "check", "--watch"], capture_output=True,
                       text=True)
    h.check("(pid %d)" % load.p.pid not in p.stdout,
            "check --watch leaves the load daemon out: %s" % p.stdout.strip())
    p = subprocess.run([a.ctl, "--socket", wsock, "top"], capture_output=True, text=True)
    line = [l for l in p.stdout.splitlines() if l.split()[:1] == [str(load.p.pid)]]
    h.check(line and line[0].endswith("load test"), "top marks it: %s" % line)
    # A clean stop of each removes its own file; node_exporter then serves neither.
    os.kill(load.p.pid, signal.SIGTERM)
    os.kill(watch.p.pid, signal.SIGTERM)
    h.check(load.wait(60) == 0 and watch.wait(60) == 0, "both stop cleanly")
    h.check(not os.path.exists(load_prom) and not os.path.exists(watch_prom),
            "a clean stop removes each daemon's textfile")
    h.check("vmastress_" not in scrape(), "node_exporter serves no vmastress series after")
finally:
    load.kill()
    watch.kill()
    if ne.poll() is None:  # timeout passes SIGTERM on, and kills after 5 s
        ne.send_signal(signal.SIGTERM)
    ne.wait()
