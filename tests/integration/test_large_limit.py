"""At vm.max_map_count 1048576 (Fedora, Ubuntu 24.04, Arch), raised for the test and put
back: a demand of 900000 VMAs is built and held with no failure, exact at rest."""
import tempfile
import vsharness as h

a = h.args()
h.skip_under_sanitizer("a million VMAs")
with h.RaisedLimit(1048576):
    tmp = tempfile.mkdtemp(prefix="vmastress-test-")
    d = h.Daemon(a.daemon, ["-p", "threads", "-w", "2", "-d", "15", "--demand", "900000"],
                 tmp=tmp)
    try:
        rc = d.wait(120)
        r = d.result()
        v = r["verdict"]
        h.check(rc == 0 and v["held"] and v["first_failure"] is None,
                "demand 900000 held under 1048576 (exit %d): %s" % (rc, v))
        # a stack is 2 VMAs: held at the demand means within one of it
        h.check(r["map_count_peak"] >= 900000 - 1 and r["accounting"]["drift_last"] == 0,
                "peak %d, exact at rest" % r["map_count_peak"])
        h.check(r["limit_unreachable"] is None, "nothing of ours stopped it")
        print("time to demand %.2f s, daemon RSS %.1f MiB"
              % (v["time_to_demand_seconds"], r["rss_max_bytes"] / 2**20))
    finally:
        d.kill()
