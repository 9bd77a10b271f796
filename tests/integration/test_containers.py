"""The watch where fleets run it, under Debian's podman (runc, cgroupfs, no registry):
- its image, built offline from this build (deploy/image/build.sh), runs with the
  DaemonSet's pod spec (deploy/kubernetes/base, with the raise overlay's patches), as
  `podman run` with the same flags: podman 4.3's `kube play` takes no DaemonSet, and
  from a Pod it drops hostPID and the seccomp profile. Its catch attaches (bpf);
- beside it, two named containers whose processes climb toward the limit, 65530
  here: `top`, `events`, `advise` and the metrics name both by container name;
- raise.for names one: the other, first at the limit, is refused a step ("scope",
  its workload named) and its calls are refused; the one named is raised and makes
  every VMA.
Containers and images are removed by the names given; the sysctl is put back."""
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
    h.skip("needs root: podman's containers, BPF, the sysctl")
if not shutil.which("podman") or not shutil.which("runc"):
    h.skip("needs podman and runc (.ci/run installs them)")
if h.SANITIZER:
    h.skip("its climbers (sanitized helpers) live at the kernel's limit")
try:
    import yaml
except ImportError:
    h.skip("needs python3-yaml to read the manifests")
found = h.read_sysctl()
if found != 65530:
    h.skip("needs a host at the kernel's default 65530 (this one is at %d): the scoped "
           "raise is tested from there, and a test never lowers the limit" % found)

src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
build = os.path.dirname(os.path.abspath(a.daemon))
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
os.chmod(tmp, 0o755)
tag = "%06x" % random.getrandbits(24)
conf = os.path.join(tmp, "containers.conf")
with open(conf, "w") as f:
    # runc (crun refuses hybrid cgroups), cgroupfs, rlimits under the host's hard ones
    f.write('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
            '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n')
env = dict(os.environ, CONTAINERS_CONF=conf)
climb_image = "localhost/vmastress-test-climb:%s" % tag
watch_image = "localhost/vmastress-test-watch:%s" % tag
watch_name = "vmastress-test-watch-%s" % tag
es, other = "vmastress-es-%s-0" % tag, "vmastress-other-%s-0" % tag
names = [watch_name, es, other]


def podman(*argv, timeout=120, check=True):
    p = subprocess.run(["timeout", "-k", "10", str(timeout), "podman"] + list(argv),
                       capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        h.check(False, "podman %s: %s" % (" ".join(argv[:3]), (p.stderr or p.stdout)[-400:]))
    return p


# A sysctl.d file of the test's on the host, in /run (gone at boot): the watch in its
# container must find it under watch.host_root. It says what the limit is now.
run_sysctl_made = not os.path.isdir("/run/sysctl.d")
run_sysctl = "/run/sysctl.d/99-vmastress-test-%s.conf" % tag


def cleanup():
    if os.path.exists(run_sysctl):
        os.unlink(run_sysctl)
    if run_sysctl_made and os.path.isdir("/run/sysctl.d") and not os.listdir("/run/sysctl.d"):
        os.rmdir("/run/sysctl.d")
    for n in names:
        podman("rm", "-f", "-t", "2", n, check=False)
    for i in (climb_image, watch_image):
        podman("rmi", "-f", i, check=False)


def pod_spec():
    """The DaemonSet's container with the raise overlay's patches, and its config."""
    ds = yaml.safe_load(open(os.path.join(src, "deploy/kubernetes/base/daemonset.yaml")))
    patch = yaml.safe_load(open(os.path.join(src, "deploy/kubernetes/raise/daemonset-raise.yaml")))
    spec = ds["spec"]["template"]["spec"]
    c = spec["containers"][0]
    c["securityContext"].update(patch["spec"]["template"]["spec"]["containers"][0]["securityContext"])
    cm = yaml.safe_load(open(os.path.join(src, "deploy/kubernetes/raise/configmap-raise.yaml")))
    return spec, c, cm["data"]["watch.conf"]


def run_flags(spec, c, confdir, rundir, statedir):
    """`podman run` flags that say what the pod spec says."""
    flags = ["--name", watch_name, "-d", "--network=none"]  # it listens on no port
    if spec.get("hostPID"):
        flags.append("--pid=host")
    sc = c["securityContext"]
    if sc.get("privileged"):
        flags.append("--privileged")
    flags += ["--cap-drop=" + x for x in sc["capabilities"].get("drop", [])]
    flags += ["--cap-add=CAP_" + x for x in sc["capabilities"].get("add", [])]
    if sc.get("seccompProfile", {}).get("type") == "Unconfined":
        flags += ["--security-opt", "seccomp=unconfined"]
    if sc.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
    flags += ["--user", str(sc.get("runAsUser", 0))]
    lim = c["resources"]["limits"]
    flags += ["--memory", lim["memory"].replace("Mi", "m"),
              "--cpus", str(int(lim["cpu"].rstrip("m")) / 1000)]
    for e in c.get("env", []):
        flags += ["-e", "%s=%s" % (e["name"], e["value"])]
    vols = {v["name"]: v for v in spec["volumes"]}
    mine = {"config": confdir, "run": rundir, "state": statedir}
    for m in c["volumeMounts"]:
        v = vols[m["name"]]
        host = mine.get(m["name"]) or v.get("hostPath", {}).get("path")
        if m["name"] == "textfile":
            host = statedir  # not the host's node_exporter directory
        if host and host.startswith("/var/lib/containers/") and \
                v.get("hostPath", {}).get("type") == "DirectoryOrCreate":
            os.makedirs(host, exist_ok=True)  # podman's own, made before its first container
        if not host or not os.path.exists(host):
            continue  # DirectoryOrCreate: the kubelet's or Docker's, not made here by a test
        flags += ["-v", "%s:%s%s" % (host, m["mountPath"], ":ro" if m.get("readOnly") else "")]
    return flags + [watch_image] + c["args"]


def wait_made(name, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = podman("logs", name, check=False).stdout
        if "made" in out:
            return [int(x) for x in out.split()[1::2]]
        time.sleep(0.2)
    h.check(False, "%s: its climber reported (%s)" % (name, podman("logs", name, check=False)))


def ctl(sock, *argv):
    return subprocess.run([a.ctl, "--socket", sock] + list(argv), capture_output=True,
                          text=True, timeout=30)


import atexit
atexit.register(cleanup)
with h.RaisedLimit(found):
    # The images, offline.
    root = os.path.join(tmp, "climb-root")
    subprocess.run(["sh", os.path.join(src, "deploy/image/mkroot.sh"), root,
                    os.path.join(build, "tests", "vma_climb") + ":/vma_climb"], check=True)
    subprocess.run(["tar", "-C", root, "-cf", os.path.join(tmp, "climb.tar"), "."], check=True)
    podman("import", os.path.join(tmp, "climb.tar"), climb_image)
    p = subprocess.run(["timeout", "-k", "10", "300", "sh",
                        os.path.join(src, "deploy/image/build.sh"), build, watch_image],
                       capture_output=True, text=True, env=env)
    h.check(p.returncode == 0, "deploy/image/build.sh builds the watch's image offline (%s)"
            % p.stderr[-300:])

    # The watch, from the pod spec, its config the raise overlay's with raise.for
    # naming the es container.
    spec, c, text = pod_spec()
    h.check(spec.get("hostPID") and "BPF" in c["securityContext"]["capabilities"]["add"],
            "the pod spec: hostPID and CAP_BPF named")
    confdir, rundir, statedir = (os.path.join(tmp, d) for d in ("config", "run", "state"))
    for d in (confdir, rundir, statedir):
        os.makedirs(d)
    text = text.replace('for = ["pod:search/es-*"];', 'for = ["container:vmastress-es-*"];\n'
                        '      restore_on_stop = 1;')
    text = text.replace("ceiling = 1048576;", "ceiling = 262144;")
    text = text.replace("interval = 30;", "interval = 1;")
    h.check("container:vmastress-es-*" in text, "the overlay's raise.for set for the test")
    with open(os.path.join(confdir, "watch.conf"), "w") as f:
        f.write(text)
    t = subprocess.run([a.daemon, "--watch", "-t", "-c", os.path.join(confdir, "watch.conf")],
                       capture_output=True, text=True)
    h.check(t.returncode == 0, "the overlay's watch.conf is valid (%s)" % t.stderr[-200:])
    os.makedirs("/run/sysctl.d", exist_ok=True)
    with open(run_sysctl, "w") as f:
        f.write("vm.max_map_count = %d\n" % found)
    podman("run", *run_flags(spec, c, confdir, rundir, statedir))
    sock = os.path.join(rundir, "watch.sock")
    if not h.wait_socket(sock, 30):
        h.check(False, "the watch in its container answers (%s)"
                % podman("logs", watch_name, check=False).stderr[-600:])
    s = h.stats(sock)
    h.check(s["watch"]["backend"] == "bpf" and s["raise"]["state"] == "armed",
            "in its container the catch attached (%s, %s) and the raise is armed (%s: %s)"
            % (s["watch"]["backend"], s["watch"].get("attach") or s["watch"]["backend_reason"],
               s["raise"]["state"], s["raise"]["reason"]))

    sc = s["watch"]["sysctl"]
    h.check(sc["winner"] == run_sysctl and
            any(x["path"] == run_sysctl and x["value"] == found for x in sc["sources"]),
            "in its container the watch reads the host's sysctl.d files under watch.host_root "
            "(the DaemonSet's /host): the test's %s wins (%s)" % (run_sysctl, sc["sources"]))

    run = ["run", "-d", "--network=none", "--name"]
    # The one outside raise.for first, to the limit: refused there.
    podman(*run, other, climb_image, "/vma_climb", "70000", "0", "600")
    made, refused = wait_made(other)
    h.check(60000 < made < 65530 and refused > 0 and h.read_sysctl() == 65530,
            "%s (not in raise.for): %d VMAs made, %d calls refused; the limit stays %d"
            % (other, made, refused, h.read_sysctl()))
    # The one named: raised, and every VMA made.
    podman(*run, es, climb_image, "/vma_climb", "100000", "0", "600")
    made, refused = wait_made(es)
    h.check(made == 100000 and h.read_sysctl() == 131072,
            "%s (raise.for): %d of 100000 VMAs, the limit raised to %d"
            % (es, made, h.read_sysctl()))
    time.sleep(2.5)  # two scans: both listed, their peaks kept
    s = h.stats(sock)
    r = s["raise"]
    recs = [(x["workload"]["name"], x["result"], x["refused"]) for x in r["raises"]]
    h.check(("podman:" + es, "raised", None) in recs and
            ("podman:" + other, "refused", "scope") in recs and r["refused"]["scope"] >= 1,
            "the raise served %s and refused %s for scope: %s" % (es, other, recs))
    rows = {x["workload"]["name"]: x for x in s["watch"]["top"]}
    h.check(("podman:" + es) in rows and ("podman:" + other) in rows and
            rows["podman:" + es]["workload"]["kind"] == "container",
            "the top names both containers: %s" % sorted(rows))
    top = ctl(sock, "top").stdout
    h.check("podman:" + es in top and "podman:" + other in top, "vmastressctl top names both")
    ev = ctl(sock, "events").stdout
    h.check("podman:" + other in ev and "refused" in ev,
            "vmastressctl events names the refused container: %s" % ev[-400:])
    adv = ctl(sock, "advise").stdout
    h.check("podman:" + es in adv and "podman:" + other in adv,
            "vmastressctl advise lists both workloads: %s" % adv[adv.find("By workload"):][:500])
    m = ctl(sock, "metrics").stdout
    h.check(('vmastress_workload_peak_vmas{workload="podman:%s",kind="container"}' % es) in m
            and ('workload="podman:%s"' % other) in m,
            "the metrics label both workloads by container name")
    h.check('vmastress_raise_refused_total{why="scope"} 1' in m or
            'vmastress_raise_refused_total{why="scope"}' in m,
            "vmastress_raise_refused_total{why=\"scope\"} is served")
    podman("stop", "-t", "10", watch_name)
    log = podman("logs", watch_name, check=False).stderr
    h.check("for podman:" + es in log and "not in raise.for" in log,
            "the journal lines name the workload raised for and the one refused")
print("ok: test_containers")
