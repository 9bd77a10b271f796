"""vmastressctl summary REPORT...: one row per real report (host, kernel, limit or emulated
limit, shape, demand, verdict, failures, leaked bytes, peak), as a table, --json and --csv;
runs that are not like for like (seed, shape, version) flagged; bad files named."""
import csv
import io
import json
import os
import socket
import subprocess
import tempfile
import vsharness as h

a = h.args()
h.emulate_limit_under_sanitizer()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
limit = h.read_limit()


def run(name, *flags):
    p = subprocess.run([a.daemon, "-s", "42", "-w", "2", "-d", "1", "--socket", "none",
                        "--report", os.path.join(tmp, name)] + list(flags),
                       capture_output=True, text=True, timeout=120)
    return p.returncode


h.check(run("notheld.json", "-p", "threads", "--demand", str(limit + 5000)) == 2,
        "a demand above the limit: not held (exit 2)")
h.check(run("held.json", "-p", "threads", "--demand", str(limit // 2)) == 0,
        "half the limit: held")
reports = [os.path.join(tmp, n) for n in ("notheld.json", "held.json")]
# What the kernel allows the threads shape to be refused first at the limit: the guard
# page's split (mprotect) or, with 2 workers racing, the next stack's mmap above it.
THREADS_FIRST = ("mprotect ENOMEM", "mmap ENOMEM")


def ctl(*args):
    return subprocess.run([a.ctl, "summary"] + list(args), capture_output=True, text=True,
                          timeout=30)


p = ctl(*reports)
lines = p.stdout.splitlines()
h.check(p.returncode == 0 and lines[0].split()[:4] == ["report", "host", "kernel", "limit"] and
        len(lines) == 4 and "not like for like" not in p.stderr, "a table, a row each:\n%s"
        % p.stdout)
h.check("not held" in lines[1] and "threads" in lines[1] and str(limit + 5000) in lines[1] and
        " held " in lines[2] and lines[3].startswith("2 reports; 2 with a demand: 1 held, "
                                                     "1 not held"), "verdicts and the tally")
p = ctl("--json", *reports)
h.check(p.returncode == 0, "--json: exit %d, %s" % (p.returncode, p.stderr[-3000:]))
j = json.loads(p.stdout)
r0, r1 = j["reports"]
h.check(r0["host"] == socket.gethostname() and r0["kernel"] == os.uname().release and
        r0["limit"] == limit and r0["demand"] == limit + 5000 and r0["verdict"] == "not held" and
        r0["first_failure"].split(" at ")[0] in THREADS_FIRST and r0["failures"] > 0 and
        r0["peak"] >= limit - 2 and r0["emulated_limit"] is None and r0["seed"] == 42,
        "--json, the not-held row: %s" % r0)
h.check(r1["verdict"] == "held" and r1["first_failure"] is None and r1["failures"] == 0 and
        j["not_like_for_like"] == [], "the held row; like for like")
p = ctl("--csv", *reports)
rows = list(csv.DictReader(io.StringIO(p.stdout)))
h.check(len(rows) == 2 and rows[0]["verdict"] == "not held" and rows[1]["leaked_bytes"] == "0",
        "--csv: a header and a row each")

# Another seed and shape: flagged, on stderr and in the JSON.
h.check(run("other.json", "-p", "fragment", "-s", "7") == 0, "a fragment run")
p = ctl("--json", reports[0], os.path.join(tmp, "other.json"))
h.check(json.loads(p.stdout)["not_like_for_like"] == ["seed", "shape"] and
        "not like for like: seed,shape differ" in p.stderr, "mismatch flagged: %s" % p.stderr)

bad = os.path.join(tmp, "bad.json")
with open(bad, "w") as f:
    f.write('{"version": "0.1.0"')
p = ctl(reports[0], bad)
h.check(p.returncode == 65 and "bad.json" in p.stderr, "a broken report: named, exit 65 (%s)"
        % p.stderr.strip())
p = ctl(os.path.join(tmp, "missing.json"))
h.check(p.returncode == 66 and "missing.json" in p.stderr, "a missing report: exit 66")
p = ctl()
h.check(p.returncode == 64 and "needs one or more report files" in p.stderr, "none: usage (64)")
p = ctl("--json", "--csv", reports[0])
h.check(p.returncode == 64, "--json and --csv: usage (64)")
