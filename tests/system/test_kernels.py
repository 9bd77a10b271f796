"""The watch's catch on the kernels fleets run: Debian 12's own 6.1 and 6.12 cloud kernels
(Debian packages, fetched with apt-get download), and the host's where its image can be
read, each booted under qemu from an initramfs of busybox and this build. On each, for
each way to attach (the one the kernel takes, expected fexit, then the tracepoint
fallbacks forced: tp_btf, raw_tp):
- the backend loads and says which attach it took;
- the iterator's count of a holder equals its /proc/PID/maps;
- a helper's mprotect, munmap, madvise (EAGAIN), mremap and mmap refusals are each
  caught once, with its pid and map_count;
- an ENOMEM under RLIMIT_AS is not blamed on the limit;
- a storm of 200 000 refusals from two processes is counted exactly.
A table per kernel. With --cost (the README's full run, or VMASTRESS_KERNELS_COST=1) the
same VM also times an unrelated syscall loop and an mmap/munmap loop with no watch, the
iterator alone and the whole catch: TCG figures, ratios only.
KVM where it boots, TCG otherwise; a skip with the reason where qemu cannot start."""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import vsharness as h  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--daemon", required=True)
p.add_argument("--ctl", required=True)
p.add_argument("--tools", required=True, help="the build's tests/ (limit_calls, the loops)")
p.add_argument("--out", required=True, help="kernels and initramfs are kept here")
p.add_argument("--cost", action="store_true", default=os.environ.get("VMASTRESS_KERNELS_COST") == "1")
p.add_argument("--kernels", default=os.environ.get("VMASTRESS_KERNELS", "6.1,6.12,host"))
a = p.parse_args()

if h.SANITIZER:
    h.skip("the kernels are tested with the shipped build")
qemu = shutil.which("qemu-system-x86_64")
busybox = next((b for b in ("/bin/busybox", "/usr/bin/busybox") if os.access(b, os.X_OK)), None)
if os.uname().machine != "x86_64":
    h.skip("the kernel table boots x86_64 guests")
if not qemu or not busybox or not shutil.which("cpio"):
    h.skip("needs qemu-system-x86_64, busybox-static and cpio (.ci/run installs them)")
os.makedirs(a.out, exist_ok=True)
ATTACHES = ("fexit", "tp_btf", "raw_tp")
failures = []


def chk(cond, what):
    """A check that lets the other kernels run and their tables print: failures are
    counted and the test fails at its end."""
    cond = bool(cond)
    print(("ok: " if cond else "FAIL: ") + what, file=sys.stdout if cond else sys.stderr)
    if not cond:
        failures.append(what)
    return cond

STORM = 200000
CALLS = ("mprotect", "munmap", "madvise", "mremap", "mmap")


def newest(pattern):
    """The newest Debian package whose name matches pattern (a regex)."""
    out = subprocess.run(["apt-cache", "search", "--names-only", pattern], capture_output=True,
                         text=True).stdout
    names = [ln.split(" - ")[0] for ln in out.splitlines() if ln.strip()]
    key = lambda n: [int(x) for x in re.findall(r"\d+", n)]  # noqa: E731
    return max(names, key=key) if names else None


def debian_kernel(series):
    """Debian's cloud kernel of a series: downloaded once into --out, its vmlinuz."""
    rx = {"6.1": r"^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$",
          "6.12": r"^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$"}[series]
    name = newest(rx)
    if not name:
        return None, "no %s package in the apt lists (apt-get update)" % rx
    where = os.path.join(a.out, name)
    found = glob.glob(os.path.join(where, "root", "boot", "vmlinuz-*"))
    if not found:
        os.makedirs(where, exist_ok=True)
        r = subprocess.run(["apt-get", "download", name], cwd=where, capture_output=True,
                           text=True, timeout=600)
        debs = glob.glob(os.path.join(where, "*.deb"))
        if r.returncode != 0 or not debs:
            return None, "apt-get download %s: %s" % (name, r.stderr.strip()[-300:])
        subprocess.run(["dpkg-deb", "-x", debs[0], os.path.join(where, "root")], check=True)
        for d in debs:
            os.unlink(d)
        found = glob.glob(os.path.join(where, "root", "boot", "vmlinuz-*"))
    return (found[0], name) if found else (None, "%s holds no vmlinuz" % name)


def host_kernel():
    img = "/boot/vmlinuz-" + os.uname().release
    if os.access(img, os.R_OK):
        return img, "the host's " + os.uname().release
    return None, "the host's kernel image %s is not there to boot" % img


def libs_of(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    return re.findall(r"(/\S+) \(0x", out)


def initramfs(attaches, cost):
    """busybox, the build and their libraries, and /init: a gzipped newc cpio."""
    root = os.path.join(a.out, "initramfs")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "etc", "proc", "sys", "dev", "tmp", "run"):
        os.makedirs(os.path.join(root, d))
    shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
    bins = [a.daemon, a.ctl] + [os.path.join(a.tools, t) for t in
                                ("limit_calls", "syscall_loop", "plain_loop")]
    libs = set()
    for b in bins:
        shutil.copy(b, os.path.join(root, "bin", os.path.basename(b)))
        libs.update(libs_of(b))
    for lib in libs:
        dst = os.path.join(root, lib.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(os.path.realpath(lib), dst)
    if os.path.isdir("/lib64") and not os.path.islink("/lib64"):
        pass
    elif os.path.exists(os.path.join(root, "lib64")) is False and os.path.isdir(
            os.path.join(root, "usr", "lib64")):
        os.symlink("usr/lib64", os.path.join(root, "lib64"))
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_init.sh"),
                os.path.join(root, "init"))
    os.chmod(os.path.join(root, "init"), 0o755)
    with open(os.path.join(root, "etc", "w.conf"), "w") as f:
        # Each call from the first: the hook always attached, tracepoints too.
        f.write('watch = { interval = 1; top = 100; backend = "bpf"; catch = "always"; };\n')
    with open(os.path.join(root, "etc", "vs-attaches"), "w") as f:
        f.write(" ".join(attaches) + "\n")
    if cost:
        open(os.path.join(root, "etc", "vs-cost"), "w").close()
    img = os.path.join(a.out, "initramfs.cpio.gz")
    subprocess.run("cd '%s' && find . | cpio -o -H newc --quiet | gzip -1 > '%s'" % (root, img),
                   shell=True, check=True)
    return img


def boot(vmlinuz, img, accel, bound):
    """The guest's serial console, or None when it did not finish within bound seconds."""
    cmd = ["timeout", "-k", "5", str(bound), qemu, "-accel", accel,
           "-cpu", "host" if accel == "kvm" else "max", "-m", "2048", "-smp", "2",
           "-kernel", vmlinuz, "-initrd", img, "-nographic", "-no-reboot",
           "-append", "console=ttyS0 quiet loglevel=1 panic=-1 VS_LIMIT=16384"]
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    return r.stdout + r.stderr[-2000:], r.returncode, time.monotonic() - t0


def sections(console):
    """The stages' stats by name, and the other @@VS lines."""
    stats, lines = {}, []
    for m in re.finditer(r"@@VS begin (.+?)\r?\n(.*?)@@VS end \1", console, re.S):
        text = m.group(2).strip()
        try:
            stats[m.group(1)] = json.loads(text)
        except ValueError:
            stats[m.group(1)] = None
    for ln in console.splitlines():
        at = ln.find("@@VS ")  # the console may put escapes before it
        if at >= 0 and not ln[at:].startswith(("@@VS begin", "@@VS end")):
            lines.append(ln[at + 5:].strip())
    return stats, lines


def of_attach(lines, at):
    """The lines of one attach's run: from its "log" line to the next run's."""
    out, inside = [], False
    for ln in lines:
        if ln.startswith("log "):
            inside = ln.split()[1] == at
        elif inside:
            out.append(ln)
    return out


def judge(kernel, console):
    stats, lines = sections(console)
    rows = []
    booted = next((ln[len("booted "):] for ln in lines if ln.startswith("booted")), None)
    chk(booted is not None, "%s: booted (%s)" % (kernel, booted))
    for at in ATTACHES:
        s0, s1, s2 = (stats.get("%s %s" % (st, at)) for st in ("start", "calls", "storm"))
        if not (s0 and s1 and s2):
            chk(False, "%s %s: the watch answered at each stage (log: %s)" % (
                kernel, at, next((ln for ln in lines if ln.startswith("log " + at)), "")))
            rows.append((at, "-", "no answer", False))
            continue
        w0, w1, w2 = s0["watch"], s1["watch"], s2["watch"]
        took = w0.get("attach")
        chk(w0["backend"] == "bpf" and took == at and w0.get("catch_attached") is True,
                "%s: the backend loads on %s (asked %s), its exit hook attached: %s %s"
                % (kernel, took, at, w0["backend"], w0.get("backend_reason")))
        mine = of_attach(lines, at)
        helpers = [ln.split()[2:] for ln in mine if ln.startswith("helper done")]
        calls = next((x for x in helpers if any(f.startswith("munmap=") for f in x)), None)
        rl = next((x for x in helpers if any(f.startswith("rlimit=") for f in x)), None)
        mp = next((ln.split() for ln in mine if ln.startswith("maps ")), None)
        ok = True
        # The iterator's count of the holder against its /proc/PID/maps (less [vsyscall]).
        if mp:
            row = next((t for t in w1["top"] if str(t["pid"]) == mp[1]), None)
            got = row and row.get("map_count", row.get("vmas"))
            good = got == int(mp[2])
            ok = ok & chk(good, "%s %s: the iterator counts the holder %s: %s, /proc %s"
                          % (kernel, at, mp[1], got, mp[2]))
        d = {k: w1["catch"]["hits"][k] - w0["catch"]["hits"][k] for k in w1["catch"]["hits"]}
        want = {k: 1 for k in CALLS}
        got = {k: v for k, v in d.items() if v}
        ok = ok & chk(got == want, "%s %s: each refusal caught once: %s" % (kernel, at, got))
        if calls:
            pid = int(calls[0])
            ev = [e for e in w1["catch"]["recent"] if e["pid"] == pid]
            named = sorted(e["call"] for e in ev if e["map_count"] >= s1["max_map_count"] - 64)
            ok = ok & chk(named == sorted(CALLS),
                          "%s %s: each with the helper's pid %d and its map_count near %d: %s"
                          % (kernel, at, pid, s1["max_map_count"], named))
        if rl:
            rpid = int(rl[0])
            blamed = [e for e in w1["catch"]["recent"] if e["pid"] == rpid]
            other = w1["catch"]["other_enomem"]["mmap"] - w0["catch"]["other_enomem"]["mmap"]
            ok = ok & chk(not blamed and other >= 1 and rl[1] == "rlimit=-1:ENOMEM",
                          "%s %s: RLIMIT_AS's ENOMEM counted as other (%d), never a hit"
                          % (kernel, at, other))
        sd = w2["catch"]["hits"]["munmap"] - w1["catch"]["hits"]["munmap"]
        said = sum(int(x[1].split("=")[1]) for x in helpers if x[1].startswith("storm="))
        exact = sd == STORM and said == STORM
        ok = ok & chk(sd == STORM, "%s %s: a storm of %d refusals from two processes, %d counted "
                      "(ring dropped %d)" % (kernel, at, STORM, sd, w2["catch"]["dropped"]))
        rows.append((at, took, "%d calls, storm %d/%d" % (sum(got.values()), sd, STORM),
                     ok and exact))
    print("\n%s: %s" % (kernel, booted))
    print("  %-8s %-8s %-32s %s" % ("asked", "attach", "catches", "exact"))
    for r in rows:
        print("  %-8s %-8s %-32s %s" % (r[0], r[1], r[2], "yes" if r[3] else "NO"))
    cost = {}
    for ln in lines:
        f = ln.split()
        if f[0] == "cost" and len(f) == 4:
            cost.setdefault(f[1], []).append((float(f[2]), float(f[3])))
    if cost.get("off"):
        print("  cost under %s (ratios against no watch, medians of %d; TCG figures, not the "
              "host's):" % (accel, len(cost["off"])))
        for v in ("count", "on"):
            for k, name in enumerate(("syscall loop", "mmap/munmap loop")):
                base = statistics.median(x[k] for x in cost["off"])
                ratio = statistics.median(x[k] / base for x in cost.get(v, [])) if cost.get(v) else None
                print("    %-6s %-18s %s" % ({"count": "count", "on": "catch"}[v], name,
                                             "%.3f" % ratio if ratio else "-"))


# KVM where a guest boots with it (not on every host: some /dev/kvm hang in the
# firmware); TCG otherwise.
accel = "tcg"
kernels = []
for k in a.kernels.split(","):
    img, why = host_kernel() if k == "host" else debian_kernel(k)
    if img:
        kernels.append((k, img, why))
    elif k == "host":  # booted where it can be: not a skip of anything asked for
        print("note: %s" % why)
    else:
        chk(False, "Debian's %s cloud kernel: %s" % (k, why))
if not kernels:
    h.skip("no kernel to boot")
ramfs = initramfs(ATTACHES, a.cost)
bound = 900 if a.cost else 600
for k, img, name in kernels:
    t0 = time.monotonic()
    if os.access("/dev/kvm", os.R_OK | os.W_OK) and accel == "tcg" and k == kernels[0][0]:
        # A guest runs its checks in about 30 s under TCG, seconds under KVM: a
        # KVM that has not finished in 120 s hangs (in the firmware, here) and
        # would only cost the run its bound.
        out, rc, took = boot(img, ramfs, "kvm", min(bound, 120))
        if "@@VS done" in out:
            accel = "kvm"
        else:
            print("KVM did not boot %s (exit %d after %.0f s): TCG" % (k, rc, took))
    if accel == "tcg" or k != kernels[0][0]:
        out, rc, took = boot(img, ramfs, accel, bound)
    with open(os.path.join(a.out, "console-%s.log" % k), "w") as f:
        f.write(out)
    chk("@@VS done" in out, "%s (%s): the guest ran to its end under %s in %.0f s (exit %d; "
            "console in %s)" % (k, name, accel, took, rc, os.path.join(a.out, "console-%s.log" % k)))
    judge("%s (%s)" % (k, name), out)
if failures:
    sys.exit("%d checks failed:\n  %s" % (len(failures), "\n  ".join(failures)))
