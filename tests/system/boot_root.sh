#!/bin/bash
# The minimal bookworm the boot and Ansible tests boot (systemd-nspawn): built once
# per machine with debootstrap, outside the repository, and reused; its path on
# standard output. Usage: boot_root.sh LOGFILE   (root; debootstrap)
set -euo pipefail
log=$1
root=${VMASTRESS_BOOT_ROOT:-/var/tmp/vmastress-boot-bookworm-6}
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
# The package's dependencies, node_exporter (the textfile), python3 and sshd (Ansible).
pkgs=systemd,systemd-sysv,dbus,passwd,procps,libconfig9,libjson-c5,libbpf1,acl,prometheus-node-exporter,python3,openssh-server
# One builder at a time; a half-built tree is rebuilt.
exec 9> "$root.lock"
flock 9
if [ ! -e "$root.complete" ]; then
	rm -rf "$root"
	debootstrap --variant=minbase --include="$pkgs" bookworm "$root" "$mirror" > "$log" 2>&1
	touch "$root.complete"
fi
echo "$root"
