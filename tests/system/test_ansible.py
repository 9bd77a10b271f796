"""The Ansible rollout (deploy/ansible), for real: ansible-lint clean, then the playbook from
Debian's ansible against two booted systemd containers over ssh on loopback: it installs the
.deb, sets the limit by a sysctl.d drop-in on the "tuned" group (the kernel's limit really
rises: one kernel), runs the bounded, seeded demand test on both ("default" under an emulated
65530), fetches the reports and prints the fleet summary: "held" and "not held"; then removes
the drop-in again. vm.max_map_count is put back to the value found on every way out."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import vsharness as h  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--source", required=True)
p.add_argument("--pkgdir", required=True)
p.add_argument("--ctl", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
need = ("ansible-playbook", "ansible-lint", "ssh", "ssh-keygen", "debootstrap", "systemd-nspawn")
if os.geteuid() != 0 or not all(shutil.which(t) for t in need):
    h.skip("needs root and %s (.ci/run installs them)" % ", ".join(need))
ansible_dir = os.path.join(a.source, "deploy", "ansible")
lint = subprocess.run(["ansible-lint", "--offline", "playbook.yml", "summary.yml",
                       "advise.yml", "roles/vmastress"],
                      cwd=ansible_dir, capture_output=True, text=True, timeout=300,
                      env=dict(os.environ, NO_COLOR="1", ANSIBLE_NOCOLOR="1"))
print(lint.stdout[-2000:], lint.stderr[-2000:])
h.check(lint.returncode == 0 and "0 failure(s), 0 warning(s)" in lint.stdout + lint.stderr,
        "ansible-lint (production profile): clean")

if not any(f.startswith("vmastress_") and f.endswith(".deb") for f in os.listdir(a.pkgdir)
           if os.path.isdir(a.pkgdir)):
    r = subprocess.run([os.path.join(a.source, "tests/system/build_packages.sh"), a.source,
                        a.pkgdir], capture_output=True, text=True)
    h.check(r.returncode == 0, "packages built")
deb = next(os.path.join(a.pkgdir, f) for f in sorted(os.listdir(a.pkgdir))
           if f.startswith("vmastress_") and f.endswith(".deb"))
found = h.read_limit()
# Not 262144: the value the role's old group_vars file forced over the inventory's.
raised = max(327680, found + 131072)
res = os.path.join(a.out, "results")
with h.RaisedLimit(found):  # no raise here: the tuned container's drop-in does it
    t0 = time.monotonic()
    r = subprocess.run([os.path.join(a.source, "tests/system/ansible_test.sh"), deb, a.ctl, res,
                        str(raised)], capture_output=True, text=True, timeout=900)
    took = time.monotonic() - t0
    print(r.stdout, r.stderr[-3000:])
    print("ansible test took %.1f s" % took)
    results = {}
    if os.path.exists(os.path.join(res, "results")):
        with open(os.path.join(res, "results")) as f:
            results = dict(l.strip().split("=", 1) for l in f if "=" in l)
    with open(os.path.join(res, "playbook.log")) as f:
        log = f.read()
    print(log[-4000:])
    h.check(results.get("playbook") == "0", "ansible-playbook: exit 0")
    reports = {}
    for name in ("vmastress-tuned", "vmastress-default"):
        path = os.path.join(res, "reports", name + ".json")
        h.check(os.path.exists(path), "%s's report fetched" % name)
        with open(path) as f:
            reports[name] = json.load(f)
    t, d = reports["vmastress-tuned"], reports["vmastress-default"]
    h.check(t["host"] == "vmastress-tuned" and t["max_map_count"] == raised and
            t["verdict"]["held"] is True and t["verdict"]["emulated_limit"] is None,
            "tuned: ran under the raised limit %d and held the demand (%s)"
            % (t["max_map_count"], t["verdict"]))
    h.check(d["host"] == "vmastress-default" and d["verdict"]["emulated_limit"] == 65530 and
            d["verdict"]["held"] is False, "default: under an emulated 65530, not held (%s)"
            % d["verdict"])
    with open(os.path.join(res, "dropin.txt")) as f:
        h.check("vm.max_map_count = %d" % raised in f.read(), "the drop-in on the tuned host")
    h.check(h.read_limit() == raised, "the kernel's limit is the drop-in's: %d" % h.read_limit())
    summary = log[log.find("Show the fleet summary"):]
    h.check("vmastress-tuned" in summary and "vmastress-default" in summary and
            " held " in summary and "not held" in summary and
            "2 with a demand: 1 held, 1 not held" in summary,
            "the fleet summary shows \"held\" and \"not held\"")
    h.check("RUNNING HANDLER" not in log and "TASK [vmastress : Apply the drop-in before the "
            "load test]" in log, "the drop-in applied by a task of its own, no handler")
    h.check(results.get("playbook_lower") == "0" and
            int(results.get("limit_after_lower", 0)) == raised,
            "a group value below the running limit is not applied: still %s"
            % results.get("limit_after_lower"))
    with open(os.path.join(res, "dropin_after_lower.txt")) as f:
        h.check("vm.max_map_count = %d" % raised in f.read(), "the drop-in left as it was")
    with open(os.path.join(res, "playbook-lower.log")) as f:
        h.check("left as it is (vmastress_allow_lower=true lowers it)" in f.read(),
                "and the play says why")
    with open(os.path.join(res, "playbook-limit.log")) as f:
        lim = f.read()
    cur = lim[lim.find("TASK [Show the fleet summary]"):lim.find("TASK [Summarize older")]
    old = lim[lim.find("TASK [Show older reports"):]
    h.check(results.get("playbook_limit") == "0" and "vmastress-default" in cur and
            "vmastress-tuned" not in cur and "1 report;" in cur,
            "--limit default: the summary holds this run's host only:\n%s" % cur[-800:])
    h.check(re.search(r"vmastress-tuned.json: not from this run, written [0-9.]+ h ago", old) and
            "vmastress-tuned" in old[:old.find("Show how old")],
            "the tuned host's older report shown apart, with its time:\n%s" % old[-600:])
    with open(os.path.join(res, "playbook-summary.log")) as f:
        alone = f.read()
    h.check(results.get("playbook_summary") == "0" and "vmastress-tuned" in alone and
            "vmastress-default" in alone and "no hosts" not in alone,
            "the summary on its own (summary.yml):\n%s" % alone[-800:])
    with open(os.path.join(res, "playbook-advise.log")) as f:
        adv = f.read()
    table = adv[adv.find("TASK [Show the fleet's advice]"):]
    print(table[:2000])
    h.check(results.get("playbook_advise") == "0" and
            re.search(r"tuned\s+vmastress-tuned\s+%d\s+\d+" % raised, table) and
            re.search(r"default\s+vmastress-default\s+%d\s+\d+" % raised, table),
            "advise.yml: the watch on both hosts, one table by group")
    with open(os.path.join(res, "playbook-advise-check.log")) as f:
        chk = f.read()
    with open(os.path.join(res, "dropin_default_after_check.txt")) as f:
        after = f.read().strip()
    h.check(results.get("playbook_advise_check") == "0" and "+vm.max_map_count = " in chk and
            after == "absent",
            "advise.yml --check --diff with vmastress_advise_write: the group's drop-in shown "
            "as a diff, nothing written (%s)" % after)
    h.check(results.get("playbook_remove") == "0", "the removal playbook: exit 0")
    with open(os.path.join(res, "dropin_after_remove.txt")) as f:
        h.check(f.read().strip() == "absent", "the drop-in removed again")
h.check(h.read_limit() == found, "vm.max_map_count back to %d" % found)
