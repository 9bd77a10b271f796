"""vmastressctl: status, check with each of 0/1/2/3, compare, and clear errors."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import vsharness as h

a = h.args()
if not a.ctl:
    h.skip("needs --ctl")
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
path = os.path.join(tmp, "stats.sock")


def ctl(*argv, user=None, slow_send=False):
    cmd = [a.ctl, "--socket", path] + list(argv)
    env = dict(os.environ)
    if slow_send:  # the request leaves 0.3 s after connect, when a busy daemon has closed
        cmd = ["strace", "-qq", "-o", "/dev/null", "-e", "trace=write,sendto",
               "-e", "inject=write,sendto:delay_enter=300000"] + cmd
        # LeakSanitizer cannot run under ptrace; every other run of the client keeps it.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    if user:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=env)
    return p.returncode, p.stdout, p.stderr


rc, out, _ = ctl("check")
h.check(rc == 3 and out.startswith("VMASTRESS UNKNOWN - cannot connect"), "daemon down: 3 UNKNOWN")
# Usage errors name what is wrong (64; check stays a plugin: 3 UNKNOWN).
for argv, code, want in ((["--bogus"], 64, "unknown option --bogus"),
                         (["stauts"], 64, 'unknown command "stauts"'),
                         (["status", "x"], 64, 'unexpected argument "x"'),
                         (["compare", "a.json"], 64, "compare: needs two report files"),
                         (["check", "--max-fill", "abc"], 3, '--max-fill: "abc" is not a number'),
                         (["check", "--max-fill", "2"], 3, "--max-fill: 2 is a fill of the limit"),
                         (["check", "--bogus"], 3, "check: unknown option --bogus")):
    rc, out, err = ctl(*argv)
    h.check(rc == code and want in out + err, "%s: %d, says %r (%d %r)"
            % (" ".join(argv), code, want, rc, (out + err).strip()[:120]))
rc, _, err = ctl("stats")
h.check(rc == 69 and "is vmastressd running?" in err, "daemon down: stats exits 69, says why")

# A daemon that is busy answers and closes before reading the request: the
# client's send then fails (EPIPE), and it must still read and report the answer
# (not die of SIGPIPE: a monitoring plugin must exit 0-3).
busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
busy.bind(path)
busy.listen(8)


def refuse():
    for _ in range(2):
        c, _ = busy.accept()
        c.sendall(b"error: busy\n")
        c.close()


if shutil.which("strace"):
    t = threading.Thread(target=refuse, daemon=True)
    t.start()
    rc, _, err = ctl("stats", slow_send=True)
    h.check(rc == 65 and "error: busy" in err,
            "busy daemon: stats exits 65 with its answer (%d %r)" % (rc, err.strip()))
    rc, out, _ = ctl("check", slow_send=True)
    h.check(rc == 3 and "busy" in out, "busy daemon: check 3 UNKNOWN: %d %r" % (rc, out.strip()))
    t.join()
else:
    print("SKIP part: strace not installed (.ci/run installs it)")
busy.close()
os.unlink(path)

cfg = h.write_config(tmp, "accounting = { verify_interval_ms = 3600000; };\n")
d = h.Daemon(a.daemon, ["-c", cfg, "-p", "guarded", "-w", "2", "-d", "60"], tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "daemon up")
    time.sleep(0.5)
    rc, out, _ = ctl("status")
    h.check(rc == 0 and "VMAs:" in out and "leaked:" in out and "workers:   2" in out,
            "status summary:\n" + out)
    h.check("not checked against /proc yet" in out,
            "before the first check, no stale /proc figure: %s" % out.splitlines()[2])
    rc, out, _ = ctl("check")
    h.check(rc == 0 and out.startswith("VMASTRESS OK - ") and " | vmas=" in out, "check: 0 OK")
    # The daemon's own ~80 VMAs are above 0.1 % of any limit: no race with the ramp-up.
    rc, out, _ = ctl("check", "--max-fill", "0.001")
    h.check(rc == 1 and out.startswith("VMASTRESS WARNING"), "fill above 0.001: 1 WARNING")
    rc, out, _ = ctl("check", "--max-fill", "zero")
    h.check(rc == 3 and "UNKNOWN" in out, "a bad threshold: 3 UNKNOWN")
    if shutil.which("setpriv") and os.geteuid() == 0:
        rc, _, err = ctl("stats", user=65534)
        h.check(rc == 77 and "Permission denied" in err, "another user: refused, exit 77")
    else:
        print("SKIP part: needs root and setpriv for the permission check")
    rc, out, _ = ctl("version")
    h.check(rc == 0 and out.startswith("vmastressd "), "version")
finally:
    d.kill()

h.emulate_limit_under_sanitizer()
cfg = h.write_config(tmp, 'shape = "fragment";\nleaks = { retry_interval_ms = 3600000; };\n')
d = h.Daemon(a.daemon, ["-c", cfg, "-w", "2", "-d", "60"], tmp=tmp, socket=path)
try:
    h.check(h.wait_socket(path), "fragment daemon up")
    deadline = time.monotonic() + 10
    while h.stats(path)["leaks"]["bytes"] == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    rc, out, _ = ctl("check")
    h.check(rc == 2 and out.startswith("VMASTRESS CRITICAL"), "leaks: 2 CRITICAL: " + out.strip())
    rc, out, _ = ctl("check", "--max-leaked-bytes", "1e15", "--max-fill", "1")
    h.check(rc == 0, "within generous thresholds: 0 OK")
finally:
    d.kill()

# compare: two bounded runs side by side.
reports = []
for shape in ("guarded", "fragment"):
    r = os.path.join(tmp, shape + ".json")
    p = subprocess.run([a.daemon, "-p", shape, "-d", "2", "-s", "7", "--socket", "none",
                        "--report", r], capture_output=True, timeout=60)
    h.check(p.returncode == 0, "bounded %s run" % shape)
    reports.append(r)
rc, out, err = ctl("compare", *reports)
h.check(rc == 0 and "failures.munmap.ENOMEM" in out and "headroom" in out, "compare:\n" + out)
h.check("shape" in out and "guarded" in out and " 7 " in out, "compare shows shape and seed")
h.check("differ in shape, " in err and "not like for like" in err,
        "unlike runs are flagged: " + err.strip())
rc, out, err = ctl("compare", reports[0], reports[0])
h.check(rc == 0 and err == "", "like runs are not flagged (%r)" % err)
rc, _, err = ctl("compare", reports[0], os.path.join(tmp, "missing.json"))
h.check(rc == 66 and "missing.json" in err, "compare with a missing file: 66")
bad = os.path.join(tmp, "torn.json")
with open(reports[0]) as f:
    torn = f.read()[:200]
with open(bad, "w") as f:
    f.write(torn)
rc, _, err = ctl("compare", reports[0], bad)
h.check(rc == 65 and "torn.json: not JSON" in err, "a torn report: 65, named, with why: " + err.strip())
with open(bad, "w") as f:
    f.write('{"pid": 1}')
rc, _, err = ctl("compare", bad, reports[0])
h.check(rc == 65 and "torn.json: not a vmastressd report" in err, "JSON but no report: 65: " + err.strip())

# Like flags, another config: the report carries every key and compare flags each
# difference, with the operation-sequence hash.
reports = []
for name, text in (("plain", ""), ("small", "mapping = { min_pages = 2; max_pages = 2; };\n"
                                             "ops = { punch = 0; };\n")):
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write(text)
    r = os.path.join(tmp, name + ".json")
    p = subprocess.run([a.daemon, "-c", conf, "-p", "churn", "-s", "42", "-w", "2", "-d", "1",
                        "--socket", "none", "--report", r], capture_output=True, timeout=60)
    h.check(p.returncode == 0, "bounded run with %s config" % name)
    reports.append(r)
with open(reports[0]) as f:
    cfg = json.load(f)["config"]
t = subprocess.run([a.daemon, "-t", "-p", "churn"], capture_output=True, text=True).stdout
keys = [l.strip() for l in t.splitlines() if "=" in l and not l.rstrip().endswith("{")]
leaves = sum(len(v) if isinstance(v, dict) else 1 for v in cfg.values())
h.check(leaves == len(keys) and cfg["mapping"]["max_pages"] == 16 and cfg["seed"] == 42,
        "the report carries the effective config, every key (%d of %d)" % (leaves, len(keys)))
rc, out, err = ctl("compare", *reports)
h.check(rc == 0 and "config.mapping.max_pages" in out and "sequence" in out,
        "compare shows the differing keys and the sequence hash:\n" + out)
h.check("differ in mapping.min_pages, mapping.max_pages: not like for like" in err,
        "the config difference is flagged: " + err.strip())
