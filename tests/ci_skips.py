#!/usr/bin/env python3
"""After a ctest run: every skipped test and every "SKIP part:" line, from ctest's JUnit
file, against tests/ci-allowed-skips. Prints each skip with its reason; with --strict, any
skip not listed for this build fails (exit 1), naming the test and why it skipped.
  ci_skips.py --junit FILE --build normal|address-undefined|thread [--strict]"""
import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

p = argparse.ArgumentParser()
p.add_argument("--junit", required=True)
p.add_argument("--build", required=True)
p.add_argument("--strict", action="store_true")
a = p.parse_args()
allowed, any_test = set(), []
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ci-allowed-skips")) as f:
    for line in f:
        if line.strip() and not line.startswith("#"):
            build, test = line.split()[:2]
            if build == a.build or (build == "sanitizer" and a.build != "normal"):
                if test == "*":  # any test's skip whose reason starts with the WHY text
                    any_test.append(line.split(None, 2)[2].strip())
                else:
                    allowed.add(test)
try:
    root = ET.parse(a.junit).getroot()
except (OSError, ET.ParseError) as e:
    sys.exit("ci_skips: cannot read %s: %s" % (a.junit, e))
bad = []
for case in root.iter("testcase"):
    name = case.get("name")
    out = "".join(x.text or "" for x in case.iter("system-out"))
    reasons = []
    if case.get("status") in ("skipped", "notrun") or case.find("skipped") is not None:
        why = re.findall(r"^SKIP: (.*)$", out, re.M)
        reasons.append("skipped: " + (why[0] if why else "(no reason printed)"))
    reasons += ["part: " + r for r in re.findall(r"^SKIP part: (.*)$", out, re.M)]
    for r in reasons:
        ok = name in allowed or any(r.startswith(w) for w in any_test)
        print("%s skip in the %s build: %s: %s" % ("allowed" if ok else "NOT ALLOWED", a.build,
                                                   name, r))
        if not ok:
            bad.append(name)
if bad and a.strict:
    sys.exit("ci_skips: %d skip(s) not in tests/ci-allowed-skips for the %s build: %s"
             % (len(bad), a.build, ", ".join(sorted(set(bad)))))
