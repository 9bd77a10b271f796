"""bench.py's A/B against an older build: everything it learns from a daemon (its
shapes) is learned from that daemon in any format since the first --baseline, and a
section that fails is that section's failure, recorded and printed, the rest going on.
The old daemon is this tree's, behind a --help from before the shape rename (d02f2e8's,
-p, --profile NAME): on the bench of b8950a4 the A/B died there with exit 1 and
printed no comparison."""
import atexit
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import vsharness as h

a = h.args()
h.skip_under_sanitizer("benchmarking")
here = os.path.dirname(os.path.abspath(__file__))
bench = os.path.join(here, "..", "bench", "bench.py")
loop = os.path.join(os.path.dirname(a.daemon), "tests", "plain_loop")
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
atexit.register(shutil.rmtree, tmp, ignore_errors=True)
sys.path.insert(0, os.path.join(here, "..", "bench"))
import benchstats  # noqa: E402

p = subprocess.run([sys.executable, bench, "--help"], capture_output=True, text=True, timeout=60)
h.check(p.returncode == 0 and "--baseline-daemon" in p.stdout and "--pairs" in p.stdout,
        "bench.py --help prints its options (%d: %s)" % (p.returncode, p.stderr.strip()[-300:]))
with open(os.path.join(here, "data", "help-d02f2e8.txt")) as f:
    old_help = f.read()
shapes = ("guarded", "fragment", "churn", "threads", "allocator", "files")
h.check(benchstats.parse_shapes(old_help) == shapes,
        "the shapes from d02f2e8's --help (-p, --profile NAME): %s"
        % (benchstats.parse_shapes(old_help),))
now = subprocess.run([a.daemon, "--help"], capture_output=True, text=True).stdout
h.check(benchstats.parse_shapes(now) == h.shapes(a.daemon),
        "and from this tree's (-p, --shape SHAPE): %s" % (benchstats.parse_shapes(now),))
h.check(benchstats.parse_shapes("Usage: vmastressd [-h]\n") is None,
        "a --help that lists none: None (the bench then tries each known name with -t)")


def fake(name, body):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


# The old build: its --help from before the rename, everything else the real daemon.
help_file = os.path.join(tmp, "help.txt")
with open(help_file, "w") as f:
    f.write(old_help)
old = fake("vmastressd-old", '[ "$1" = --help ] && exec cat "%s"\nexec "%s" "$@"\n'
           % (help_file, os.path.abspath(a.daemon)))
out = os.path.join(tmp, "ab.json")
p = subprocess.run(["timeout", "-k", "10", "600", sys.executable, bench, "--daemon", a.daemon,
                    "--loop", loop, "--quick", "--only", "memory", "--baseline-daemon", old,
                    "--json", out], capture_output=True, text=True, timeout=620)
print(p.stdout[-3000:], p.stderr[-2000:])
h.check(p.returncode == 0 and "regressions:" in p.stdout and "against " in p.stdout,
        "the A/B against a build from before the rename finished and printed its comparison "
        "(exit %d)" % p.returncode)
with open(out) as f:
    r = json.load(f)
for s in shapes:
    k = "rss_per_vma_%s_now" % s
    h.check(isinstance(r.get(k), dict) and isinstance(r["baseline"].get(k), dict),
            "%s measured on both sides: %s / %s" % (k, r.get(k), r["baseline"].get(k)))

# A daemon that fails everything: every section fails alone, recorded with its reason;
# the table and what could not be measured are printed, and the exit says which.
broken = fake("vmastressd-broken", 'echo "vmastressd: broken on purpose" >&2\nexit 70\n')
out = os.path.join(tmp, "broken.json")
p = subprocess.run(["timeout", "-k", "10", "300", sys.executable, bench, "--daemon", broken,
                    "--loop", loop, "--quick", "--only", "verify,memory", "--json", out],
                   capture_output=True, text=True, timeout=320)
print(p.stdout[-3000:], p.stderr[-2000:])
with open(out) as f:
    r = json.load(f)
h.check(p.returncode == 1 and "failed sections: section_verify, section_memory" in p.stderr,
        "a broken daemon: exit 1 naming both failed sections (%d: %s)"
        % (p.returncode, p.stderr.strip()[-300:]))
for s in ("verify", "memory"):
    why = r.get("section_" + s, "")
    h.check(why.startswith("failed: ") and "not measured: section_%s: failed" % s in p.stdout,
            "section %s recorded and printed as not measured: %s" % (s, why[:200]))
h.check("Traceback" not in p.stderr, "no traceback: a helper's failure is the section's")
