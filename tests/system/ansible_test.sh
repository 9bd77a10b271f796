#!/bin/bash
# The Ansible rollout against two booted bookworm containers (systemd-nspawn, the
# boot test's tree), reached over ssh on loopback: "tuned" gets the sysctl.d
# drop-in with a raised limit (its /proc/sys is writable, so the limit it sets is
# the kernel's: one kernel, one global sysctl; the caller restores it), "default"
# runs under an emulated 65530. Then the drop-in is removed again.
# Usage: ansible_test.sh DEB VMASTRESSCTL OUTDIR RAISED   (root)
set -euo pipefail
deb=$(readlink -f "$1")
ctl=$(readlink -f "$2")
out=$3
raised=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "${out:?}"/*
root=$("$here/boot_root.sh" "$out/debootstrap.log")
tmp=$(mktemp -d /tmp/vmastress-ansible.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N "" -f "$tmp/key"
mkdir -p "$root/root/.ssh"
declare -A port=([tuned]=2201 [default]=2202)
bound=600
for name in tuned default; do
	echo "vmastress-$name" > "$tmp/$name-hostname"
	printf 'Port %s\nListenAddress 127.0.0.1\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n' \
		"${port[$name]}" > "$tmp/$name-sshd.conf"
	# Only the tuned host may write /proc/sys (its sysctl.d drop-in really applies).
	writable=0
	[ "$name" = tuned ] && writable=1
	SYSTEMD_NSPAWN_API_VFS_WRITABLE=$writable SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 \
		timeout -k 10 "$bound" systemd-nspawn -D "$root" --volatile=overlay --boot \
		--register=no --keep-unit --console=read-only --machine="vmastress-$name" \
		--capability=CAP_BPF,CAP_PERFMON --system-call-filter=bpf \
		--bind-ro="$tmp/key.pub:/root/.ssh/authorized_keys" \
		--bind-ro="$tmp/$name-hostname:/etc/hostname" \
		--bind-ro="$tmp/$name-sshd.conf:/etc/ssh/sshd_config.d/vmastress-test.conf" \
		--bind-ro=/dev/null:/etc/systemd/system/boottest.service \
		--bind-ro=/dev/null:/etc/systemd/system/prometheus-node-exporter.service \
		> "$out/nspawn-$name.log" 2>&1 &
	pids+=($!)
done
ssh_opts=(-i "$tmp/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o ConnectTimeout=2 -o LogLevel=ERROR)
for name in tuned default; do
	ok=0
	for _ in $(seq 120); do
		if ssh "${ssh_opts[@]}" -p "${port[$name]}" root@127.0.0.1 true 2>/dev/null; then
			ok=1
			break
		fi
		sleep 0.5
	done
	[ "$ok" = 1 ] || { echo "ansible test: no ssh to $name within 60 s" >&2; tail "$out/nspawn-$name.log" >&2; exit 1; }
done

cat > "$out/inventory.ini" <<INV
[tuned]
vmastress-tuned ansible_host=127.0.0.1 ansible_port=${port[tuned]}

[default]
vmastress-default ansible_host=127.0.0.1 ansible_port=${port[default]}

[all:vars]
ansible_user=root
ansible_ssh_private_key_file=$tmp/key
ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
ansible_python_interpreter=/usr/bin/python3

[tuned:vars]
vmastress_max_map_count=$raised

[default:vars]
vmastress_test_emulate_limit=65530
INV
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_HOST_KEY_CHECKING=False
rc=0
ansible-playbook -i "$out/inventory.ini" "$here/../../deploy/ansible/playbook.yml" \
	-e "vmastress_package_file=$deb" -e vmastress_test_seconds=4 \
	-e vmastress_test_demand=200000 -e "vmastress_ctl=$ctl" \
	-e "vmastress_reports_dir=$out/reports" > "$out/playbook.log" 2>&1 || rc=$?
echo "playbook=$rc" >> "$out/results"
ssh "${ssh_opts[@]}" -p "${port[tuned]}" root@127.0.0.1 cat /etc/sysctl.d/60-vmastress-max-map-count.conf \
	> "$out/dropin.txt" 2>&1 || true
# A group value below the running limit: never applied (the role must not lower a
# shared kernel limit) unless vmastress_allow_lower=true.
lower=$((raised - 65536))
sed "s/^vmastress_max_map_count=.*/vmastress_max_map_count=$lower/" "$out/inventory.ini" > "$out/inventory-lower.ini"
rc=0
ansible-playbook -i "$out/inventory-lower.ini" "$here/../../deploy/ansible/playbook.yml" --limit tuned \
	-e vmastress_test=false -e "vmastress_package_file=$deb" -e "vmastress_ctl=$ctl" \
	-e "vmastress_reports_dir=$tmp/none" > "$out/playbook-lower.log" 2>&1 || rc=$?
echo "playbook_lower=$rc" >> "$out/results"
echo "limit_after_lower=$(cat /proc/sys/vm/max_map_count)" >> "$out/results"
ssh "${ssh_opts[@]}" -p "${port[tuned]}" root@127.0.0.1 cat /etc/sysctl.d/60-vmastress-max-map-count.conf \
	> "$out/dropin_after_lower.txt" 2>&1 || true
# This run's hosts only in the summary: the tuned host's report, from the first
# run, is shown apart as an older one.
rc=0
ansible-playbook -i "$out/inventory.ini" "$here/../../deploy/ansible/playbook.yml" --limit default \
	-e "vmastress_package_file=$deb" -e vmastress_test_seconds=2 \
	-e vmastress_test_demand=200000 -e "vmastress_ctl=$ctl" \
	-e "vmastress_reports_dir=$out/reports" > "$out/playbook-limit.log" 2>&1 || rc=$?
echo "playbook_limit=$rc" >> "$out/results"
# The summary on its own, with no host to target.
rc=0
ansible-playbook "$here/../../deploy/ansible/summary.yml" -e "vmastress_ctl=$ctl" \
	-e "vmastress_reports_dir=$out/reports" > "$out/playbook-summary.log" 2>&1 || rc=$?
echo "playbook_summary=$rc" >> "$out/results"
# Advise mode: the watch on both hosts, one fleet table by group; then the group's
# recommended drop-in in check mode, its diff shown and nothing written.
rc=0
ansible-playbook -i "$out/inventory.ini" "$here/../../deploy/ansible/advise.yml" \
	-e "vmastress_package_file=$deb" > "$out/playbook-advise.log" 2>&1 || rc=$?
echo "playbook_advise=$rc" >> "$out/results"
rc=0
ansible-playbook -i "$out/inventory.ini" "$here/../../deploy/ansible/advise.yml" --check --diff \
	-e "vmastress_package_file=$deb" -e vmastress_advise_write=true -e vmastress_advise_headroom=40 \
	> "$out/playbook-advise-check.log" 2>&1 || rc=$?
echo "playbook_advise_check=$rc" >> "$out/results"
ssh "${ssh_opts[@]}" -p "${port[default]}" root@127.0.0.1 \
	'test -e /etc/sysctl.d/60-vmastress-max-map-count.conf && echo present || echo absent' \
	> "$out/dropin_default_after_check.txt" 2>&1 || true
# The drop-in removed again.
rc=0
ansible-playbook -i "$out/inventory.ini" "$here/../../deploy/ansible/playbook.yml" --limit tuned \
	-e vmastress_max_map_count_state=absent -e vmastress_test=false -e "vmastress_package_file=$deb" \
	-e "vmastress_ctl=$ctl" -e "vmastress_reports_dir=$tmp/none" > "$out/playbook-remove.log" 2>&1 || rc=$?
echo "playbook_remove=$rc" >> "$out/results"
ssh "${ssh_opts[@]}" -p "${port[tuned]}" root@127.0.0.1 \
	'test -e /etc/sysctl.d/60-vmastress-max-map-count.conf && echo present || echo absent' \
	> "$out/dropin_after_remove.txt" 2>&1 || true
for name in tuned default; do
	ssh "${ssh_opts[@]}" -p "${port[$name]}" root@127.0.0.1 systemctl poweroff --no-block 2>/dev/null || true
done
cat "$out/results"
