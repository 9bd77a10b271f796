"""The monitoring mixin (monitoring/): the rules and alerts load (promtool check rules), every
alert fires and stays quiet where its unit tests say (promtool test rules), the dashboard is
JSON and every query in it parses (as recording rules through promtool), and every vmastress_*
series the rules, alerts and dashboard name is one a real daemon exports (load and watch)."""
import json
import os
import re
import subprocess
import tempfile
import vsharness as h

a = h.args()
h.emulate_limit_under_sanitizer()
promtool = h.find_promtool()
if not promtool:
    h.skip("needs promtool (.ci/run extracts it from Debian's prometheus package)")
mon = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "monitoring")
rules = [os.path.join(mon, f) for f in ("prometheus_rules.yaml", "prometheus_alerts.yaml")]
tmp = tempfile.mkdtemp(prefix="vmastress-test-")

p = subprocess.run([promtool, "check", "rules"] + rules, capture_output=True, text=True)
h.check(p.returncode == 0 and p.stdout.count("SUCCESS: ") == len(rules),
        "promtool check rules:\n%s%s" % (p.stdout, p.stderr))
p = subprocess.run([promtool, "test", "rules", "alerts_test.yaml"], capture_output=True,
                   text=True, cwd=os.path.join(mon, "tests"))
h.check(p.returncode == 0 and "SUCCESS" in p.stdout, "promtool test rules: every alert fires "
        "and stays quiet as its tests say\n%s%s" % (p.stdout[-3000:], p.stderr[-2000:]))
alerts = re.findall(r"^\s+- alert: (\w+)", open(rules[1]).read(), re.M)
tested = set(re.findall(r"alertname: (\w+)", open(os.path.join(mon, "tests",
                                                               "alerts_test.yaml")).read()))
h.check(set(alerts) == tested, "every alert has a unit test: %s" % sorted(set(alerts) - tested))
readme = open(os.path.join(mon, "README.md")).read()
h.check(all("### %s" % x in readme for x in alerts), "every alert has a runbook in "
        "monitoring/README.md: %s" % [x for x in alerts if "### %s" % x not in readme])

# The dashboard: JSON, and each query (variables given values) a valid expression.
with open(os.path.join(mon, "dashboards", "vmastress.json")) as f:
    dash = json.load(f)
exprs = [t["expr"] for panel in dash["panels"] for t in panel.get("targets", [])]
for v in dash["templating"]["list"]:
    q = v.get("query")
    if isinstance(q, dict):
        m = re.match(r"label_values\((\w+), *\w+\)$", q["query"])
        h.check(m, "variable %s: label_values(metric, label)" % v["name"])
        exprs.append(m.group(1))
h.check(len(exprs) >= 12, "%d queries in the dashboard" % len(exprs))
subst = [e.replace("$__rate_interval", "5m").replace("$instance", ".*") for e in exprs]
qfile = os.path.join(tmp, "dashboard_queries.yaml")
with open(qfile, "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(subst):
        f.write("      - record: dashboard:query_%d\n        expr: %s\n" % (i, json.dumps(e)))
p = subprocess.run([promtool, "check", "rules", qfile], capture_output=True, text=True)
h.check(p.returncode == 0, "every dashboard query parses (promtool):\n%s%s" % (p.stdout, p.stderr))

# Every vmastress_* name used is exported by a real daemon: a load daemon (the fragment
# shape with a demand: failures, leaks, calls, latency, kernel) and a watch daemon.
used = set()
for text in [open(r).read() for r in rules] + exprs:
    used |= set(re.findall(r"(?<![:\w])(vmastress_[a-z0-9_]+)(?![:\w])", text))
sock = os.path.join(tmp, "load.sock")
wsock = os.path.join(tmp, "watch.sock")
load = h.Daemon(a.daemon, ["-p", "fragment", "-w", "2", "-d", "30", "--demand", "1000"],
                socket=sock, tmp=tmp)
watch = h.Daemon(a.daemon, ["--watch", "-d", "30"], socket=wsock,
                 tmp=tempfile.mkdtemp(prefix="vmastress-test-"))
try:
    h.check(h.wait_socket(sock) and h.wait_socket(wsock), "a load daemon and a watch daemon up")
    import time
    time.sleep(1.5)
    exported = set()
    for s in (sock, wsock):
        for line in h.query(s, b"metrics\n").decode().splitlines():
            if line.startswith("# TYPE "):  # a family with no series now (no process climbs)
                exported.add(line.split()[2])
            elif line and not line.startswith("#"):
                name = re.match(r"[a-z_:0-9]+", line).group(0)
                exported.add(re.sub(r"_(bucket|sum|count)$", "", name))
                exported.add(name)
finally:
    load.kill()
    watch.kill()
missing = sorted(n for n in used if n not in exported)
h.check(not missing, "every vmastress_* series the mixin names is exported (%d names): missing %s"
        % (len(used), missing))
