"""A new shape is one file plus its registry row (the recipe atop daemon/shapes/shapes.c):
a copy of the source gets daemon/shapes/toy.c, with a key of its own and its own map
call, and one row in registry.h; nothing else. The copy builds, and its daemon knows the
shape, prints and checks the key (-t, FILE:LINE), and runs the toy's calls with the
key's value at the real kernel."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import vsharness as h

a = h.args()
src = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
if not shutil.which("cmake"):
    h.skip("cmake is not installed")
tmp = tempfile.mkdtemp(prefix="vmastress-test-shape-")
copy = os.path.join(tmp, "src")
shutil.copytree(src, copy, ignore=shutil.ignore_patterns(
    ".git", "build*", "obj-*", "__pycache__", "debian", "reports"))

TOY = r'''/* toy.c: a test's shape: regions of toy.pages pages, made by its own map call. */
#include "vmastress/shapes/shape.h"
#include "vmastress/calls/mapops.h"

#define TOY_KEYS(X) X(toy, pages, UINT, 1, 64, 4, 0, NULL, "toy shape: pages a region")
VS_SHAPE_KEYS_DECLARE(toy, TOY_KEYS);

static int map(struct vs_worker *w)
{
	return vs_mapops_create(w, VS_SHAPE_KEYS(w->sh->cfg, toy)->pages);
}

const struct vs_shape vs_shape_toy = {
    .name = "toy",
    .models = "a test's shape",
    .signature = "2 VMAs a region of toy.pages pages",
    VS_PRESETS(VS_SET(mapping_separator_pages, 1), VS_SET(ops_mmap, 50), VS_SET(ops_mprotect, 0),
	       VS_SET(ops_munmap, 50), VS_SET(ops_punch, 0), VS_SET(pressure_target_fill, 0.1)),
    .call = {"toy map", "toy protect", "toy unmap"},
    .map = map,
    VS_SHAPE_KEY_ROWS(toy),
};
'''
with open(os.path.join(copy, "daemon", "shapes", "toy.c"), "w") as f:
    f.write(TOY)
registry = os.path.join(copy, "include", "vmastress", "registry.h")
text = open(registry).read()
h.check(" X(files)\n" in text, "registry.h ends its list with X(files)")
with open(registry, "w") as f:
    f.write(text.replace(" X(files)\n", " X(files) X(toy)\n"))

build = os.path.join(tmp, "build")
p = subprocess.run(["cmake", "-S", copy, "-B", build, "-DVS_BPF=OFF", "-DVS_BUILD_TESTS=OFF",
                    "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], capture_output=True, text=True)
h.check(p.returncode == 0, "the copy configures: %s" % p.stderr[-1500:])
p = subprocess.run(["cmake", "--build", build, "--target", "vmastressd", "-j", "2"],
                   capture_output=True, text=True, timeout=600)
h.check(p.returncode == 0, "the copy with toy.c and its registry row builds: %s"
        % (p.stdout + p.stderr)[-3000:])
daemon = os.path.join(build, "vmastressd")

out = subprocess.run([daemon, "--help"], capture_output=True, text=True).stdout
h.check("toy" in out, "--help lists the toy shape")
empty = os.path.join(tmp, "empty.conf")
open(empty, "w").close()
p = subprocess.run([daemon, "-t", "-c", empty, "-p", "toy"], capture_output=True, text=True)
h.check(p.returncode == 0 and 'shape = "toy";' in p.stdout, "-t -p toy: %s" % p.stderr)
h.check("toy = {\n  pages = 4; # toy shape: pages a region (1..64)\n};" in p.stdout,
        "-t prints the toy's key, its default, doc and range in its group")

bad = os.path.join(tmp, "bad.conf")
with open(bad, "w") as f:
    f.write('shape = "toy";\n\ntoy = { pages = 99; };\n')
p = subprocess.run([daemon, "-t", "-c", bad], capture_output=True, text=True)
h.check(p.returncode == 78 and "%s:3: toy.pages: value 99 is out of range 1..64" % bad in p.stderr,
        "an out-of-range toy.pages is refused at FILE:LINE (exit %d): %s"
        % (p.returncode, p.stderr.strip()))

good = os.path.join(tmp, "good.conf")
with open(good, "w") as f:
    f.write('shape = "toy";\ntoy = { pages = 3; };\naccounting = { latency = 1; };\n')
report = os.path.join(tmp, "report.json")
d = subprocess.Popen(["timeout", "-k", "5", "60", daemon, "-c", good, "-d", "3", "-w", "1",
                      "--socket", "none", "--report", report],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
try:
    pid = None
    for _ in range(100):  # the daemon is timeout's child
        with open("/proc/%d/task/%d/children" % (d.pid, d.pid)) as f:
            kids = f.read()
        if kids.split():
            pid = int(kids.split()[0])
            break
        time.sleep(0.05)
    h.check(pid is not None, "the toy daemon started")
    time.sleep(1.5)
    # The kernel's view: a 1-page PROT_NONE separator, then toy.pages (3) read-write pages.
    page = os.sysconf("SC_PAGE_SIZE")
    prev, toys, regions = None, 0, 0
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            rng, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in rng.split("-"))
            if (prev and perms == "rw-p" and prev[1] == lo and prev[2] == "---p"
                    and prev[1] - prev[0] == page):
                regions += 1
                toys += hi - lo == 3 * page
            prev = (lo, hi, perms)
finally:
    _, err = d.communicate(timeout=60)
# Unset, the guarded defaults' 1 to 64 pages would make 1 region in 64 of 3 pages.
h.check(toys >= 100 and toys >= 0.95 * regions,
        "/proc/PID/maps: %d of %d regions after a separator page are toy.pages (3) pages"
        % (toys, regions))
h.check(d.returncode == 0, "a 3 s toy run exits 0: %s" % err[-1500:])
r = json.load(open(report))
h.check(r["shape"] == r["profile"] == r["config"]["shape"] == "toy" and
        r["config"]["toy"]["pages"] == 3,
        "the report's shape is toy (and its old name, profile) and its config has toy.pages = 3")
h.check(r["ops"]["mmap"] > 100 and r["ops"]["munmap"] > 100, "the toy's calls ran: %s" % r["ops"])
h.check("toy map" in r["call_latency"], "its calls are named by its .call: %s"
        % list(r["call_latency"]))
shutil.rmtree(tmp, ignore_errors=True)
