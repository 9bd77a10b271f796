"""The docs against the tables: every shape the daemon knows in the generated man pages,
every config key (from the daemon's own -t) with its default in vmastressd.conf(5) and
named in the sample config/vmastressd.conf; the preset weights in the man page are the
code's; the README is a front page whose links resolve; and every metric, JSON field and
flag the daemon and the client serve is documented."""
import os
import re
import subprocess
import tempfile
import vsharness as h

a = h.args()
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
build = os.path.dirname(os.path.abspath(a.daemon))
man5 = os.path.join(build, "man", "vmastressd.conf.5")
man8 = os.path.join(build, "man", "vmastressd.8")
if not os.path.exists(man5):
    h.skip("the generated man pages are not in %s/man (cmake builds them)" % build)
text5, text8 = open(man5).read(), open(man8).read()
sample = open(os.path.join(src, "config", "vmastressd.conf")).read()
out = subprocess.run([a.daemon, "--help"], capture_output=True, text=True).stdout
shapes = re.search(r"shape: [^(]*\(\d+\.\.\d+\)?[^(]*\(([a-z, ]+)\)", out) or \
    re.search(r"\(([a-z]+(?:, [a-z]+){3,})\)", out)
names = shapes.group(1).split(", ")
h.check(len(names) == 6, "the daemon knows 6 shapes: %s" % names)
for n in names:
    h.check(".B %s\n" % n in text5 and n in text8.split(".SH OPTIONS")[0],
            "shape %s in vmastressd.conf(5) SHAPES and vmastressd(8)" % n)
# Every key with its built-in default, from -t with no file.
empty = os.path.join(tempfile.mkdtemp(prefix="vmastress-test-"), "empty.conf")
open(empty, "w").close()
p = subprocess.run([a.daemon, "-t", "-c", empty], capture_output=True, text=True)
h.check(p.returncode == 0, "-t prints the built-in configuration")
group, keys = "", {}
for line in p.stdout.splitlines():
    m = re.match(r"\s*#?\s*(\w+)\s*=\s*\{", line)
    if m:
        group = m.group(1) + "."
        continue
    if re.match(r"\s*#?\s*\};", line):
        group = ""
        continue
    m = re.match(r"\s*#(\w+): unset;", line)
    if m:  # unset by default
        keys[group + m.group(1)] = None
        continue
    m = re.match(r"\s*(\w+)\s*=\s*([^;]*);", line)
    if m:
        keys[group + m.group(1)] = re.sub(r"L$", "", m.group(2).strip())
h.check(len(keys) > 30, "%d keys read from -t" % len(keys))
for k, v in keys.items():
    entry = re.search(r"\.B %s\n([^\n]*)" % re.escape(k), text5)
    h.check(entry is not None, "%s documented in vmastressd.conf(5)" % k)
    first = entry.group(1)
    want = "Unset" if v is None else "Default %s" % v
    h.check(first.startswith(want), "%s: the man page's default is the code's (%s): %s"
            % (k, want, first))
    h.check(re.search(r"\b%s\b" % re.escape(k.split(".")[-1]), sample),
            "%s named in the sample config/vmastressd.conf" % k)
# The fuzzer's seeds start from the shipped files, as they are.
for name in ("vmastressd.conf", "watch.conf"):
    seed = "default.conf" if name == "vmastressd.conf" else name
    with open(os.path.join(src, "config", name)) as f, \
            open(os.path.join(src, "tests", "fuzz", "corpus", "config", seed)) as g:
        h.check(f.read() == g.read(), "tests/fuzz/corpus/config/%s is config/%s" % (seed, name))

# The README is a front page (at most 200 lines) with docs/ behind it: every relative
# link in it and in docs/*.md resolves, and every docs/*.md is linked from the README.
readme = open(os.path.join(src, "README.md")).read()
h.check(len(readme.splitlines()) <= 200, "README.md: %d lines (at most 200)"
        % len(readme.splitlines()))
docs_dir = os.path.join(src, "docs")
pages = {"README.md": readme}
for name in sorted(os.listdir(docs_dir)):
    if name.endswith(".md"):
        pages["docs/" + name] = open(os.path.join(docs_dir, name)).read()
for page, text in pages.items():
    base = os.path.dirname(os.path.join(src, page))
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # an address, not a file here
        h.check(os.path.exists(os.path.normpath(os.path.join(base, target))),
                "%s links %s, which exists" % (page, target))
for page in pages:
    if page != "README.md":
        h.check("(%s)" % page in readme, "README.md links %s" % page)

# Every metric, flag and JSON field the daemon and the client serve is named in the
# docs or the man pages: a load's and a watch's stats, report and metrics, both
# binaries' --help. A metric may be named whole or by its suffix after vmastress
# (`_watch_vmas`), as the lists in docs/ write them.
documents = "\n".join(list(pages.values()) + [text5, text8, open(os.path.join(
    src, "packaging", "man", "vmastressctl.1")).read()])


def named(word):
    return re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(word), documents)


metrics, fields, flags = set(), set(), set()
served = {}  # what the watch served: its stats and metrics, held against its rows


def keys(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if not re.match(r"[0-9]", k):  # {"50": n}, a threshold: data, not a name
                fields.add(k)
                keys(v)
    elif isinstance(o, list):
        for v in o:
            keys(v)


for argv, what in ((["-d", "2", "-w", "1"], "load"), (["--watch", "-d", "2"], "watch")):
    tmp = tempfile.mkdtemp(prefix="vmastress-test-")
    sock = os.path.join(tmp, "docs.sock")
    d = h.Daemon(a.daemon, argv, tmp=tmp, socket=sock)
    try:
        h.check(h.wait_socket(sock), "a %s answers" % what)
        stats, text = h.stats(sock), h.query(sock, b"metrics\n").decode()
        served[what] = (stats, text)
        keys(stats)
        metrics |= set(re.findall(r"^# TYPE (\S+)", text, re.M))
        h.check(d.wait(60) == 0, "the %s ends by itself" % what)
        keys(d.result())
    finally:
        d.kill()
for binary in (a.daemon, os.path.join(build, "vmastressctl")):
    p = subprocess.run([binary, "--help"], capture_output=True, text=True)
    flags |= set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", p.stdout + p.stderr))
h.check(len(metrics) >= 40 and len(fields) >= 120 and len(flags) >= 20,
        "%d metrics, %d JSON fields, %d flags read" % (len(metrics), len(fields), len(flags)))
missing = ["metric " + m for m in sorted(metrics) if not (named(m) or named(m[len("vmastress"):]))]
missing += ["JSON field " + f for f in sorted(fields) if not named(f)]
missing += ["flag " + f for f in sorted(flags) if not (named(f) or named(f.replace("-", r"\-")))]
h.check(not missing, "every metric, JSON field and flag is documented%s"
        % "".join("\n  not: " + m for m in missing))


# The watch's outputs are declared once, as rows (output/watch_fields.h, raise/fields.h:
# X(id, JSON path, kind, metric, help)): every path the watch serves is a row's, every
# metric of its own is a row's with that row's TYPE and HELP, and every row is
# documented.
def rows(path):
    text = open(os.path.join(src, path)).read()
    text = re.sub(r"\\\n", " ", text)
    out = []
    for m in re.finditer(r'X\((\w+), (NULL|"[^"]*"), (\w+), (NULL|"[^"]*"),((?:\s*"(?:[^"\\]|\\.)*")+)\)',
                         text):
        help_ = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(5))).replace('\\"', '"')
        out.append({"id": m.group(1), "json": None if m.group(2) == "NULL" else m.group(2)[1:-1],
                    "kind": m.group(3),
                    "metric": None if m.group(4) == "NULL" else m.group(4)[1:-1],
                    "help": help_})
    return out


declared = rows("include/vmastress/output/watch_fields.h") + rows("include/vmastress/raise/fields.h")
h.check(len(declared) >= 100, "%d rows declare the watch's and the raise's outputs" % len(declared))
paths = {r["json"]: r for r in declared if r["json"]}
h.check(len(paths) == len([r for r in declared if r["json"]]), "each JSON path declared once")
# A metric's row whose JSON is an object with no rows of its own: keyed by label values.
keyed = {p for p, r in paths.items() if r["metric"] and not any(q.startswith(p + ".") for q in paths)}


def served_paths(o, p=""):
    out = set()
    if isinstance(o, dict):
        for k, v in o.items():
            q = p + "." + k if p else k
            out.add(q)
            if q not in keyed:
                out |= served_paths(v, q)
    elif isinstance(o, list):
        for v in o:
            out |= served_paths(v, p + "[]")
    return out


stats, text = served["watch"]
got = served_paths(stats)
h.check(not sorted(got - set(paths)), "every path the watch serves is declared%s"
        % "".join("\n  not declared: " + p for p in sorted(got - set(paths))))
# Members of an object that may be null: advice.peak, advice.raised, the lowering.
always = {p for p in paths if "[]" not in p and not p.startswith(
    ("advice.peak.", "advice.raised.", "watch.sysctl.lowered_from."))}
h.check(not sorted(always - got), "every declared path outside a list is served%s"
        % "".join("\n  not served: " + p for p in sorted(always - got)))
heads = dict(re.findall(r"^# TYPE vmastress_(\S+) (\S+)", text, re.M))
helps = dict(re.findall(r"^# HELP vmastress_(\S+) (.*)$", text, re.M))
mine = {r["metric"]: r for r in declared if r["metric"]}
shared = {"build_info", "start_time_seconds", "vma_limit", "textfile_failing"}  # stats.h's
for m in sorted(set(heads) - shared):
    r = mine.get(m)
    h.check(r is not None and heads[m] == r["kind"] and helps[m] == r["help"],
            "metric vmastress_%s is served as its row declares it (%s)" % (m, r and r["id"]))
for r in declared:
    h.check(bool(named(r["json"].split(".")[-1].replace("[]", "")) if r["json"] else True)
            and bool(not r["metric"] or named("vmastress_" + r["metric"]) or named("_" + r["metric"])),
            "row %s is documented" % r["id"])
