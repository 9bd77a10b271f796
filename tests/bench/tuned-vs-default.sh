#!/bin/bash
# Does this host's limit hold the workload, and would the kernel default? One shape, one
# demand, seeded and bounded: at the host's vm.max_map_count, and under an emulated
# limit (65530 by default: ballast VMAs stand in for the difference; the sysctl is never
# touched), then the two verdicts and reports side by side.
# Usage: tests/bench/tuned-vs-default.sh [SHAPE] [DEMAND] [SECONDS] [EMULATED]
#   e.g. tests/bench/tuned-vs-default.sh threads 200000 10 65530
# The two runs over time go to an SVG: $VMASTRESS_PLOT, else tuned-vs-default.svg beside
# the reports (the README's picture: VMASTRESS_PLOT=docs/tuned-vs-default.svg, on a host
# at 1048576).
# Exit status: 0 when the host's limit holds the demand, 2 when it does not.
set -euo pipefail
cd "$(dirname "$0")/../.."
shape=${1:-threads}
demand=${2:-200000}
secs=${3:-10}
emulated=${4:-65530}
daemon=${VMASTRESSD:-build/vmastressd}
ctl=${VMASTRESSCTL:-build/vmastressctl}
limit=$(cat /proc/sys/vm/max_map_count)
out=$(mktemp -d /tmp/vmastress-tuned.XXXXXX)

run() { # NAME [FLAGS...]: the verdict's exit status is kept, not fatal
	local name=$1 rc=0
	shift
	"$daemon" -p "$shape" -s 42 -w 2 -d "$secs" --demand "$demand" --socket none \
		--report "$out/$name.json" "$@" 2> "$out/$name.log" || rc=$?
	grep -h "demand $demand VMAs" "$out/$name.log" | sed "s/^vmastressd: /$name: /"
	return "$rc"
}
host=0
run "host-$limit" || host=$?
if [ "$emulated" -lt "$limit" ]; then
	run "emulated-$emulated" --emulate-limit "$emulated" || true
	"$ctl" compare "$out/host-$limit.json" "$out/emulated-$emulated.json" \
		--plot "${VMASTRESS_PLOT:-$out/tuned-vs-default.svg}"
else
	echo "the host's limit ($limit) is not above $emulated: nothing to emulate" >&2
fi
echo "reports: $out"
exit "$host"
