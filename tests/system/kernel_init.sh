#!/bin/busybox sh
# kernel_init.sh: /init of the guest test_kernels.py boots under qemu, from an initramfs
# of busybox and the build. It runs the catch's checks once per attach named in
# /etc/vs-attaches (and the cost loops when /etc/vs-cost exists), prints each stage's
# stats JSON between @@VS markers on the serial console, and powers off. The host
# side parses and judges: nothing is judged here.
/bin/busybox --install -s /bin
export PATH=/bin STATE_DIRECTORY=/tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp /run
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -t bpf bpf /sys/fs/bpf 2> /dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2> /dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2> /dev/null
echo "@@VS booted $(uname -r) limit $(cat /proc/sys/vm/max_map_count)"
# The guest's limit is its own: small, so that climbs are quick under emulation.
echo "${VS_LIMIT:-16384}" > /proc/sys/vm/max_map_count
SOCK=/run/w.sock
CTL="vmastressctl --socket $SOCK"

line() { # FILE: wait (at most 300 s by the clock) for a helper's first line
	end=$(($(date +%s) + 300))
	while [ ! -s "$1" ] && [ "$(date +%s)" -lt $end ]; do sleep 0.1; done
	[ -s "$1" ] || echo "@@VS timeout $1 $(grep MemAvailable /proc/meminfo)"
}

stage() { # NAME: the watch's stats now, between markers
	echo "@@VS begin $1"
	$CTL stats
	echo
	echo "@@VS end $1"
}

watch() { # ATTACH [HOOK]: a BPF watch counting every second (on CPU 0 for the cost)
	$PIN0 env VMASTRESS_TEST_HOOKS=1 VMASTRESS_TEST_CATCH_ATTACH="$1" VMASTRESS_TEST_CATCH="$2" \
		vmastressd --watch -c /etc/w.conf --socket $SOCK -d 900 2> /tmp/watch.log &
	W=$!
	i=0
	until $CTL ping > /dev/null 2>&1 || [ $i -gt 600 ]; do sleep 0.2; i=$((i + 1)); done
}

unwatch() {
	kill -TERM $W 2> /dev/null
	wait $W
}

for a in $(cat /etc/vs-attaches); do
	watch "$a"
	echo "@@VS log $a $(head -c 300 /tmp/watch.log | tr '\n' ' ')"
	stage "start $a"
	limit_calls hold 8000 > /tmp/hold.out &
	H=$!
	limit_calls calls > /tmp/calls.out &
	C=$!
	limit_calls rlimit > /tmp/rlimit.out &
	R=$!
	line /tmp/hold.out
	line /tmp/calls.out
	line /tmp/rlimit.out
	sleep 3 # a scan, every second, sees the holder
	pid=$(cut -d' ' -f2 /tmp/hold.out)
	echo "@@VS maps $pid $(grep -vc vsyscall /proc/$pid/maps)"
	echo "@@VS helper $(cat /tmp/calls.out)"
	echo "@@VS helper $(cat /tmp/rlimit.out)"
	stage "calls $a"
	kill -TERM $H $C $R
	wait $H $C $R
	limit_calls storm 100000 > /tmp/s1.out &
	S1=$!
	limit_calls storm 100000 > /tmp/s2.out &
	S2=$!
	line /tmp/s1.out
	line /tmp/s2.out
	sleep 2
	echo "@@VS helper $(cat /tmp/s1.out)"
	echo "@@VS helper $(cat /tmp/s2.out)"
	stage "storm $a"
	kill -TERM $S1 $S2
	wait $S1 $S2
	unwatch
done

# The cost where this kernel attaches: an unrelated syscall loop and an mmap/munmap
# loop with no watch, the iterator alone, and the whole catch, interleaved.
if [ -e /etc/vs-cost ]; then
	# The watch on CPU 0, the loops on CPU 1: unpinned, the emulator's vCPUs trade the
	# watch's work into the loops' figures.
	PIN0="taskset -c 0"
	PIN1="taskset -c 1"
	head -c 64 /dev/zero > /tmp/small
	for rep in 1 2 3 4 5; do
		order="off count on"
		[ $((rep % 2)) = 0 ] && order="on count off"
		for v in $order; do
			[ $v = count ] && watch "" count
			[ $v = on ] && watch ""
			sleep 1
			echo "@@VS cost $v $($PIN1 syscall_loop 1.5 /tmp/small) $($PIN1 plain_loop 1.5 16 0 1)"
			[ $v != off ] && unwatch
		done
	done
fi
echo "@@VS done"
poweroff -f
