"""Never OOM-killed by its own load: in a memory cgroup too small for the VMAs' kernel
memory at the limit, the daemon caps its VMA target below the cgroup's limit, finishes,
writes its report, and says which bound stopped it."""
import os
import subprocess
import tempfile
import vsharness as h

a = h.args()
h.skip_under_sanitizer("fragment at a raised limit")
# The daemon's bookkeeping for a limit of 1048576 (~40 MiB) and room for some 80000 VMAs at
# ~250 B of kernel memory each: not for the million the limit allows.
LIMIT = 96 << 20
root = None
for cand, files in (("/sys/fs/cgroup/memory", ("memory.limit_in_bytes", "memory.usage_in_bytes")),
                    ("/sys/fs/cgroup", ("memory.max", "memory.current"))):
    if os.access(cand, os.W_OK) and os.path.exists(os.path.join(cand, "cgroup.procs")):
        root = cand
        break
if not root:
    h.skip("no writable memory cgroup hierarchy (v1 /sys/fs/cgroup/memory or v2 /sys/fs/cgroup)")
cg = os.path.join(root, "vmastress-test-%d" % os.getpid())
os.mkdir(cg)
try:
    with open(os.path.join(cg, files[0]), "w") as f:
        f.write(str(LIMIT))
    with h.RaisedLimit(1048576):
        tmp = tempfile.mkdtemp(prefix="vmastress-test-")
        report = os.path.join(tmp, "report.json")
        # The shell joins the cgroup, then becomes the daemon: its only process.
        p = subprocess.run(["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg,
                            a.daemon, "-p", "fragment", "-w", "2", "-d", "6", "--socket", "none",
                            "--report", report], capture_output=True, text=True, timeout=120)
        h.check(p.returncode == 0, "in a %d MiB memory cgroup at limit 1048576: exit %d, not "
                "killed (%s)" % (LIMIT >> 20, p.returncode, p.stderr[-300:]))
        import json
        with open(report) as f:
            r = json.load(f)
        u = r["limit_unreachable"]
        h.check(u and "memory cgroup limit 96 MiB" in u["reason"] and 0 < u["bound"] < 1048576,
                "the report names the bound that stopped it: %s" % u)
        h.check(r["map_count_peak"] <= u["bound"] + 200, "and the run stayed under it: peak %d"
                % r["map_count_peak"])
        h.check("cannot reach the limit: the memory cgroup" in p.stderr, "the stop line says so")
finally:
    os.rmdir(cg)
