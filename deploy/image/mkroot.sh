#!/bin/sh
# mkroot.sh ROOT FILE[:DEST]...: an image's root made from binaries of this host: each
# FILE copied to ROOT/DEST (default /usr/bin/NAME) with every shared library ldd names,
# the dynamic loader too, at the paths they have here. No registry, no base image:
# what the binaries need and nothing else. Used by build.sh and by the tests.
set -eu
[ $# -ge 2 ] || { echo "usage: mkroot.sh ROOT FILE[:DEST]..." >&2; exit 64; }
root=$1
shift
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/etc" "$root/tmp" "$root/run" "$root/proc" \
	"$root/sys" "$root/dev"
chmod 1777 "$root/tmp"
for spec in "$@"; do
	file=${spec%%:*}
	dest=${spec#*:}
	[ "$dest" != "$spec" ] || dest=/usr/bin/$(basename "$file")
	[ -f "$file" ] || { echo "mkroot.sh: $file: no such file" >&2; exit 66; }
	mkdir -p "$root$(dirname "$dest")"
	cp "$file" "$root$dest"
	# "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x...)" and the loader's
	# "/lib64/ld-linux-x86-64.so.2 (0x...)"; a static binary has none.
	for lib in $(ldd "$file" 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
