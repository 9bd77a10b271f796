"""vmastressctl plot: the reports' timelines as one SVG. Two real runs (a demand the host's
limit refuses, and one it holds); the SVG parses as XML, holds one path per series of each
report and one legend entry per report, its first-failure marker sits on the sample where
the report's first failure falls; rsvg-convert and headless Chromium render it to PNGs
with each report's colour in them. Bad input: a report without a timeline, a truncated
report, a watch daemon's stats, each refused or drawn in part with what is missing said."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import vsharness as h

a = h.args()
h.emulate_limit_under_sanitizer()
ctl = a.ctl
found = h.read_limit()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
SVG = "{http://www.w3.org/2000/svg}"
COLOURS = ("#1f77b4", "#d62728")


def run(name, argv):
    d = h.Daemon(a.daemon, ["-w", "2", "-d", "3"] + argv, tmp=tempfile.mkdtemp(dir=tmp))
    rc = d.wait(120)
    path = os.path.join(tmp, name)
    shutil.copy(d.report, path)
    return rc, path


rc_a, A = run("refused.json", ["-p", "fragment", "--demand", str(found + 34470)])
rc_b, B = run("held.json", ["-p", "guarded", "--demand", str(found // 3)])
h.check(rc_a == 2 and rc_b == 0, "two runs: not held (exit %d), held (exit %d)" % (rc_a, rc_b))
reports = []
for p in (A, B):
    with open(p) as f:
        reports.append(json.load(f))
for r, p in zip(reports, (A, B)):
    tl = r.get("timeline", {})
    n = len(tl.get("samples", []))
    h.check(0 < n <= tl.get("max_samples", 0) == 600 and
            tl["samples"][-1]["t"] >= 2.5 and
            all(s["phase"] in ("build", "hold", "churn", "teardown") for s in tl["samples"]) and
            tl["samples"][-1]["phase"] == "teardown",
            "%s: a timeline of %d samples (at most 600), every %.1f s, to %.1f s"
            % (os.path.basename(p), n, tl.get("interval_seconds", 0),
               tl["samples"][-1]["t"] if n else 0))
fa = reports[0]["verdict"]["first_failure"]
failed = sum(v for s in reports[0]["timeline"]["samples"] for op in s["failures"].values()
             for v in op.values())
total = sum(v for op in reports[0]["failures"].values() for v in op.values())
h.check(failed == total and total > 0, "the timeline's failures add up to the report's: "
        "%d == %d" % (failed, total))

out = os.path.join(tmp, "runs.svg")
r = subprocess.run([ctl, "plot", A, B, "-o", out], capture_output=True, text=True, timeout=60)
h.check(r.returncode == 0 and os.path.getsize(out) > 0, "plot A B -o FILE: exit %d %s"
        % (r.returncode, r.stderr.strip()))
root = ET.parse(out).getroot()  # parses as XML, or the test ends here
h.check(root.tag == SVG + "svg", "an SVG document")
text = open(out).read()
h.check("<script" not in text and "href" not in text and "@import" not in text and
        "url(" not in text, "self-contained: no script, no link, no external font")


def expected_series(i, rep):
    samples = rep["timeline"]["samples"]
    want = {(str(i), "vmas")}
    if any(s["leaked_bytes"] > 0 for s in samples):
        want.add((str(i), "leaked"))
    for op in ("mmap", "mprotect", "munmap"):
        if any(sum(s["failures"].get(op, {}).values()) > 0 for s in samples):
            want.add((str(i), "failures:" + op))
    for k in ("mmap", "mprotect", "munmap", "punch"):
        if any(s["p99_us"].get(k, -1) > 0 for s in samples):
            want.add((str(i), "p99:" + k))
    return want


paths = [p for p in root.iter(SVG + "path") if p.get("class") == "series"]
got = sorted((p.get("data-report"), p.get("data-series")) for p in paths)
want = sorted(expected_series(0, reports[0]) | expected_series(1, reports[1]))
h.check(got == want, "one path per series: %s" % got)
legend = [g for g in root.iter(SVG + "g") if g.get("class") == "legend-entry"]
h.check(sorted(g.get("data-report") for g in legend) == ["0", "1"] and
        all(reports[i]["host"] in "".join(legend[i].itertext()) and
            str(reports[i]["max_map_count"]) in "".join(legend[i].itertext())
            for i in range(2)),
        "one legend entry per report, with its host and limit")
title = "".join(next(g for g in root.iter(SVG + "g") if g.get("class") == "title").itertext())
h.check("NOT held" in title and "held" in title and str(reports[0]["seed"]) in title and
        str(reports[1]["seed"]) in title, "the verdicts and the seeds in the title: %s" % title)

# The first failure's marker: on the sample where first_failure.seconds falls, and on
# that sample's point of the VMA line.
marks = [c for c in root.iter(SVG + "circle") if c.get("class") == "first-failure"]
h.check(len(marks) == 1 and marks[0].get("data-report") == "0",
        "one first-failure marker, the refused run's")
samples = reports[0]["timeline"]["samples"]
i = next((k for k, s in enumerate(samples) if s["t"] >= fa["seconds"]), len(samples) - 1)
line = next(p for p in paths if p.get("data-report") == "0" and p.get("data-series") == "vmas")
points = [tuple(map(float, m)) for m in re.findall(r"[ML]([\d.]+) ([\d.]+)", line.get("d"))]
cx, cy = float(marks[0].get("cx")), float(marks[0].get("cy"))
h.check(marks[0].get("data-sample") == str(i) and len(points) == len(samples) and
        abs(points[i][0] - cx) < 0.11 and abs(points[i][1] - cy) < 0.11,
        "the marker at sample %d (t %.2f s, first failure at %.3f s, %d VMAs)"
        % (i, samples[i]["t"], fa["seconds"], fa["vmas"]))

# The picture tells its story: a run on a host whose limit is far above its counts (here
# B's report as if its host were at 16 x the limit) keeps the VMA panel scaled to the
# data, its limit marked at the top edge with its value; a panel with nothing in it
# (B leaked nothing) is one line of text.
high = os.path.join(tmp, "high.json")
with open(high, "w") as f:
    json.dump(dict(reports[1], max_map_count=16 * found), f)
hs = os.path.join(tmp, "high.svg")
r = subprocess.run([ctl, "plot", high, "-o", hs], capture_output=True, text=True, timeout=60)
hroot = ET.parse(hs).getroot()
vpanel = next(g for g in hroot.iter(SVG + "g") if g.get("data-panel") == "vmas")
ticks = [t.text for t in vpanel.iter(SVG + "text") if t.get("text-anchor") == "end" and
         t.get("class") is None]
off = [t.text for t in vpanel.iter(SVG + "text") if t.get("class") == "limit-off-scale"]
lines = [ln for ln in vpanel.iter(SVG + "line") if ln.get("class") == "limit"]
h.check(r.returncode == 0 and not lines and off == ["limit %d above the scale \u2191" % (16 * found)],
        "a limit far above the data: marked at the edge with its value: %s" % off)
top = ticks[-1] if ticks else "?"
num = float(top.rstrip("kM")) * {"k": 1e3, "M": 1e6}.get(top[-1], 1)
h.check(num < 2 * found, "the VMA axis scaled to the data and the demand (top %s), not to "
        "the limit %d" % (top, 16 * found))
leaked_b = any(s["leaked_bytes"] > 0 for s in reports[1]["timeline"]["samples"])
lp = next(g for g in hroot.iter(SVG + "g") if g.get("data-panel") == "leaked")
h.check(leaked_b or ("".join(lp.itertext()).strip() == "leaked bytes: no leaks" and
                     not list(lp.iter(SVG + "path"))),
        "a panel with nothing in it is one line: %s" % "".join(lp.itertext()).strip())
vl = next(g for g in root.iter(SVG + "g") if g.get("data-panel") == "vmas")
h.check(len([ln for ln in vl.iter(SVG + "line") if ln.get("class") == "limit"]) == 2,
        "limits near the data are drawn as lines, one per run")

# It renders, and each report's colour is in the picture.
width, height = int(root.get("width")), int(root.get("height"))


def colours_in(png):
    w, hh, rows = h.png_pixels(png)
    seen = {}
    for row in rows[::2]:
        for px in row[::2]:
            for c in COLOURS:
                rgb = tuple(int(c[k:k + 2], 16) for k in (1, 3, 5))
                if all(abs(px[k] - rgb[k]) < 24 for k in range(3)):
                    seen[c] = seen.get(c, 0) + 1
    return w, hh, seen


for tool in ("rsvg-convert", "chromium"):
    exe = shutil.which(tool)
    if not exe:
        h.check(False, "%s installed (.ci/run installs librsvg2-bin and chromium)" % tool)
    png = os.path.join(tmp, tool + ".png")
    if tool == "rsvg-convert":
        cmd = [exe, "-b", "white", "-o", png, out]
    else:
        cmd = ["timeout", "-k", "5", "90", exe, "--headless", "--no-sandbox", "--disable-gpu",
               "--hide-scrollbars", "--user-data-dir=" + os.path.join(tmp, "chromium"),
               "--screenshot=" + png, "--window-size=%d,%d" % (width, height), "file://" + out]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    h.check(r.returncode == 0 and os.path.exists(png), "%s renders it: exit %d %s"
            % (tool, r.returncode, r.stderr.strip()[-300:] if r.returncode else ""))
    w, hh, seen = colours_in(png)
    h.check((w, hh) == (width, height) and all(seen.get(c, 0) > 50 for c in COLOURS),
            "%s: %dx%d, pixels of each report's colour: %s" % (tool, w, hh, seen))

# Bad input. A report of an older vmastressd (no timeline): alone, refused; beside
# another, in the legend with what is missing.
old = os.path.join(tmp, "old.json")
with open(old, "w") as f:
    json.dump({k: v for k, v in reports[0].items() if k != "timeline"}, f)
r = subprocess.run([ctl, "plot", old, "-o", os.path.join(tmp, "x.svg")], capture_output=True,
                   text=True, timeout=30)
h.check(r.returncode == 65 and "no timeline" in r.stderr and not os.path.exists(
    os.path.join(tmp, "x.svg")), "no timeline at all: exit 65, %s" % r.stderr.strip())
part = os.path.join(tmp, "part.svg")
r = subprocess.run([ctl, "plot", old, B, "-o", part], capture_output=True, text=True, timeout=30)
legend_text = "".join(ET.parse(part).getroot().itertext()) if r.returncode == 0 else ""
h.check(r.returncode == 0 and "old.json" in r.stderr and "no timeline" in legend_text,
        "beside a report with one: drawn, and the legend says what is missing")
# A truncated report.
cut = os.path.join(tmp, "cut.json")
with open(A) as f, open(cut, "w") as g:
    g.write(f.read()[:5000])
r = subprocess.run([ctl, "plot", cut, "-o", os.path.join(tmp, "y.svg")], capture_output=True,
                   text=True, timeout=30)
h.check(r.returncode == 65 and "cut.json" in r.stderr, "truncated: exit 65, %s"
        % r.stderr.strip())
# A watch daemon's stats, saved to a file.
sock = os.path.join(tmp, "watch.sock")
cfg = h.write_config(tempfile.mkdtemp(dir=tmp), 'watch = { backend = "proc"; interval = 1; };\n')
w = h.Daemon(a.daemon, ["--watch", "-c", cfg], socket=sock, tmp=tempfile.mkdtemp(dir=tmp))
try:
    h.check(h.wait_socket(sock, 20), "a watch daemon up")
    stats = os.path.join(tmp, "watch.json")
    with open(stats, "wb") as f:
        f.write(h.query(sock, b"stats\n"))
finally:
    w.kill()
r = subprocess.run([ctl, "plot", stats, "-o", os.path.join(tmp, "z.svg")], capture_output=True,
                   text=True, timeout=30)
h.check(r.returncode == 65 and "watch daemon" in r.stderr, "a watch daemon's stats: exit 65, %s"
        % r.stderr.strip())
r = subprocess.run([ctl, "plot", A], capture_output=True, text=True, timeout=30)
h.check(r.returncode == 64 and "-o FILE.svg" in r.stderr, "no -o: usage, exit 64")
# summary and compare: the plot on request, its path printed.
sp = os.path.join(tmp, "summary.svg")
r = subprocess.run([ctl, "summary", "--plot", sp, A, B], capture_output=True, text=True,
                   timeout=30)
h.check(r.returncode == 0 and "plot: %s" % sp in r.stdout and
        ET.parse(sp).getroot().tag == SVG + "svg", "summary --plot FILE: the path printed")
cp = os.path.join(tmp, "compare.svg")
r = subprocess.run([ctl, "compare", A, B, "--plot", cp], capture_output=True, text=True,
                   timeout=30)
h.check(r.returncode == 0 and r.stdout.rstrip().endswith("plot: %s" % cp) and
        len([p for p in ET.parse(cp).getroot().iter(SVG + "path")
             if p.get("class") == "series"]) == len(want), "compare A B --plot FILE")
