"""The code's layout has no circles: no file calls, through any chain of other files,
back into itself (read from the built objects' symbols with nm), and no header
includes, through any chain, itself (read from the sources). A call through the shape
table counts: a file that includes shapes/shape.h may call any shape's functions, so
it needs every shape's file. And the folders (daemon/X and include/vmastress/X are
folder X; include/vmastress/*.h a leaf of their own; the watch's concerns, watch/Y,
folders of their own) form a one-way stack: no folder needs, through calls or
includes, a folder that needs it."""
import os
import re
import subprocess
import vsharness as h

a = h.args()
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
build = os.path.dirname(os.path.abspath(a.daemon))


def circles(graph):
    """Strongly connected parts of more than one node (Tarjan, iterative)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = n[0]
        n[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n[0]
                    n[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                part = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    part.append(w)
                    if w == v:
                        break
                if len(part) > 1:
                    out.append(sorted(part))
    return out


# Calls: a file needs another when it uses a symbol the other defines.
objects = []
for d, _, files in os.walk(os.path.join(build, "CMakeFiles")):
    for f in files:
        if f.endswith(".c.o") and "/daemon/" in os.path.join(d, f):
            objects.append(os.path.join(d, f))
h.check(len(objects) >= 50, "%d of the daemon's objects built under %s" % (len(objects), build))
defined, used = {}, {}
for o in objects:
    name = "daemon/" + o.split("/daemon/", 1)[1][:-2]
    nm = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            used.setdefault(name, set()).add(f[1])
        elif len(f) == 3 and f[1] in "TDRBC":
            defined.setdefault(f[2], name)
    used.setdefault(name, set())
calls = {f: {defined[s] for s in syms if s in defined and defined[s] != f}
         for f, syms in used.items()}
# Through the shape table: what includes shape.h calls every shape's .map, .protect,
# .validate and .teardown, which nm does not see (pointers in a shape's own object).
shape_files = sorted(f for f in calls if f.startswith("daemon/shapes/"))
h.check(len(shape_files) >= 6, "%d shapes' objects" % len(shape_files))
table_users = set()
for d, _, files in os.walk(os.path.join(src, "daemon")):
    for f in files:
        if f.endswith(".c") and '#include "vmastress/shapes/shape.h"' in open(os.path.join(d, f)).read():
            table_users.add(os.path.relpath(os.path.join(d, f), src))
for f in table_users:
    if f in calls and not f.startswith("daemon/shapes/"):
        calls[f] |= set(shape_files)
edges = sum(len(v) for v in calls.values())
h.check(edges >= 100, "%d calls between %d files" % (edges, len(calls)))
found = circles(calls)
h.check(not found, "no calls go round between files%s"
        % "".join("\n  round: " + ", ".join(p) for p in found))

# Includes: a header's own includes, and each source's.
includes = {}
for top in ("daemon", "include"):
    for d, _, files in os.walk(os.path.join(src, top)):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.relpath(os.path.join(d, f), src)
            text = open(os.path.join(d, f)).read()
            deps = set()
            for inc in re.findall(r'^#include "([^"]+)"', text, re.M):
                local = os.path.normpath(os.path.join(os.path.dirname(path), inc))
                deps.add(local if os.path.exists(os.path.join(src, local))
                         else os.path.join("include", inc))
            includes[path] = deps
h.check(sum(len(v) for v in includes.values()) >= 100,
        "%d includes in %d files" % (sum(len(v) for v in includes.values()), len(includes)))
found = circles(includes)
h.check(not found, "no includes go round%s" % "".join("\n  round: " + ", ".join(p) for p in found))


# Folders: daemon/X/... and include/vmastress/X/... are X; the watch's by concern,
# daemon/watch/Y/... and include/vmastress/watch/Y/..., are watch/Y, each a folder of
# its own in the stack (the watch's own headers, watch/*.h, are watch).
def folder(path):
    parts = path.split("/")
    if parts[0] == "daemon":
        parts = parts[1:]
    else:
        parts = parts[2:]
        if len(parts) < 2:
            return "include"
    if len(parts) < 2:
        return "daemon"
    if parts[0] == "watch" and len(parts) > 2:
        return "watch/" + parts[1]
    return parts[0]


needs = {}
for graph, how in ((calls, "calls"), (includes, "includes")):
    for f, deps in graph.items():
        for d in deps:
            a, b = folder(f), folder(d)
            if a != b:
                needs.setdefault(a, {}).setdefault(b, "%s %s %s" % (f, how, d))
            needs.setdefault(b, {})
watch_parts = sorted(f for f in needs if f.startswith("watch/"))
h.check(len(watch_parts) >= 5, "the watch by concern: %s" % ", ".join(watch_parts))
h.check(len(needs) >= 8, "%d folders, %d needs between them"
        % (len(needs), sum(len(v) for v in needs.values())))
found = circles({a: set(v) for a, v in needs.items()})
h.check(not found, "no folders go round%s" % "".join(
    "\n  round: " + ", ".join(p) + "".join(
        "\n    " + needs[a][b] for a in p for b in p if b in needs[a]) for p in found))

# A function reads on one screen: none in daemon/ over 80 lines. clang-format (the
# Linux brace style) puts a function's braces alone in column 0.
FUNCTION_MAX = 80
long_ones, functions = [], 0
for path in sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(src, "daemon"))
                   for f in fs if f.endswith(".c")):
    lines = open(path).read().split("\n")
    start = None
    for i, line in enumerate(lines):
        if line == "{":
            start = i
        elif line == "}" and start is not None:
            functions += 1
            if i - start - 1 > FUNCTION_MAX:
                long_ones.append("%s: %s (%d lines)" % (os.path.relpath(path, src),
                                                        lines[start - 1].strip(), i - start - 1))
            start = None
h.check(functions >= 300, "%d functions read in daemon/" % functions)
h.check(not long_ones, "no function over %d lines%s"
        % (FUNCTION_MAX, "".join("\n  " + f for f in long_ones)))
