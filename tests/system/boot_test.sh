#!/bin/bash
# Boot test: a minimal bookworm with systemd as PID 1 (systemd-nspawn) installs the
# .deb and exercises the service; results come back through a bind-mounted folder.
# Usage: boot_test.sh PKGDIR OUTDIR   (root; debootstrap and systemd-nspawn)
set -euo pipefail
pkg=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*
root=$("$(dirname "$0")/boot_root.sh" "$out/debootstrap.log")

# The test itself: a oneshot unit wanted by multi-user.target.
install -m 0755 /dev/stdin "$root/usr/local/sbin/boottest" <<'SCRIPT'
#!/bin/bash
exec > /mnt/out/boot.log 2>&1
set -x
r() { echo "$1=$2" >> /mnt/out/results; }
dpkg -i /mnt/pkg/vmastress_*_*.deb; r install $?
r active_after_install "$(systemctl is-active vmastressd.service)"
r watch_active_after_install "$(systemctl is-active vmastress-watch.service)"
r watch_enabled_after_install "$(systemctl is-enabled vmastress-watch.service)"
r enabled_after_install "$(systemctl is-enabled vmastressd.service)"
r socket_after_install "$(test -e /run/vmastress/stats.sock && echo present || echo absent)"
# The textfile where node_exporter reads it, as config/vmastressd.conf shows it.
prom=/var/lib/prometheus/node-exporter/vmastress.prom
# As shipped, textfile = "auto": node_exporter's directory, which exists here.
sed -i 's|^  textfile = "auto";|  textfile = "auto"; textfile_interval = 1;|' /etc/vmastress/vmastressd.conf
grep -q 'textfile_interval = 1;' /etc/vmastress/vmastressd.conf; r textfile_auto_shipped $?
useradd --create-home --groups vmastress alice; r useradd_alice $?
useradd --create-home bob; r useradd_bob $?
systemctl enable --now vmastressd.service; r enable_now $?
for i in $(seq 50); do systemctl is-active --quiet vmastressd.service && break; sleep 0.1; done
r active "$(systemctl is-active vmastressd.service)"
sleep 1
ls -la /run/vmastress/ /run/private 2>&1 | tee /mnt/out/perms.txt; ls -ld /run/vmastress >> /mnt/out/perms.txt; id alice >> /mnt/out/perms.txt
runuser -u alice -- vmastressctl status > /mnt/out/status.txt 2>&1; r alice_status $?
# The textfile: written by the service's user, readable by node_exporter's, replaced
# whole (a new inode each time, never a partial file), and served by node_exporter.
sleep 1
r textfile_owner_mode "$(stat -c '%U %a' "$prom")"
runuser -u prometheus -- cat "$prom" > /mnt/out/textfile_as_prometheus.txt; r textfile_read_by_prometheus $?
inodes=""
for i in $(seq 12); do
	inodes="$inodes $(stat -c %i "$prom")"
	tail -c 1 "$prom" | od -c | grep -q '\\n' || r textfile_partial "$i"
	sleep 0.25
done
r textfile_inodes "$(echo $inodes | tr ' ' '\n' | sort -u | wc -l)"
python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9100/metrics", timeout=5).read().decode())' \
	> /mnt/out/node_exporter.txt 2>&1; r node_exporter_scrape $?
runuser -u alice -- vmastressctl stats > /mnt/out/stats.json; r alice_stats $?
runuser -u bob -- vmastressctl stats > /mnt/out/bob.txt 2>&1; r bob_stats $?
r mainpid_user "$(ps -o user= -p "$(systemctl show -p MainPID --value vmastressd.service)")"
echo 'workers = 3;' >> /etc/vmastress/vmastressd.conf
systemctl reload vmastressd.service; r reload $?
sleep 1
vmastressctl stats > /mnt/out/stats2.json; r stats2 $?
# A file that does not validate: the reload fails visibly, the service keeps going.
cp /etc/vmastress/vmastressd.conf /root/good.conf
echo 'workers = "many";' >> /etc/vmastress/vmastressd.conf
systemctl reload vmastressd.service 2> /mnt/out/reload_bad.txt; r reload_bad $?
r active_after_bad_reload "$(systemctl is-active vmastressd.service)"
vmastressctl stats > /mnt/out/stats3.json; r stats3 $?
cp /root/good.conf /etc/vmastress/vmastressd.conf
# A one-off load test next to the service (the README's fleet command, as root):
# the service's socket and textfile stay the service's; its journal entries differ.
pid_before=$(systemctl show -p MainPID --value vmastressd.service)
start_line() { grep '^vmastress_start_time_seconds{daemon="load"} ' "$prom"; }
service_start=$(start_line)
vmastressd -p churn -s 42 -w 1 -d 2 --report /var/tmp/oneoff.json > /mnt/out/oneoff.txt 2>&1
r oneoff $?
sleep 1.5
r oneoff_textfile "$([ "$service_start" = "$(start_line)" ] && echo unchanged || echo changed)"
vmastressctl ping > /dev/null; r ping_after_oneoff $?
r same_pid_after_oneoff "$([ "$pid_before" = "$(systemctl show -p MainPID --value vmastressd.service)" ] && echo yes || echo no)"
r oneoff_journal "$(journalctl -o json SYSLOG_IDENTIFIER=vmastressd-run MESSAGE_ID=1ac1e8b320224372ba999030ca0606db | grep -c .)"
r service_starts "$(journalctl -o json SYSLOG_IDENTIFIER=vmastressd MESSAGE_ID=1ac1e8b320224372ba999030ca0606db | grep -c .)"
journalctl -o json MESSAGE_ID=1ac1e8b320224372ba999030ca0606db > /mnt/out/journal_start.json
journalctl -o json MESSAGE_ID=d2cda3a34a404fb2b29f7f818e8dd39d > /mnt/out/journal_reload.json
# Watch mode, its own unit: every process (root's too) counted under CAP_SYS_PTRACE
# alone; the load service shows with its unit; group members may ask, others not.
# A real process past 50 % of the limit (every other page of one mapping
# re-protected: 2 VMAs each), in a unit of its own, beside the load service.
systemd-run --unit=vmcrowd --property=RuntimeMaxSec=120 python3 -c '
import ctypes, mmap, time
libc = ctypes.CDLL(None, use_errno=True)
n, page = 18000, mmap.PAGESIZE
m = mmap.mmap(-1, 2 * n * page)
base = ctypes.addressof(ctypes.c_char.from_buffer(m))
for i in range(n):
    libc.mprotect(ctypes.c_void_p(base + 2 * i * page), page, 1)
time.sleep(3600)'; r crowd_started $?
sleep 2
# catch = "always": the fragment load below climbs to the limit faster than the near
# attach's check (its counts are compared exactly with the load's own).
printf 'watch = { enabled = 1; interval = 1; top = 10; catch = "always"; };\nstats = { textfile = "auto"; textfile_interval = 1; };\n' > /etc/vmastress/watch.conf
systemctl enable --now vmastress-watch.service; r watch_enable_now $?
for i in $(seq 50); do [ -S /run/vmastress/watch.sock ] && break; sleep 0.1; done
sleep 2
r watch_active "$(systemctl is-active vmastress-watch.service)"
r watch_user "$(ps -o user= -p "$(systemctl show -p MainPID --value vmastress-watch.service)")"
grep -E '^Cap(Eff|Amb)' /proc/"$(systemctl show -p MainPID --value vmastress-watch.service)"/status > /mnt/out/watch_caps.txt
runuser -u alice -- vmastressctl top > /mnt/out/watch_top.txt 2>&1; r alice_top $?
# Both textfiles in node_exporter's directory, read at once: no series twice.
r watch_textfile "$(test -e /var/lib/prometheus/node-exporter/vmastress-watch.prom && echo present || echo absent)"
for i in 1 2 3; do
	python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9100/metrics", timeout=5).read().decode())' \
		> /mnt/out/node_exporter_both.txt 2>&1
	sleep 0.5
done
r node_exporter_clash "$(journalctl -u prometheus-node-exporter.service --no-pager | grep -c 'collected before')"
runuser -u alice -- vmastressctl --socket /run/vmastress/watch.sock stats > /mnt/out/watch.json; r alice_watch_stats $?
runuser -u alice -- vmastressctl check --watch > /mnt/out/watch_check.txt; r alice_watch_check $?
runuser -u bob -- vmastressctl top > /mnt/out/bob_top.txt 2>&1; r bob_top $?
systemd-analyze security vmastress-watch.service > /mnt/out/watch_security.txt 2>&1
journalctl -o json MESSAGE_ID=5b0d3c1e8f7a4e2c9d6b1a0f4e3c2d17 > /mnt/out/journal_watch.json
# The watch's catch (BPF) against the load's own counters: fragment at the limit for
# a few seconds, stopped, then both counts of munmap and mprotect ENOMEM compared.
vmastressctl --socket /run/vmastress/watch.sock stats > /mnt/out/watch_before_fragment.json
cp /etc/vmastress/vmastressd.conf /root/before-fragment.conf
printf 'shape = "fragment";\n' >> /etc/vmastress/vmastressd.conf
systemctl restart vmastressd.service; r fragment_restart $?
sleep 4
systemctl stop vmastressd.service
sleep 1.5
vmastressctl --socket /run/vmastress/watch.sock stats > /mnt/out/watch_after_fragment.json; r watch_after_fragment $?
vmastressctl --socket /run/vmastress/watch.sock metrics > /mnt/out/watch_after_fragment.prom
runuser -u alice -- vmastressctl events > /mnt/out/watch_events.txt 2>&1; r alice_events $?
runuser -u alice -- vmastressctl advise > /mnt/out/advise.txt 2>&1; r alice_advise $?
r peaks_state "$(stat -c '%U %a' /var/lib/vmastress/peaks.json 2>&1)"
journalctl -o json MESSAGE_ID=8e1f6a2b7c3d4e5f9a0b1c2d3e4f5a6b > /mnt/out/journal_caught.json
journalctl -o cat -u vmastressd.service --no-pager | grep '^stopped' | tail -1 > /mnt/out/fragment_stopped.txt
cp /root/before-fragment.conf /etc/vmastress/vmastressd.conf
# The raise policy with the grant docs/advise.md gives (the drop-in: root, that one
# file of /proc/sys writable): the load service's threads demand above the limit is
# held, because the watch raises the limit as the load crosses 90 % of it. The
# container writes the host's vm.max_map_count here (the nspawn below); test_boot.py puts
# the host's value back. nspawn keeps /proc/sys read-only (systemd-sysctl and PID 1
# leave the host's alone); the one file is the host's, writable, as on a host.
mount --bind /mnt/max_map_count /proc/sys/vm/max_map_count; r host_sysctl $?
r limit_before_raise "$(cat /proc/sys/vm/max_map_count)"
mkdir -p /etc/systemd/system/vmastress-watch.service.d
cp /usr/share/vmastress/vmastress-watch-raise.conf \
	/etc/systemd/system/vmastress-watch.service.d/50-raise.conf; r raise_dropin $?
printf 'raise = { enabled = 1; ceiling = 262144; };\n' >> /etc/vmastress/watch.conf
systemctl daemon-reload
systemctl restart vmastress-watch.service; r raise_watch_restart $?
for i in $(seq 50); do [ -S /run/vmastress/watch.sock ] && break; sleep 0.1; done
sleep 1
vmastressctl --socket /run/vmastress/watch.sock stats > /mnt/out/raise_armed.json; r raise_armed $?
cp /etc/vmastress/vmastressd.conf /root/before-raise.conf
printf 'shape = "threads";\npressure = { demand = 100000; };\n' >> /etc/vmastress/vmastressd.conf
systemctl start vmastressd.service; r raise_load_start $?
held=no
for i in $(seq 120); do
	vmastressctl stats > /mnt/out/raise_load.json 2> /dev/null &&
		python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))["verdict"]; sys.exit(not (v and v["held"]))' \
			/mnt/out/raise_load.json && held=yes && break
	sleep 0.5
done
r raise_load_held "$held"
r limit_after_raise "$(cat /proc/sys/vm/max_map_count)"
vmastressctl --socket /run/vmastress/watch.sock stats > /mnt/out/raise_after.json
vmastressctl --socket /run/vmastress/watch.sock status > /mnt/out/raise_status.txt 2>&1
journalctl -o json MESSAGE_ID=a54ab57bc9a549f7a02eb168be486c90 > /mnt/out/journal_raise.json
systemctl stop vmastressd.service
cp /root/before-raise.conf /etc/vmastress/vmastressd.conf
# The grant taken back, as an operator would (the watch keeps it until restarted).
rm -r /etc/systemd/system/vmastress-watch.service.d
systemctl daemon-reload
systemctl start vmastressd.service
systemctl stop vmastress-watch.service; r watch_stop $?
systemctl stop vmcrowd.service
r watch_result "$(systemctl show -p Result --value vmastress-watch.service)"
r socket_after_watch_stop "$(test -e /run/vmastress/stats.sock && echo present || echo absent)"
# An output that keeps failing shows in systemctl status and in check.
sed -i 's|textfile = "auto";|textfile = "/etc/vmastress/x.prom";|' /etc/vmastress/vmastressd.conf
systemctl reload vmastressd.service; r reload_textfile $?
sleep 3
systemctl status vmastressd.service --no-pager > /mnt/out/status_failing.txt 2>&1
vmastressctl check > /mnt/out/check_failing.txt; r check_failing $?
systemctl stop vmastressd.service 2> /mnt/out/stop.txt; r stop $?
r result "$(systemctl show -p Result --value vmastressd.service)"
r exit_status "$(systemctl show -p ExecMainStatus --value vmastressd.service)"
r socket_after_stop "$(test -e /run/vmastress/stats.sock && echo present || echo absent)"
vmastressctl ping > /dev/null 2>&1; r ping_after_stop $?
sleep 0.5
r active_after_query "$(systemctl is-active vmastressd.service)"
journalctl -u vmastressd.service -u vmastress-watch.service --no-pager > /mnt/out/journal_unit.txt
# Removal stops what runs: both units active, then dpkg -r.
systemctl start vmastressd.service vmastress-watch.service; r start_before_remove $?
journalctl -u vmastressd.service -u vmastress-watch.service --no-pager -n 60 > /mnt/out/journal_start_before_remove.txt
sleep 1
r active_before_remove "$(systemctl is-active vmastressd.service) $(systemctl is-active vmastress-watch.service)"
pids="$(systemctl show -p MainPID --value vmastressd.service) $(systemctl show -p MainPID --value vmastress-watch.service)"
r acl_before_purge "$(getfacl -cp /var/lib/prometheus/node-exporter | grep -c '^mask::')"
dpkg -r vmastress; r remove $?
r active_after_remove "$(systemctl is-active vmastressd.service) $(systemctl is-active vmastress-watch.service)"
left=0
for p in $pids; do [ "$p" = 0 ] || ! kill -0 "$p" 2>/dev/null || left=$((left + 1)); done
r pids_after_remove "$pids: $left"
journalctl -b --no-pager | grep -c 'but reception is disabled' > /mnt/out/reception_disabled.txt || true
dpkg --purge vmastress; r purge $?
getfacl -cp /var/lib/prometheus/node-exporter > /mnt/out/acl_after_purge.txt 2>&1
r acl_after_purge "$(grep -c -e '^mask::' -e vmastress /mnt/out/acl_after_purge.txt)"
find / -xdev \( -path /mnt -o -path /proc -o -path /sys -o -path /var/log/journal \) -prune \
	-o -name '*vmastress*' -print > /mnt/out/leftover.txt
r done 1
systemctl poweroff --no-block
SCRIPT
cat > "$root/etc/systemd/system/boottest.service" <<'UNIT'
[Unit]
Description=vmastress boot test
After=multi-user.target dbus.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/boottest
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sfn ../boottest.service "$root/etc/systemd/system/multi-user.target.wants/boottest.service"
ln -sfn /dev/null "$root/etc/systemd/system/console-getty.service"

machine=$(basename "$root")
# Bounded, killed after the bound, and the reason said. --console=read-only:
# with passive, PID 1 blocks on a console nobody reads once a script runs long.
# CAP_BPF, CAP_PERFMON and the bpf syscall (nspawn's filter holds it back): the
# watch unit's BPF backend, as on a host. The host's vm.max_map_count, writable, for
# the raise policy (its value is put back by test_boot.py).
bound=300
rc=0
SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 timeout -k 10 "$bound" systemd-nspawn -D "$root" \
	--volatile=overlay --boot --register=no --keep-unit --console=read-only --private-network \
	--capability=CAP_BPF,CAP_PERFMON --system-call-filter=bpf \
	--bind="$out":/mnt/out --bind-ro="$pkg":/mnt/pkg \
	--bind=/proc/sys/vm/max_map_count:/mnt/max_map_count > "$out/nspawn.log" 2>&1 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "boot test: the container did not power off within ${bound} s: killed (exit $rc)." >&2
	echo "last lines of the test script's log:" >&2
	tail -n 20 "$out/boot.log" >&2 2>/dev/null
fi
# Left behind because /run is on disk here.
rm -rf "/run/systemd/nspawn/propagate/$machine"
cat "$out/results"
