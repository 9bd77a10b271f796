#!/bin/bash
# Build the libFuzzer targets with clang (fuzzer + ASan + UBSan) and run each for
# SECONDS (default 60) on a copy of its seed corpus; prints the exec counts.
# Usage: tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
dir=build-fuzz
CC=clang cmake -S . -B "$dir" -DVS_FUZZ=ON -DVS_BUILD_TESTS=OFF > /dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_config fuzz_request
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
for t in config request; do
	work=$(mktemp -d /tmp/vmastress-fuzz-$t.XXXXXX)
	cp tests/fuzz/corpus/$t/* "$work"/
	"$dir/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work" 2> "$work.log" || { tail -50 "$work.log"; exit 1; }
	echo "fuzz_$t: $(grep -E '^stat::number_of_executed_units' "$work.log" | awk '{print $2}') execs in ${secs}s, corpus $(ls "$work" | wc -l) inputs"
	rm -rf "$work" "$work.log"
done
