"""sd_notify through a real notify socket: READY, STATUS, WATCHDOG pings that stop when a
worker hangs, RELOADING/READY around SIGHUP, STOPPING at exit."""
import os
import signal
import socket
import tempfile
import time
import vsharness as h

a = h.args()
tmp = tempfile.mkdtemp(prefix="vmastress-test-")
npath = os.path.join(tmp, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.bind(npath)
sock.settimeout(0.2)
msgs = []


def collect(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            data = sock.recv(4096).decode()
            msgs.append((time.monotonic(), data))
        except socket.timeout:
            pass


cfg = h.write_config(tmp, 'shape = "guarded";\nworkers = 2;\n')
# WATCHDOG_PID must be the daemon's own PID: start it through a shell that execs.
env = {"NOTIFY_SOCKET": npath, "WATCHDOG_USEC": "400000", "VMASTRESS_TEST_HOOKS": "1"}
d = h.Daemon(a.daemon, ["-c", cfg, "-d", "30"], tmp=tmp, env=env,
             prefix=["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh"])
try:
    collect(1.5)
    text = [m for _, m in msgs]
    h.check(any("READY=1" in m for m in text), "READY=1")
    status = [m for m in text if m.startswith("STATUS=") or "\nSTATUS=" in m]
    h.check(any("VMAs" in m and "workers" in m for m in status), "STATUS= live line: %s"
            % (status[-1].strip() if status else None))
    pings = [t for t, m in msgs if "WATCHDOG=1" in m]
    h.check(len(pings) >= 4, "WATCHDOG=1 pinged %d times in 1.5 s (interval 0.4 s)" % len(pings))
    msgs.clear()
    os.kill(d.p.pid, signal.SIGUSR2)  # test hook: worker 0 hangs
    collect(0.5)
    msgs.clear()
    collect(1.5)
    pings = [t for t, m in msgs if "WATCHDOG=1" in m]
    h.check(len(pings) == 0, "no WATCHDOG=1 while a worker hangs (%d)" % len(pings))
    h.check("a worker made no progress" in d.log(), "the missing progress is logged")
    msgs.clear()
    os.kill(d.p.pid, signal.SIGHUP)
    collect(1.0)
    text = [m for _, m in msgs]
    i_reload = next((i for i, m in enumerate(text) if "RELOADING=1" in m), None)
    h.check(i_reload is not None and "MONOTONIC_USEC=" in text[i_reload], "RELOADING=1 on SIGHUP")
    h.check(any("READY=1" in m for m in text[i_reload:]), "READY=1 after the reload")
    msgs.clear()
    os.kill(d.p.pid, signal.SIGTERM)
    collect(1.0)
    h.check(any("STOPPING=1" in m for _, m in msgs), "STOPPING=1 on SIGTERM")
    h.check(d.wait(60) == 0, "exit 0")
finally:
    d.kill()
