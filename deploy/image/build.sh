#!/bin/sh
# build.sh BUILD_DIR [IMAGE]: the watch's image from a build of this tree, offline:
# podman build (or buildah) from scratch, with the binaries' own libraries
# (mkroot.sh). IMAGE defaults to localhost/vmastress-watch:VERSION.
set -eu
build=${1:?usage: build.sh BUILD_DIR [IMAGE]}
here=$(cd "$(dirname "$0")" && pwd)
version=$("$build/vmastressd" --version 2>/dev/null | awk '{print $NF; exit}')
image=${2:-localhost/vmastress-watch:${version:-dev}}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
sh "$here/mkroot.sh" "$root" "$build/vmastressd:/usr/sbin/vmastressd" \
	"$build/vmastressctl:/usr/bin/vmastressctl"
mkdir -p "$root/etc/vmastress" "$root/run/vmastress" "$root/var/lib/vmastress"
cp "$here/../../config/watch.conf" "$root/etc/vmastress/watch.conf"
if command -v podman >/dev/null; then
	podman build --network=none -f "$here/Containerfile" -t "$image" "$root"
else
	buildah bud --network=none -f "$here/Containerfile" -t "$image" "$root"
fi
echo "$image"
