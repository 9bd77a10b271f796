"""The Kubernetes manifests (deploy/kubernetes/), offline (no cluster, no registry):
- yamllint (Debian's) with the tree's .yamllint: every file is well-formed YAML;
- the base's DaemonSet: hostPID, capabilities dropped but BPF, PERFMON and SYS_PTRACE
  named one by one, no privilege, a read-only root, every host directory read-only
  but its state and the textfile's, requests and limits, the image of this version,
  its args the image's CMD; /proc/sys written only in the raise overlay (privileged
  there alone), whose patches name what the base has;
- every ConfigMap's watch.conf and the load-test Job's arguments read by this
  vmastressd (-t);
- the PrometheusRule's groups are monitoring/'s rules and alerts, as they are;
- kubectl kustomize builds the base and the overlay where kubectl is installed."""
import os
import re
import shutil
import subprocess
import tempfile
import vsharness as h

a = h.args()
try:
    import yaml
except ImportError:
    h.skip("needs python3-yaml (.ci/run installs it)")
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
kdir = os.path.join(src, "deploy", "kubernetes")
tmp = tempfile.mkdtemp(prefix="vmastress-test-")


def load(rel):
    with open(os.path.join(kdir, rel)) as f:
        return yaml.safe_load(f)


if not shutil.which("yamllint"):
    h.skip("needs yamllint (.ci/run installs it)")
p = subprocess.run(["yamllint", "-s", "-c", os.path.join(kdir, ".yamllint"), kdir],
                   capture_output=True, text=True)
h.check(p.returncode == 0, "yamllint: every manifest is well-formed%s" % p.stdout[-600:])

base = load("base/kustomization.yaml")
for r in base["resources"]:
    h.check(os.path.exists(os.path.join(kdir, "base", r)), "base: %s exists" % r)
ds = load("base/daemonset.yaml")
spec = ds["spec"]["template"]["spec"]
c = spec["containers"][0]
sc = c["securityContext"]
h.check(spec.get("hostPID") is True, "the DaemonSet sees the host's processes (hostPID)")
h.check(sc["capabilities"]["drop"] == ["ALL"] and
        sorted(sc["capabilities"]["add"]) == ["BPF", "PERFMON", "SYS_PTRACE"],
        "capabilities: all dropped, the catch's named: %s" % sc["capabilities"])
h.check(not sc.get("privileged") and sc.get("readOnlyRootFilesystem") and
        sc.get("allowPrivilegeEscalation") is False,
        "the base is unprivileged, its root read-only")
h.check(all(k in c["resources"].get(x, {}) for x in ("requests", "limits") for k in ("cpu", "memory")),
        "requests and limits: %s" % c["resources"])
version = subprocess.run([a.daemon, "--version"], capture_output=True, text=True).stdout.split()[-1]
h.check(c["image"] == "localhost/vmastress-watch:%s" % version,
        "the image is this version's, as deploy/image/build.sh tags it: %s" % c["image"])
cmd = re.search(r'^CMD (\[.*\])', open(os.path.join(src, "deploy/image/Containerfile")).read(), re.M)
h.check(cmd and yaml.safe_load(cmd.group(1)) == c["args"], "its args are the image's CMD")
vols = {v["name"]: v for v in spec["volumes"]}
written = set()
for m in c["volumeMounts"]:
    v = vols[m["name"]]
    if "hostPath" in v and not m.get("readOnly"):
        written.add(m["name"])
    h.check(not v.get("hostPath", {}).get("path", "").startswith("/proc"),
            "%s: no part of the host's /proc mounted" % m["name"])
h.check(written == {"state", "textfile"},
        "host directories written: its state and the textfile's only (%s)" % sorted(written))
for need in ("/sys/kernel/btf", "/sys/fs/cgroup", "/var/log/containers",
             "/var/lib/containers/storage/overlay-containers"):
    h.check(any(m["mountPath"] == need and m.get("readOnly") for m in c["volumeMounts"]),
            "mounted read-only: %s" % need)

raise_k = load("raise/kustomization.yaml")
h.check(raise_k["bases"] == ["../base"], "the raise overlay is over the base")
patch = load("raise/daemonset-raise.yaml")
pc = patch["spec"]["template"]["spec"]["containers"][0]
h.check(patch["metadata"]["name"] == ds["metadata"]["name"] and pc["name"] == c["name"] and
        pc["securityContext"].get("privileged") is True,
        "the overlay grants /proc/sys (privileged) to the base's container, and only it")

confs = {"base": load("base/configmap.yaml"), "raise": load("raise/configmap-raise.yaml")}
h.check(confs["raise"]["metadata"]["name"] == confs["base"]["metadata"]["name"] ==
        vols["config"]["configMap"]["name"], "the ConfigMaps are the one the DaemonSet mounts")
for name, cm in confs.items():
    path = os.path.join(tmp, name + ".conf")
    with open(path, "w") as f:
        f.write(cm["data"]["watch.conf"])
    p = subprocess.run([a.daemon, "--watch", "-t", "-c", path], capture_output=True, text=True)
    h.check(p.returncode == 0, "%s: its watch.conf is read by vmastressd -t (%s)"
            % (name, p.stderr.strip()[-200:]))
    raise_on = re.search(r"raise = \{\s*\n\s*enabled = (\d)", p.stdout)
    h.check(raise_on and raise_on.group(1) == ("1" if name == "raise" else "0"),
            "%s: the raise policy is %s" % (name, "on" if name == "raise" else "off"))
h.check('for = "pod:search/es-*"' in subprocess.run(
    [a.daemon, "--watch", "-t", "-c", os.path.join(tmp, "raise.conf")],
    capture_output=True, text=True).stdout, "the overlay scopes the raise (raise.for)")

job = yaml.safe_load(open(os.path.join(kdir, "job-loadtest.yaml")))
jc = job["spec"]["template"]["spec"]["containers"][0]
p = subprocess.run([a.daemon] + jc["args"] + ["-t"], capture_output=True, text=True)
h.check(p.returncode == 0 and jc["command"] == ["/usr/sbin/vmastressd"] and
        jc["securityContext"].get("runAsNonRoot"),
        "the load-test Job: its arguments read by vmastressd -t, unprivileged (%s)"
        % p.stderr.strip()[-200:])

rule = load("base/prometheusrule.yaml")
groups = []
for f in ("prometheus_rules.yaml", "prometheus_alerts.yaml"):
    with open(os.path.join(src, "monitoring", f)) as fh:
        groups += yaml.safe_load(fh)["groups"]
h.check(rule["kind"] == "PrometheusRule" and rule["spec"]["groups"] == groups,
        "the PrometheusRule holds monitoring/'s rules and alerts as they are")

if shutil.which("kubectl"):
    for k in ("base", "raise"):
        p = subprocess.run(["kubectl", "kustomize", os.path.join(kdir, k)],
                           capture_output=True, text=True)
        h.check(p.returncode == 0, "kubectl kustomize %s builds (%s)" % (k, p.stderr[-300:]))
        docs = list(yaml.safe_load_all(p.stdout))
        built = next(d for d in docs if d["kind"] == "DaemonSet")
        priv = built["spec"]["template"]["spec"]["containers"][0]["securityContext"].get("privileged")
        h.check(bool(priv) == (k == "raise") and
                all(d["metadata"].get("namespace") == "vmastress" for d in docs
                    if d["kind"] != "Namespace"),
                "%s: built, in namespace vmastress, privileged only with the raise" % k)
else:
    print("note: kubectl is not installed: kustomize's build not checked")
print("ok: test_kubernetes")
