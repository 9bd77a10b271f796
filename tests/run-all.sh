#!/bin/bash
# The whole suite three ways: the normal build (with the packaging and boot tests),
# ASan+UBSan, and TSan. Sanitizers halt on the first report.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

# promtool, prometheus and prometheus-node-exporter for the metrics, rules and
# end-to-end tests: Debian's packages, extracted without installing (so nothing is
# started on the host), unless PROMTOOL already names them (.ci/run's way too).
if [ -z "${PROMTOOL:-}" ] && ! command -v promtool > /dev/null; then
	tools=$PWD/build/prom-tools
	if [ ! -x "$tools/root/usr/bin/promtool" ] && command -v apt-get > /dev/null; then
		mkdir -p "$tools"
		(cd "$tools" && apt-get download prometheus prometheus-node-exporter > /dev/null &&
			for d in prometheus_*.deb prometheus-node-exporter_*.deb; do
				dpkg-deb -x "$d" root
			done) || echo "SKIP: cannot fetch Debian's prometheus packages (apt-get download)"
	fi
	[ -x "$tools/root/usr/bin/promtool" ] && export PROMTOOL=$tools/root/usr/bin/promtool
fi

# Warnings fail the suite's builds (-DVS_WERROR=ON), never a user's or a packager's.
cmake -S . -B build -DVS_WERROR=ON
cmake --build build -j"$jobs"
# The same tree under clang, warning-free too (built, not run again).
if command -v clang > /dev/null; then
	CC=clang cmake -S . -B build-clang -DVS_WERROR=ON > /dev/null
	cmake --build build-clang -j"$jobs" > /dev/null
	echo "clang: the normal tree builds with no warning"
else
	echo "SKIP: the clang build needs clang (.ci/run installs it)"
fi
# Every skip is listed with its reason; with VMASTRESS_STRICT_SKIPS=1 (.ci/run) one
# not in tests/ci-allowed-skips fails the run (tests/ci_skips.py).
strict=()
[ "${VMASTRESS_STRICT_SKIPS:-0}" = 1 ] && strict=(--strict)
# The whole output of every test into the JUnit file (ctest keeps 1 KiB of a passed
# test's by default), so a partial skip ("SKIP part:") anywhere in it is seen.
ctest --test-dir build --output-on-failure --output-junit junit.xml \
	--test-output-size-passed 1048576
python3 tests/ci_skips.py --junit build/junit.xml --build normal "${strict[@]}"

# Without libbpf (-DVS_BPF=OFF) it still builds, and the watch scans /proc and says why.
cmake -S . -B build-nobpf -DVS_BPF=OFF -DVS_BUILD_TESTS=OFF -DVS_WERROR=ON > /dev/null
cmake --build build-nobpf --target vmastressd -j"$jobs" > /dev/null
./build-nobpf/vmastressd --watch -d 1 --socket none --report - 2> /dev/null |
	python3 -c 'import json, sys; w = json.load(sys.stdin)["watch"]
assert w["backend"] == "proc" and "without libbpf" in w["backend_reason"], w["backend_reason"]
print("without libbpf: the /proc scan, because", w["backend_reason"])'

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
for s in address,undefined thread; do
	dir=build-${s//,/-}
	cmake -S . -B "$dir" -DVS_SANITIZE="$s" -DVS_WERROR=ON
	cmake --build "$dir" -j"$jobs"
	# Packages and the boot test are about the shipped build: not repeated here.
	VMASTRESS_SANITIZER=$s ctest --test-dir "$dir" --output-on-failure -LE system \
		--output-junit junit.xml --test-output-size-passed 1048576
	python3 tests/ci_skips.py --junit "$dir/junit.xml" --build "${s//,/-}" "${strict[@]}"
done

# libFuzzer targets (config loader, socket requests), each for a bounded time.
if command -v clang > /dev/null; then
	bash tests/fuzz/run.sh "${VMASTRESS_FUZZ_SECONDS:-60}"
else
	echo "SKIP: fuzzing needs clang (.ci/run installs it)"
fi
