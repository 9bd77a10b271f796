"""End to end, all from Debian's packages on loopback: the daemon (fragment, at the limit)
writes its textfile, a real prometheus-node-exporter's textfile collector reads it, a real
Prometheus scrapes that with the mixin's rules loaded; through Prometheus's HTTP API the
series are there and the ENOMEM and leak alerts fire within a bounded time, and the
staleness alert does not."""
import json
import os
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import vsharness as h

a = h.args()
limit = h.emulate_limit_under_sanitizer()
prometheus = h.find_tool("prometheus", "PROMETHEUS")
node_exporter = h.find_tool("prometheus-node-exporter", "NODE_EXPORTER")
if not prometheus or not node_exporter:
    h.skip("needs prometheus and prometheus-node-exporter (.ci/run extracts Debian's packages)")
mon = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "monitoring")
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
textdir = os.path.join(tmp, "textfile")
os.makedirs(textdir)
np, pp = h.free_port(), h.free_port()
cfg = h.write_config(tmp, 'shape = "fragment";\nstats = { textfile = "%s/vmastress.prom"; '
                          'textfile_interval = 1; };\n' % textdir)
with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
    f.write("""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %s/prometheus_rules.yaml
  - %s/prometheus_alerts.yaml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:%d']
""" % (mon, mon, np))
BOUND = 240  # every process here is bounded (timeout -k) and killed by its PID at the end
procs = []


def start(argv, name):
    log = open(os.path.join(tmp, name + ".log"), "w")
    p = subprocess.Popen(["timeout", "-k", "5", str(BOUND)] + argv, stdout=log,
                         stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def api(path, **params):
    url = "http://127.0.0.1:%d/api/v1/%s?%s" % (pp, path, urllib.parse.urlencode(params))
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)["data"]


def query(expr):
    return api("query", query=expr)["result"]


def wait(what, fn, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            got = fn()
            if got:
                return got
        except OSError:
            pass
        time.sleep(0.5)
    return None


try:
    d = h.Daemon(a.daemon, ["-c", cfg, "-w", "2", "-d", str(BOUND - 60)], tmp=tmp)
    start([node_exporter, "--web.listen-address=127.0.0.1:%d" % np, "--collector.disable-defaults",
           "--collector.textfile", "--collector.textfile.directory=" + textdir], "node_exporter")
    start([prometheus, "--config.file=" + os.path.join(tmp, "prometheus.yml"),
           "--storage.tsdb.path=" + os.path.join(tmp, "data"),
           "--web.listen-address=127.0.0.1:%d" % pp], "prometheus")
    up = wait("up", lambda: query('up{job="node"} == 1'), 60)
    h.check(up, "Prometheus scrapes node_exporter (up == 1)")
    vmas = wait("vmas", lambda: query("vmastress_vmas > %d" % (0.9 * limit)), 60)
    h.check(vmas, "vmastress_vmas through node_exporter's textfile collector: %s"
            % (vmas[0]["value"][1] if vmas else None))
    fill = wait("fill", lambda: query("instance:vmastress_vma_fill:ratio > 0.95"), 30)
    h.check(fill, "the recording rule: fill %s" % (fill[0]["value"][1] if fill else None))
    t0 = time.monotonic()
    firing = wait("alert", lambda: query('ALERTS{alertname="VmastressEnomem",'
                                         'alertstate="firing"}'), 90)
    h.check(firing, "VmastressEnomem fires, %.1f s after the series were there: %s"
            % (time.monotonic() - t0, [x["metric"].get("op") for x in firing or []]))
    leak = wait("leak", lambda: query('ALERTS{alertname="VmastressLeakedBytes",'
                                      'alertstate="firing"}'), 30)
    h.check(leak, "VmastressLeakedBytes fires")
    quiet = query('ALERTS{alertname=~"VmastressTextfileStale|VmastressDown"}')
    h.check(not quiet, "the textfile is fresh: no staleness alert (%s)" % quiet)
    rules = api("rules")["groups"]
    h.check(sorted(g["name"] for g in rules) == ["vmastress.alerts", "vmastress.rules"] and
            all(r.get("health") == "ok" for g in rules for r in g["rules"]),
            "both rule groups loaded, every rule healthy")
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    d.kill()
