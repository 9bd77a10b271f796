#!/bin/bash
# Build the .deb and the .rpm from a copy of the source tree into OUT.
# Usage: build_packages.sh SRCDIR OUT
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
work=$(mktemp -d /tmp/vmastress-pkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$src" --exclude="./build*" --exclude=./.git --exclude=./debian --exclude="./obj-*" \
	--exclude=./packaging/debian/.debhelper --exclude=./packaging/debian/vmastress -cf - . |
	(mkdir -p "$work/vmastress-0.1.0" && tar -C "$work/vmastress-0.1.0" -xf -)

# deb: the exact command README.md documents, from the source root. What it
# leaves in the tree is listed (test_packages checks git ignores all of it).
(cd "$work/vmastress-0.1.0" && find . | sort > "$work/before" &&
	ln -sfn packaging/debian debian && dpkg-buildpackage -us -uc -b) > "$out/deb-build.log" 2>&1
(cd "$work/vmastress-0.1.0" && find . -maxdepth 3 | sort | comm -13 "$work/before" - |
	sed 's|^\./||') > "$out/deb-leftovers.txt"
cp "$work"/vmastress_*.deb "$work"/vmastress_*.changes "$work"/vmastress_*.buildinfo "$out"/
cp "$work"/vmastress-dbgsym_*.deb "$out"/ 2>/dev/null || true

# rpm: rpmbuild -bb --nodeps (a smoke test here; on Fedora/RHEL without --nodeps).
mkdir -p "$work/rpm/SOURCES"
rm -f "$work/vmastress-0.1.0/debian"
tar -C "$work" -czf "$work/rpm/SOURCES/vmastress-0.1.0.tar.gz" vmastress-0.1.0
rpmbuild -bb --nodeps --define "_topdir $work/rpm" \
	"$src/packaging/rpm/vmastress.spec" > "$out/rpm-build.log" 2>&1
find "$work/rpm/RPMS" -name 'vmastress-0*.rpm' -exec cp {} "$out"/ \;
ls "$out"
