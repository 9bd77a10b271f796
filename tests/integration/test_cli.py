"""The command line: exit codes, --check-config (a file that loads back to the same config,
every profile), errors with FILE:LINE, determinism by seed, exit 77 without root."""
import json
import os
import shutil
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
h.check("2 a bounded run's demand not held" in out and "69 the stats" in out,
        "--help gives every exit status (2 too)")
p = subprocess.run([a.ctl, "--version"], capture_output=True, text=True)
h.check(p.returncode == 0 and p.stdout.startswith("vmastressctl ") and p.stdout.count(".") == 2,
        "vmastressctl --version: " + p.stdout.strip())
# A second daemon on a socket another holds: named, with the way out, not "internal error".
sock = os.path.join(tmp, "held.sock")
first = h.Daemon(a.daemon, ["-p", "churn", "-w", "1", "-d", "30"], tmp=tmp, socket=sock)
try:
    h.check(h.wait_socket(sock), "a first daemon on its socket")
    rc, _, err = run("-p", "churn", "-w", "1", "-d", "30", "--socket", sock,
                     "--report", os.path.join(tmp, "second.json"))
    h.check(rc == 69 and "stats socket %s is held by another running daemon" % sock in err and
            "--socket PATH" in err and "internal error" not in err,
            "a second daemon on a held socket: exit 69, says whose and how out: %s" % err.strip())
finally:
    first.kill()
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
# The key's old name, profile, is an alias: -t prints it under its name, shape.
good = h.write_config(tmp, 'workers = 4;\nprofile = "churn";\n')
rc, out, _ = run("-t", "-c", good, "-w", "3")
h.check(rc == 0 and "workers = 3;" in out and 'shape = "churn";' in out,
        "-t prints the effective config (profile read as shape), flags win")


def sequence(seed, workers="1"):
    # 5000 steps stay below the pressure cap even under sanitizers (a quarter of the
    # limit, and their runtimes' own VMAs count): where the cap holds a call back
    # depends on every VMA of the process, which is not the seed's.
    report = os.path.join(tmp, "r%s.json" % seed)
    rc, _, err = run("-c", good, "-p", "guarded", "-w", workers, "-s", str(seed), "--max-ops",
                     "5000", "--socket", "none", "--report", report)
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

# Without root: the default socket's directory is not ours to create. A clear
# way out and exit 77 (permission), not 70 (internal error); --socket none works.
# In a mount namespace of its own with an empty tmpfs on /run: whatever the host's
# /run/vmastress holds (the README's first command leaves it there) is not seen.
if os.geteuid() == 0 and shutil.which("setpriv") and shutil.which("unshare"):
    nobody = ["unshare", "-m", "sh", "-c",
              'mount --make-rprivate / && mount -t tmpfs -o mode=0755 vmastress-run /run && '
              'exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"', "sh"]
    # Unbounded: a bounded run (-d) would take no socket from the defaults at all.
    p = subprocess.run(["timeout", "-k", "5", "60"] + nobody + [a.daemon, "-p", "churn"],
                       capture_output=True, text=True, timeout=70)
    h.check(p.returncode == 77 and "--socket PATH" in p.stderr and "--socket none" in p.stderr,
            "as a user, the default socket under an empty /run: exit 77 with the way out (%d %s)"
            % (p.returncode, p.stderr.strip()[-200:]))
    p = subprocess.run(["timeout", "-k", "5", "60"] + nobody +
                       [a.daemon, "-p", "churn", "-d", "1", "--socket", "none"],
                       capture_output=True, text=True, timeout=70)
    h.check(p.returncode == 0, "as a user with --socket none: exit 0 (%s)" % p.stderr.strip()[-200:])
else:
    print("SKIP part: needs root, setpriv and unshare")

# -t prints a valid config that loads back to the same effective config.
for profile in ("guarded", "fragment", "churn"):
    base = h.write_config(tmp, 'stats = { textfile = "/tmp/x.prom"; };\n')
    rc, first, err = run("-t", "-c", base, "-p", profile, "-s", "18446744073709551615")
    h.check(rc == 0, "-t -p %s" % profile)
    again = h.write_config(tmp, first)
    rc, second, err = run("-t", "-c", again)
    h.check(rc == 0 and second == first, "-t output of %s loads back to the same config (%s)"
            % (profile, err.strip()))
    rc, first, _ = run("-t", "-p", profile, "-c", h.write_config(tmp, ""))
    rc, second, err = run("-t", "-c", h.write_config(tmp, first))
    h.check(rc == 0 and second == first, "and with every string key unset (%s)" % err.strip())
