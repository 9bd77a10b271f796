"""Every process named by its workload, from what the kubelet and the container
runtimes leave on the host, read as the watch reads them (no kubelet runs here, so the
kubelet's own layout is made for the test):
- a process in a pod's cgroup as the systemd driver writes it (kubepods.slice/.../
  kubepods-burstable-pod<UID>.slice/cri-containerd-<ID>.scope), with the kubelet's
  /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log link: workload
  pod:search/es-data-0/elasticsearch, peaks kept by its owner, pod:search/es-data;
- one as the cgroupfs driver writes it (kubepods/burstable/pod<UID>/<ID>), a
  Deployment's pod: pod:shop/web-7d9f8c6b5-x2k4p/web, key pod:shop/web;
- a Docker container (system.slice/docker-<ID>.scope) named from
  /var/lib/docker/containers/ID/config.v2.json: docker:web-1;
- a pod with no link: its short id kept, "named": false, and why;
in `top`, the stats, the metrics' workload label, the advice per workload and the
peaks file. The watch runs in a mount namespace of its own, with the kubelet's and
Docker's directories made there on tmpfs: the host's are not touched."""
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
if os.geteuid() != 0:
    h.skip("needs root: cgroups made for the test, a mount namespace")
if not shutil.which("unshare"):
    h.skip("needs unshare (util-linux)")
unified = next((l.split()[1] for l in open("/proc/self/mounts") if l.split()[2] == "cgroup2"),
               None)
if not unified or not os.access(unified, os.W_OK):
    h.skip("needs a writable cgroup v2 hierarchy")

tmp = tempfile.mkdtemp(prefix="vmastress-test-")
os.chmod(tmp, 0o755)
tag = "%08x" % random.getrandbits(32)


def hexid(n):
    return ("%064x" % random.getrandbits(256))[:64]


es_uid = "%s-5678-90ef-1234-567890abcdef" % tag
web_uid = "%s-aaaa-bbbb-cccc-ddddeeeeffff" % tag
lost_uid = "%s-0000-1111-2222-333344445555" % tag
es_id, web_id, dock_id, lost_id = hexid(1), hexid(2), hexid(3), hexid(4)
cgroups = {
    "es": "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
          "cri-containerd-%s.scope" % (es_uid.replace("-", "_"), es_id),
    "web": "kubepods/burstable/pod%s/%s" % (web_uid, web_id),
    "dock": "system.slice/docker-%s.scope" % dock_id,
    "lost": "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/"
            "crio-%s.scope" % (lost_uid.replace("-", "_"), lost_id),
}
counts = {"es": 9000, "web": 7000, "dock": 5000, "lost": 3000}
made = []  # cgroup directories this test made, deepest last
holders = {}


def make_cgroup(rel):
    path = unified
    for part in rel.split("/"):
        path = os.path.join(path, part)
        if not os.path.isdir(path):
            os.mkdir(path)
            made.append(path)
    return path


climb = os.path.join(os.path.dirname(os.path.abspath(a.daemon)), "tests", "vma_climb")
script = os.path.join(tmp, "names.sh")
try:
    for name, rel in cgroups.items():
        d = make_cgroup(rel)
        p = subprocess.Popen([climb, str(counts[name]), "0", "120"], stdout=subprocess.PIPE,
                             text=True)
        with open(os.path.join(d, "cgroup.procs"), "w") as f:
            f.write(str(p.pid))
        holders[name] = p
        h.check(p.stdout.readline().startswith("made %d" % counts[name]),
                "%s: %d VMAs made in its cgroup" % (name, counts[name]))
    with open(script, "w") as f:
        f.write("""set -e
mount --make-rprivate /
for d in /var/log/containers /var/log/pods /var/lib/docker/containers; do
    mkdir -p $d; mount -t tmpfs tmpfs $d
done
mkdir -p /var/log/pods/search_es-data-0_%(es_uid)s/elasticsearch \\
         /var/log/pods/shop_web-7d9f8c6b5-x2k4p_%(web_uid)s/web
touch /var/log/pods/search_es-data-0_%(es_uid)s/elasticsearch/0.log \\
      /var/log/pods/shop_web-7d9f8c6b5-x2k4p_%(web_uid)s/web/0.log
ln -s /var/log/pods/search_es-data-0_%(es_uid)s/elasticsearch/0.log \\
      /var/log/containers/es-data-0_search_elasticsearch-%(es_id)s.log
ln -s /var/log/pods/shop_web-7d9f8c6b5-x2k4p_%(web_uid)s/web/0.log \\
      /var/log/containers/web-7d9f8c6b5-x2k4p_shop_web-%(web_id)s.log
mkdir /var/lib/docker/containers/%(dock_id)s
printf '{"ID":"%(dock_id)s","Name":"/web-1","State":{"Running":true}}' \\
    > /var/lib/docker/containers/%(dock_id)s/config.v2.json
STATE_DIRECTORY=%(tmp)s timeout -k 5 60 %(daemon)s --watch -c %(tmp)s/w.conf -d 6 \\
    --socket %(tmp)s/w.sock --report %(tmp)s/report.json 2> %(tmp)s/watch.log &
D=$!
for i in $(seq 100); do [ -S %(tmp)s/w.sock ] && break; sleep 0.05; done
sleep 2.5
%(ctl)s --socket %(tmp)s/w.sock top > %(tmp)s/top.txt
%(ctl)s --socket %(tmp)s/w.sock metrics > %(tmp)s/metrics.txt
%(ctl)s --socket %(tmp)s/w.sock advise > %(tmp)s/advise.txt || true
wait $D
""" % {"tmp": tmp, "daemon": a.daemon, "ctl": a.ctl, "es_uid": es_uid, "web_uid": web_uid,
       "es_id": es_id, "web_id": web_id, "dock_id": dock_id})
    with open(os.path.join(tmp, "w.conf"), "w") as f:
        f.write("watch = { interval = 1; top = 20; workloads = 3; };\n")
    p = subprocess.run(["unshare", "-m", "sh", script], capture_output=True, text=True,
                       timeout=120)
    log = open(os.path.join(tmp, "watch.log")).read()
    h.check(p.returncode == 0, "the watch in its namespace ran and stopped (%d: %s %s)"
            % (p.returncode, p.stderr[-300:], log[-300:]))
finally:
    held = {}  # what each holds now, the kernel's count (a sanitizer's runtime maps more)
    for name, p in holders.items():
        held[name] = h.proc_vmas(p.pid) if p.poll() is None else -1
        p.kill()
        p.wait()
    for d in reversed(made):
        for _ in range(50):
            try:
                os.rmdir(d)
                break
            except OSError:
                time.sleep(0.05)

rep = json.load(open(os.path.join(tmp, "report.json")))
rows = {r["pid"]: r for r in rep["watch"]["top"]}
want = {
    "es": ("pod", "pod:search/es-data-0/elasticsearch", True),
    "web": ("pod", "pod:shop/web-7d9f8c6b5-x2k4p/web", True),
    "dock": ("container", "docker:web-1", True),
    "lost": ("pod", "pod:%s/%s" % (lost_uid, lost_id[:12]), False),
}
for name, (kind, wname, named) in want.items():
    r = rows.get(holders[name].pid)
    h.check(r is not None, "%s: listed in the top" % name)
    w = r["workload"]
    h.check(w["kind"] == kind and w["name"] == wname and w["named"] == named,
            "%s: workload %s (want %s %s, named %s)" % (name, w, kind, wname, named))
h.check("kubelet" in rows[holders["lost"].pid]["workload"].get("why", ""),
        "an unnamed pod says why: %s" % rows[holders["lost"].pid]["workload"])
top = open(os.path.join(tmp, "top.txt")).read()
for name in ("es", "web", "dock"):
    h.check(want[name][1] in top, "vmastressctl top names %s: %s" % (name, want[name][1]))
# Peaks by workload key: a pod's by its namespace and owner.
keys = {w["name"]: w for w in rep["advice"]["workloads"]}
for key, name in (("pod:search/es-data", "es"), ("pod:shop/web", "web"),
                  ("docker:web-1", "dock")):
    h.check(key in keys and counts[name] <= keys[key]["map_count"] <= held[name] + 64,
            "advice lists %s at its peak, %d VMAs held: %s" % (key, held[name], keys.get(key)))
h.check(keys["pod:search/es-data"]["recommended_limit"] == 65530,
        "each workload's need: %s" % keys["pod:search/es-data"])
with open(os.path.join(tmp, "peaks.json")) as f:
    peaks = f.read()
h.check('"unit":"pod:search/es-data"' in peaks and '"unit":"pod:shop/web"' in peaks,
        "peaks.json keeps the pods' peaks by owner")
# The metrics: watch.workloads = 3 of them by peak (the stats' order), the rest as one.
metrics = open(os.path.join(tmp, "metrics.txt")).read()
labelled = [l for l in metrics.splitlines() if l.startswith("vmastress_workload_peak_vmas{")]
first = [w["name"] for w in rep["advice"]["workloads"][:3]]
h.check(len(labelled) == 4 and 'workload="other"' in labelled[-1] and
        all('workload="%s"' % n in l for n, l in zip(first, labelled)),
        "watch.workloads = 3: the three highest peaks (%s) and \"other\": %s" % (first, labelled))
adv = open(os.path.join(tmp, "advise.txt")).read()
h.check("By workload" in adv and "pod:search/es-data" in adv and "docker:web-1" in adv,
        "vmastressctl advise lists each workload: %s" % adv[adv.find("By workload"):][:400])
print("ok: test_workloads")
