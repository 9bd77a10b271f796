"""The command line: exit codes, --check-config, errors with FILE:LINE, determinism by seed."""
import json
import os
import subprocess
import tempfile
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")


def run(*argv, timeout=60):
    p = subprocess.run([a.daemon] + list(argv), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


rc, out, _ = run("-V")
h.check(rc == 0 and out.startswith("vmastressd ") and out.count(".") == 2, "-V: " + out.strip())
rc, out, _ = run("--help")
h.check(rc == 0 and "--check-config" in out and "--report" in out, "--help lists the options")
rc, _, err = run("--bogus")
h.check(rc == 64 and "unknown option --bogus" in err, "unknown option: exit 64")
rc, _, err = run("-w", "x")
h.check(rc == 64 and "--workers" in err, "bad number: exit 64")
rc, _, err = run("-c", os.path.join(tmp, "missing.conf"))
h.check(rc == 78 and "missing.conf:0: file: cannot read" in err, "missing named config: exit 78")
bad = h.write_config(tmp, "workers = 4;\nmapping = {\n  max_pages = 4294967297;\n};\n")
rc, _, err = run("-t", "-c", bad)
h.check(rc == 78 and err.strip() == "vmastressd: %s:3: mapping.max_pages: value 4294967297 is "
        "out of range 1..65536" % bad, "wrapped integer caught: " + err.strip())
good = h.write_config(tmp, 'workers = 4;\nprofile = "churn";\n')
rc, out, _ = run("-t", "-c", good, "-w", "3")
h.check(rc == 0 and "workers = 3;" in out and 'profile = "churn";' in out,
        "-t prints the effective config, flags win")


def sequence(seed, workers="1"):
    report = os.path.join(tmp, "r%s.json" % seed)
    rc, _, err = run("-c", good, "-p", "guarded", "-w", workers, "-s", str(seed), "--max-ops",
                     "20000", "--socket", "none", "--report", report)
    h.check(rc == 0, "bounded run with seed %s: exit 0 (%s)" % (seed, err[-200:]))
    with open(report) as f:
        r = json.load(f)
    h.check(r["seed"] == seed, "seed %d reported" % seed)
    return r["sequence"], sum(r["ops"].values())


s1, n1 = sequence(42)
s2, n2 = sequence(42)
s3, _ = sequence(43)
h.check(s1 == s2 and n1 == n2, "same seed, one worker: same operation sequence (%s)" % s1)
h.check(s1 != s3, "another seed: another sequence")
rc, _, err = run("-c", good, "-d", "1", "--socket", "none", "--report", "-")
h.check(rc == 0, "--report - writes to stdout")
