#!/bin/bash
# Load test: the same seeded profile, bounded, at the current vm.max_map_count and at a
# raised one (restored on every exit path; never lowered below the value found), then
# the two reports side by side.
# Usage: tests/bench/tuned-vs-default.sh [PROFILE] [SECONDS] [RAISED]   (root)
#   e.g. tests/bench/tuned-vs-default.sh fragment 10 262144
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${1:-fragment}
secs=${2:-10}
raised=${3:-262144}
daemon=${VMASTRESSD:-build/vmastressd}
ctl=${VMASTRESSCTL:-build/vmastressctl}
sysctl=/proc/sys/vm/max_map_count
found=$(cat "$sysctl")
out=$(mktemp -d /tmp/vmastress-tuned.XXXXXX)
restore() { [ "$(cat "$sysctl")" = "$found" ] || echo "$found" > "$sysctl"; }
trap restore EXIT INT TERM HUP
[ "$raised" -gt "$found" ] || { echo "RAISED ($raised) must be above the current $found" >&2; exit 64; }

run() { "$daemon" -p "$profile" -s 42 -w 2 -d "$secs" --socket none --report "$1" 2> "$1.log"; }
run "$out/default-$found.json"
echo "$raised" > "$sysctl"
run "$out/tuned-$raised.json"
restore
"$ctl" compare "$out/default-$found.json" "$out/tuned-$raised.json"
echo "reports: $out"
