"""Packages: the .deb and .rpm build, lintian and rpmlint are clean, the file lists are
complete, install does not enable or start anything; the units verify and score <= 2.0."""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import vsharness as h  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--source", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
need = ["dpkg-buildpackage", "lintian", "rpmbuild", "rpmlint", "systemd-analyze"]
missing = [t for t in need if not shutil.which(t)]
if missing:
    h.skip("missing tools: %s (.ci/run installs them)" % " ".join(missing))

r = subprocess.run([os.path.join(a.source, "tests/system/build_packages.sh"), a.source, a.out],
                   capture_output=True, text=True)
h.check(r.returncode == 0, "packages built (%s)" % r.stderr[-500:])
deb = glob.glob(os.path.join(a.out, "vmastress_*_*.deb"))[0]
rpm = glob.glob(os.path.join(a.out, "vmastress-0*.rpm"))[0]
changes = glob.glob(os.path.join(a.out, "vmastress_*.changes"))[0]

# What dpkg-buildpackage leaves in the tree is ignored by git.
with open(os.path.join(a.out, "deb-leftovers.txt")) as f:
    left = [l.strip() for l in f if l.strip()]
ignored = subprocess.run(["git", "-C", a.source, "check-ignore", "--no-index"] + left,
                         capture_output=True, text=True).stdout.split()
h.check(left and set(left) == set(ignored), "dpkg-buildpackage leaves only ignored files %s"
        % sorted(set(left) - set(ignored)))
files = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
want = ["./usr/sbin/vmastressd", "./usr/bin/vmastressctl", "./etc/vmastress/vmastressd.conf",
        "/systemd/system/vmastressd.service", "/systemd/system/vmastress-watch.service",
        "./etc/vmastress/watch.conf",
        "./usr/lib/systemd/catalog/vmastressd.catalog", "./usr/lib/sysusers.d/vmastress.conf",
        "./usr/share/man/man8/vmastressd.8.gz", "./usr/share/man/man1/vmastressctl.1.gz",
        "./usr/share/man/man5/vmastressd.conf.5.gz", "./usr/share/doc/vmastress/copyright",
        "./usr/share/doc/vmastress/changelog.gz", "./usr/share/doc/vmastress/README.md.gz",
        "./usr/share/vmastress/vmastress-watch-raise.conf"]
for w in want:
    h.check(w in files, "deb contains %s" % w)
ctrl = tempfile.mkdtemp(prefix="vmastress-test-")
subprocess.run(["dpkg-deb", "-e", deb, ctrl], check=True)
with open(os.path.join(ctrl, "conffiles")) as f:
    conffiles = f.read()
    h.check("/etc/vmastress/vmastressd.conf" in conffiles and
            "/etc/vmastress/watch.conf" in conffiles, "the configs are conffiles")
with open(os.path.join(ctrl, "postinst")) as f:
    post = f.read()
# dh_installsystemd --no-enable writes the "dont-enable" snippet for each unit: enable
# only behind `debian-installed` (an upgrade of a unit the admin had enabled); the
# enabling snippet runs `enable` on a fresh install ("was-enabled defaults to true").
for unit in ("vmastressd.service", "vmastress-watch.service"):
    h.check("if deb-systemd-helper debian-installed '%s'; then" % unit in post,
            "postinst enables %s only if the admin had (the installed-disabled snippet)" % unit)
h.check("new installations run enable" not in post, "no enabling snippet on install")
with open(os.path.join(ctrl, "prerm")) as f:
    prerm = f.read()
h.check(re.search(r'if \[ "\$1" = "remove" \].*\n\tdeb-systemd-invoke stop vmastressd.service '
                  r'vmastress-watch.service', prerm),
        "prerm stops both units on removal (not on upgrade)")
h.check(not re.search(r"deb-systemd-invoke \$_dh_action|deb-systemd-invoke start", post),
        "postinst never starts the service on install")
h.check("try-restart" in post, "upgrades restart only a running service (try-restart)")

lint = subprocess.run(["lintian", "--fail-on", "error,warning", changes], capture_output=True,
                      text=True)
print(lint.stdout + lint.stderr)
h.check(lint.returncode == 0, "lintian --fail-on error,warning passes")

rfiles = subprocess.run(["rpm", "-qlp", rpm], capture_output=True, text=True).stdout
for w in ["/usr/sbin/vmastressd", "/usr/bin/vmastressctl", "/etc/vmastress/vmastressd.conf",
          "/usr/lib/systemd/system/vmastressd.service",
          "/usr/lib/systemd/system/vmastress-watch.service", "/etc/vmastress/watch.conf",
          "/usr/lib/systemd/catalog/vmastressd.catalog", "/usr/lib/sysusers.d/vmastress.conf",
          "/usr/share/man/man8/vmastressd.8", "/usr/share/man/man5/vmastressd.conf.5",
          "/usr/share/vmastress/vmastress-watch-raise.conf"]:
    h.check(any(l.startswith(w) for l in rfiles.splitlines()), "rpm contains %s" % w)
rl = subprocess.run(["rpmlint", "-r", os.path.join(a.source, "packaging/rpm/vmastress.rpmlintrc"),
                     rpm, os.path.join(a.source, "packaging/rpm/vmastress.spec")],
                    capture_output=True, text=True)
print(rl.stdout + rl.stderr)
h.check(rl.returncode == 0 and " 0 errors" in rl.stdout, "rpmlint: no errors")

# The units, offline, against the files the .deb installs.
root = tempfile.mkdtemp(prefix="vmastress-root-")
subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
unit = os.path.join(root, "lib/systemd/system/vmastressd.service")
# What any systemd host has besides the package: the targets and /bin/kill.
for t in glob.glob("/lib/systemd/system/*.target"):
    shutil.copy(t, os.path.join(root, "lib/systemd/system"))
os.makedirs(os.path.join(root, "bin"), exist_ok=True)
shutil.copy("/bin/kill", os.path.join(root, "bin/kill"))
# MANPATH: Documentation=man:... is checked too, against the package's pages.
v = subprocess.run(["systemd-analyze", "verify", "--root=" + root, "vmastressd.service",
                    "vmastress-watch.service"],
                   capture_output=True, text=True,
                   env=dict(os.environ, MANPATH=os.path.join(root, "usr/share/man")))
h.check(v.returncode == 0 and not (v.stdout + v.stderr).strip(),
        "systemd-analyze verify: clean %r" % (v.stdout + v.stderr))
for u in (unit, os.path.join(root, "lib/systemd/system/vmastress-watch.service")):
    sec = subprocess.run(["systemd-analyze", "security", "--offline=true", u],
                         capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", sec.stdout)
    print("%s: exposure %s" % (os.path.basename(u), m.group(1) if m else "?"))
    shipped = float(m.group(1)) if m else None
    h.check(m and float(m.group(1)) <= 2.0, "%s exposure %s <= 2.0"
            % (os.path.basename(u), m.group(1) if m else "?"))
# The raise policy's grant, installed as the drop-in it says: the watch unit still
# verifies, and its exposure with the grant is measured (stated in docs/advise.md).
dropin = os.path.join(root, "etc/systemd/system/vmastress-watch.service.d")
os.makedirs(dropin)
shutil.copy(os.path.join(root, "usr/share/vmastress/vmastress-watch-raise.conf"),
            os.path.join(dropin, "50-raise.conf"))
v = subprocess.run(["systemd-analyze", "verify", "--root=" + root, "vmastress-watch.service"],
                   capture_output=True, text=True,
                   env=dict(os.environ, MANPATH=os.path.join(root, "usr/share/man")))
h.check(v.returncode == 0 and not (v.stdout + v.stderr).strip(),
        "with the raise drop-in, systemd-analyze verify: clean %r" % (v.stdout + v.stderr))
sec = subprocess.run(["systemd-analyze", "security", "--offline=true", "--root=" + root,
                      "vmastress-watch.service"], capture_output=True, text=True)
m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", sec.stdout)
print("vmastress-watch.service with the raise drop-in: exposure %s" % (m.group(1) if m else "?"))
h.check(m and shipped is not None and shipped < float(m.group(1)) <= 2.0,
        "the watch unit with the raise drop-in (root): exposure %s, above the shipped %s, "
        "<= 2.0" % (m.group(1) if m else sec.stdout[-300:] + sec.stderr[-300:], shipped))
