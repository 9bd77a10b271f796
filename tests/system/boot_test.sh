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
root=${VMASTRESS_BOOT_ROOT:-/var/tmp/vmastress-boot-bookworm-3}
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)

# Built once per machine, outside the repository; later runs reuse it.
if [ ! -x "$root/usr/bin/systemctl" ]; then
	rm -rf "$root"
	debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,passwd,procps,libconfig9,libjson-c5 \
		bookworm "$root" "$mirror" > "$out/debootstrap.log" 2>&1
fi

# The test itself: a oneshot unit wanted by multi-user.target.
install -m 0755 /dev/stdin "$root/usr/local/sbin/boottest" <<'SCRIPT'
#!/bin/bash
exec > /mnt/out/boot.log 2>&1
set -x
r() { echo "$1=$2" >> /mnt/out/results; }
dpkg -i /mnt/pkg/vmastress_*_*.deb; r install $?
r active_after_install "$(systemctl is-active vmastressd.service)"
r enabled_after_install "$(systemctl is-enabled vmastressd.service)"
r socket_after_install "$(systemctl is-active vmastressd.socket)"
useradd --create-home --groups vmastress alice; r useradd_alice $?
useradd --create-home bob; r useradd_bob $?
systemctl enable --now vmastressd.service; r enable_now $?
for i in $(seq 50); do systemctl is-active --quiet vmastressd.service && break; sleep 0.1; done
r active "$(systemctl is-active vmastressd.service)"
sleep 1
ls -la /run/vmastress/ /run/private 2>&1 | tee /mnt/out/perms.txt; ls -ld /run/vmastress >> /mnt/out/perms.txt; id alice >> /mnt/out/perms.txt
runuser -u alice -- vmastressctl status > /mnt/out/status.txt 2>&1; r alice_status $?
runuser -u alice -- vmastressctl stats > /mnt/out/stats.json; r alice_stats $?
runuser -u bob -- vmastressctl stats > /mnt/out/bob.txt 2>&1; r bob_stats $?
r mainpid_user "$(ps -o user= -p "$(systemctl show -p MainPID --value vmastressd.service)")"
echo 'workers = 3;' >> /etc/vmastress/vmastressd.conf
systemctl reload vmastressd.service; r reload $?
sleep 1
vmastressctl stats > /mnt/out/stats2.json; r stats2 $?
journalctl -o json MESSAGE_ID=1ac1e8b320224372ba999030ca0606db > /mnt/out/journal_start.json
journalctl -o json MESSAGE_ID=d2cda3a34a404fb2b29f7f818e8dd39d > /mnt/out/journal_reload.json
systemctl stop vmastressd.service; r stop $?
r result "$(systemctl show -p Result --value vmastressd.service)"
r exit_status "$(systemctl show -p ExecMainStatus --value vmastressd.service)"
r socket_after_stop "$(systemctl is-active vmastressd.socket)"
r socket_activation "$(journalctl -u vmastressd.service | grep -c 'passed by systemd (socket activation)')"
journalctl -u vmastressd.service --no-pager > /mnt/out/journal_unit.txt
dpkg --purge vmastress; r purge $?
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
SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 timeout 300 systemd-nspawn -D "$root" --volatile=overlay \
	--boot --register=no --keep-unit --console=passive \
	--bind="$out":/mnt/out --bind-ro="$pkg":/mnt/pkg > "$out/nspawn.log" 2>&1 || true
# Left behind because /run is on disk here.
rm -rf "/run/systemd/nspawn/propagate/$machine"
cat "$out/results"
