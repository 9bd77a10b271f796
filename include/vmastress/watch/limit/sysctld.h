/* sysctld.h: where vm.max_map_count comes from, by systemd-sysctl's rule (sysctld.c). */
#pragma once

/* Which sysctl.d file sets vm.max_map_count, by systemd-sysctl's rule. */
struct vs_sysctl_source {
	long value;	   /* the running value */
	char source[300];  /* the file whose line wins; "" none */
	long source_value; /* what that line says; -1: none or not a number */
};

/* systemd-sysctl's rule over root (normally ""): *.conf in /etc/sysctl.d,
 * /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d; a name in an
 * earlier directory hides it in later ones; files in name order, the last
 * line setting key wins. Fills source and source_value (value is the caller's). */
void vs_sysctld_resolve(const char *root, const char *key, struct vs_sysctl_source *out);
