/* sysctld.h: where vm.max_map_count comes from, by systemd-sysctl's rule (sysctld.c):
 * every sysctl.d file that sets it, in the order they are applied, which one wins,
 * whether the running value is still the boot value, whether the winner lowers what
 * an earlier file (or the kernel) set, and which package owns each file. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define VS_SYSCTL_DEFAULT 65530 /* the kernel's DEFAULT_MAX_MAP_COUNT */
#define VS_SYSCTL_SOURCES_MAX 16
#define VS_SYSCTL_PATH_MAX 300
#define VS_SYSCTL_PACKAGE_MAX 64

/* A file with a line that sets the key. */
struct vs_sysctl_file {
	char path[VS_SYSCTL_PATH_MAX]; /* on the host */
	long value;		       /* its last line's; -1: not a number */
	bool masked;		       /* a file of its name in a higher directory hides it */
	char masked_by[VS_SYSCTL_PATH_MAX];
	char package[VS_SYSCTL_PACKAGE_MAX]; /* dpkg's (or rpm's) owner; "": none */
};

struct vs_sysctl_source {
	long value;			 /* the running value (the caller's) */
	char source[VS_SYSCTL_PATH_MAX]; /* the file whose line wins (the winner); "" none */
	long source_value;		 /* what that line says; -1: none or not a number */
	unsigned nsources; /* every file that sets it, in the order applied (masked ones too) */
	struct vs_sysctl_file sources[VS_SYSCTL_SOURCES_MAX];
	unsigned more;	      /* files beyond VS_SYSCTL_SOURCES_MAX, not listed */
	bool running_matches; /* value is what the winner (or the kernel's default) sets */
	/* The winner sets less than an earlier file applied, or than the kernel's default:
	 * the highest of them (lowered_from "" : the kernel's default). */
	bool lowers;
	char lowered_from[VS_SYSCTL_PATH_MAX];
	long lowered_from_value;
};

/* systemd-sysctl's rule over root (normally ""): *.conf in /etc/sysctl.d,
 * /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and /lib/sysctl.d (when
 * it is not the same directory); a name in an earlier directory masks it in later
 * ones (an empty file or a link to /dev/null too); the files in name order, the last
 * line setting key wins. Fills everything but value, which must be set before (the
 * running value: running_matches is judged against it). Owners are looked up in
 * dpkg's lists under root (or with rpm -qf), again only when the files or the package
 * database changed. */
void vs_sysctld_resolve(const char *root, const char *key, struct vs_sysctl_source *out);

/* The drop-in that sets the limit and wins: /etc/sysctl.d/60-vmastress-max-map-count.conf,
 * or a name that sorts after every file that sets it (99-, then zz-); *after: the file it
 * must sort after ("" none). */
void vs_sysctld_dropin(const struct vs_sysctl_source *src, char *path, size_t len, char *after,
		       size_t alen);
