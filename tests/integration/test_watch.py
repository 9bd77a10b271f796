"""Watch mode (vmastressd --watch): every process's VMAs counted as the kernel counts them,
against helpers of known counts under different users: exact counts, the top-N order, the
threshold counts and their journal lines, processes that exit mid-scan counted as skipped,
permission errors counted (never fatal), the fragment load daemon at 100 %, and vmastressctl
top / check --watch with their exit codes."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import vsharness as h

a = h.args()
if os.geteuid() != 0:
    h.skip("needs root: helpers under other users, and reading their maps")
limit = h.read_limit()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
os.chmod(tmp, 0o755)
NOBODY = 65534
# The system's python for helpers under another user (sys.executable may be in a
# directory only root can enter).
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

# A helper: one RW mapping with every other page re-protected: 2 VMAs a call, so it
# holds its baseline + `extra` VMAs. "limit": re-protect until the kernel refuses; then
# it holds exactly vm.max_map_count VMAs (the refused mprotect kept its first split:
# the count is the limit whatever it was a call before), a count known from the
# kernel's own check, not from /proc.
HELPER = h.LIBC + r'''
want, limit = sys.argv[1], int(sys.argv[2])
pages = 2 * limit + 4
p = libc.mmap(None, pages * page, 3, 0x22 | 0x4000, -1, 0)  # RW, private anon, noreserve
made = 0
for i in range(1, pages - 1, 2):
    if want != "limit" and made >= int(want):
        break
    if libc.mprotect(p + i * page, page, 1) != 0:
        break
    made += 2
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.read()
'''


def helper(extra, uid=0):
    def drop():
        if uid:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
    p = subprocess.Popen([PYTHON, "-c", HELPER, str(extra), str(limit)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, preexec_fn=drop)
    h.check(p.stdout.readline() == b"ready\n", "helper %s ready" % extra)
    return p


def place(name):
    where = os.path.join(tmp, name)
    os.makedirs(where, exist_ok=True)
    os.chmod(where, 0o777)  # the report, written by an unprivileged daemon too
    return where


def watch(extra_args=(), secs=2, prefix=None, name="watch"):
    where = place(name)
    d = h.Daemon(a.daemon, ["--watch", "-d", str(secs)] + list(extra_args), prefix=prefix,
                 tmp=where)
    h.check(d.wait(60) == 0, "%s: exit 0" % name)
    return d


helpers = []
try:
    small = helper(10)
    mid = helper(30000, NOBODY)
    big = helper(65000 if limit > 66000 else limit - 530, NOBODY)
    full = helper("limit")
    helpers = [small, mid, big, full]
    base = {p.pid: h.proc_vmas(p.pid) for p in helpers}  # /proc, [vsyscall] left out
    h.check(base[full.pid] == limit, "the helper at the limit holds %d VMAs by /proc: the "
            "limit exactly, as the kernel's refusal says" % base[full.pid])

    # A busy host (a booted container beside it, say) may crowd the small helper out of
    # the top: then the top is full of processes with as many VMAs or more.
    TOP = 100
    cfg = h.write_config(tmp, "watch = { interval = 1; top = %d; };\n" % TOP)
    d = watch(["-c", cfg])
    r = d.result()
    w = r["watch"]
    print(json.dumps({k: v for k, v in w.items() if k != "top"}))
    top = {p["pid"]: p for p in w["top"]}
    for p in helpers:
        got = top.get(p.pid, {}).get("vmas")
        if got is None and p is small:
            h.check(len(w["top"]) == TOP and w["top"][-1]["vmas"] >= base[p.pid],
                    "the small helper crowded out by %d processes with %d VMAs or more"
                    % (TOP, base[p.pid]))
            continue
        h.check(got == base[p.pid], "pid %d: %s VMAs counted, %d in /proc/PID/maps less "
                "[vsyscall]" % (p.pid, got, base[p.pid]))
    h.check(top[full.pid]["fill"] == 1.0 and top[full.pid]["comm"].startswith("python"),
            "the helper at the limit: fill 1.0, comm %s" % top[full.pid]["comm"])
    # Ranked by what each holds or held (a process that climbed and fell back stays).
    order = [max(p["vmas"], p["peak"]) for p in w["top"]]
    pids = [p["pid"] for p in w["top"]]
    # Other processes may sit anywhere between them: the helpers' own order is asserted.
    h.check(order == sorted(order, reverse=True) and len(order) == min(TOP, w["processes"]) and
            pids.index(full.pid) < pids.index(big.pid) < pids.index(mid.pid),
            "the top, largest first: %s" % order[:10])
    # A vmastress load daemon (another test's, say) is listed but counted above nothing.
    for t in ("50", "80", "95"):
        ours = sum(1 for p in w["top"] if 100 * p["vmas"] >= int(t) * limit and not p["load"])
        h.check(w["above"][t] == ours, "at or above %s %%: %d (the top's own: %d)"
                % (t, w["above"][t], ours))
    h.check(w["above"]["95"] >= 2 and w["above"]["50"] >= 2, "both large helpers above 95 %")
    h.check(w["processes"] > 4 and w["vmas"] >= sum(base.values()) and
            w["skipped"]["kernel_thread"] > 0 and w["scans"] >= 2,
            "host totals: %d processes, %d VMAs, kernel threads skipped, %d scans"
            % (w["processes"], w["vmas"], w["scans"]))
    h.check(w["sysctl"]["value"] == limit, "the running limit")
    log = d.log()
    for p in (big, full):
        h.check("process %d (python" % p.pid in log and "95 %% of vm.max_map_count %d"
                % limit in log, "journal line: pid %d crossed 95 %%" % p.pid)
    first = log.count("reached")
    h.check(first == sum(1 for p in w["top"] if 100 * p["vmas"] >= 50 * limit and
                         not p["load"]),
            "one line per process above 50 %%, not one a scan: %d" % first)

    # Metrics: the names monitoring relies on; promtool clean.
    sock = os.path.join(tmp, "watch.sock")
    d = h.Daemon(a.daemon, ["--watch", "-c", cfg, "-d", "20"], socket=sock,
                 tmp=place("sock"))
    try:
        h.check(h.wait_socket(sock), "watch socket up")
        m = h.query(sock, b"metrics\n").decode()
        for name in ("vmastress_watch_processes ", "vmastress_watch_vmas ",
                     'vmastress_watch_processes_above{threshold="95"} ',
                     'vmastress_watch_top_vmas{pid="%d",comm="python3"' % full.pid,
                     "vmastress_watch_scan_seconds ", "vmastress_vma_limit{daemon=\"watch\"} %d" % limit):
            h.check(name in m, "metrics: %s" % name.strip())
        promtool = h.find_promtool()
        if promtool:
            p = subprocess.run([promtool, "check", "metrics"], input=m, capture_output=True,
                               text=True)
            h.check(p.returncode == 0 and p.stdout + p.stderr == "", "promtool check metrics: "
                    "clean %s" % (p.stdout + p.stderr))
        ctl = [a.ctl, "--socket", sock]
        p = subprocess.run(ctl + ["top"], capture_output=True, text=True, timeout=30)
        lines = p.stdout.splitlines()
        h.check(p.returncode == 0 and lines[1].startswith("backend: ") and
                lines[2].split()[:2] == ["PID", "COMM"] and
                lines[3].split()[0] == str(full.pid) and lines[3].split()[-4] == "100.0" and
                lines[3].split()[-3] == str(limit),
                "vmastressctl top: the backend, the helper at the limit first, 100.0 %%, its "
                "peak:\n%s" % p.stdout)
        h.check(re.search(r"scan [0-9.]+ s, [0-9.]+ s ago \(every 1 s\)", lines[0]),
                "top says how old its scan is: %s" % lines[0])
        t = subprocess.Popen(ctl + ["top", "-n", "0.3"], stdout=subprocess.PIPE, text=True)
        time.sleep(1.2)
        t.kill()
        out = t.communicate()[0]
        h.check(out.count("PID  COMM") >= 3, "top -n 0.3: refreshed (%d tables)"
                % out.count("PID  COMM"))
        p = subprocess.run(ctl + ["status"], capture_output=True, text=True)
        h.check(p.returncode == 0 and "in watch mode" in p.stdout and str(full.pid) in p.stdout,
                "status at a watch daemon: its top")
        p = subprocess.run(ctl + ["check", "--watch"], capture_output=True, text=True)
        h.check(p.returncode == 2 and p.stdout.startswith("VMASTRESS CRITICAL - most VMAs: python")
                and "max_fill=1.0000;0.8;0.95;0;1" in p.stdout, "check --watch: CRITICAL (2): %s"
                % p.stdout.strip())
        p = subprocess.run(ctl + ["check", "--watch", "--warning", "0.99", "--critical", "1.01"],
                           capture_output=True, text=True)
        h.check(p.returncode == 1 and "WARNING" in p.stdout, "check --watch: WARNING (1)")
        p = subprocess.run(ctl + ["check", "--watch", "--warning", "1.5", "--critical", "2"],
                           capture_output=True, text=True)
        h.check(p.returncode == 0 and "VMASTRESS OK" in p.stdout, "check --watch: OK (0)")
        p = subprocess.run(ctl + ["check", "--watch", "--warning", "x"], capture_output=True,
                           text=True)
        h.check(p.returncode == 3 and '--warning: "x" is not a number' in p.stdout,
                "check --watch --warning x: UNKNOWN (3), named")
        p = subprocess.run(ctl + ["top", "-n", "-1"], capture_output=True, text=True)
        h.check(p.returncode == 64 and "-n" in p.stderr, "top -n -1: usage (64)")
    finally:
        d.kill()
    p = subprocess.run([a.ctl, "--socket", os.path.join(tmp, "none.sock"), "top"],
                       capture_output=True, text=True)
    h.check(p.returncode == 69, "top with no watch daemon: unavailable (69)")
    load = os.path.join(tmp, "load.sock")
    d = h.Daemon(a.daemon, ["-p", "churn", "-w", "1", "-d", "20"], socket=load,
                 tmp=place("load"))
    try:
        h.check(h.wait_socket(load), "a load daemon up")
        p = subprocess.run([a.ctl, "--socket", load, "check", "--watch"], capture_output=True,
                           text=True)
        h.check(p.returncode == 3 and "not in watch mode" in p.stdout,
                "check --watch at a load daemon: UNKNOWN, said: %s" % p.stdout.strip())
    finally:
        d.kill()

    # Without privileges (nobody, no CAP_SYS_PTRACE): root's processes are skipped as
    # permission errors, counted, and its own helper is still counted.
    d = watch([], prefix=["setpriv", "--reuid=65534",
              "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"],
              name="nobody")
    w = d.result()["watch"]
    top = {p["pid"]: p["vmas"] for p in w["top"]}
    h.check(w["skipped"]["permission"] > 0 and top.get(big.pid) == base[big.pid] and
            full.pid not in top, "as nobody: %d skipped for permission, its own helper counted, "
            "root's not" % w["skipped"]["permission"])
finally:
    for p in helpers:
        p.kill()
        p.wait()

# Processes that have exited but are still listed are counted as skipped (exited),
# never fatal, nor taken for kernel threads: a zombie its parent does not reap, every
# scan; and short-lived children, thousands a second, gone between the listing of
# /proc and the read of their maps or not yet reaped, while scans run every second.
zombie = subprocess.Popen([PYTHON, "-c", "import os, sys\nif os.fork() == 0:\n    os._exit(0)\n"
                           "print('ready', flush=True)\nsys.stdin.read()\n"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
h.check(zombie.stdout.readline() == b"ready\n", "a parent with an unreaped child")
storm = subprocess.Popen(["sh", "-c", "while :; do /bin/true & /bin/true & wait; done"])
try:
    cfg = h.write_config(tmp, "watch = { interval = 1; };\n")
    d = watch(["-c", cfg], secs=3, name="storm")
    w = d.result()["watch"]
    h.check(w["skipped"]["exited"] >= 1 and w["skipped"]["kernel_thread"] > 0,
            "exited processes counted as exited: %d in the last scan, the zombie and the "
            "storm's (kernel threads apart: %d)"
            % (w["skipped"]["exited"], w["skipped"]["kernel_thread"]))
finally:
    os.kill(storm.pid, 9)
    storm.wait()
    zombie.kill()
    zombie.wait()

# The fragment load daemon, at the limit, shows at 100 %.
if h.SANITIZER:
    print("SKIP part: a fragment daemon at the limit under a sanitizer")
    sys.exit(0)
frag = h.Daemon(a.daemon, ["-p", "fragment", "-w", "2", "-d", "30"], tmp=place("frag"))
try:
    time.sleep(2)
    d = watch(["-c", cfg], secs=2, name="fragment")
    top = {p["pid"]: p for p in d.result()["watch"]["top"]}
    got = top.get(frag.p.pid)
    h.check(got and got["comm"] == "vmastressd" and got["fill"] >= 0.99,
            "the fragment daemon: %s" % got)
finally:
    frag.kill()
