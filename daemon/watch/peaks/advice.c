/* advice.c: the rules of the advice (advice.h), for the daemon and the client alike. */
#include <stdio.h>
#include "vmastress/watch/peaks/advice.h"

/* peak x headroom, rounded up to a value people recognise: 65530, then powers of
 * two from 131072 (262144 is Elasticsearch's, 1048576 the distributions'), at
 * most 2147483642; never below the running limit unless allow_lower. */
long vs_advice_limit(long peak, double headroom, long running, bool allow_lower)
{
	double want = (double)peak * headroom;
	long v = 65530;

	while ((double)v < want && v < VS_ADVICE_LIMIT_MAX)
		v = v == 65530 ? 131072 : v >= (1L << 30) ? VS_ADVICE_LIMIT_MAX : v * 2;
	if (!allow_lower && v < running)
		v = running;
	return v;
}

long vs_advice_next_step(long running)
{
	long v = 65530;

	while (v <= running && v < VS_ADVICE_LIMIT_MAX)
		v = v == 65530 ? 131072 : v >= (1L << 30) ? VS_ADVICE_LIMIT_MAX : v * 2;
	return v;
}

/* The sysctl.d drop-in's text for limit. */
void vs_advice_dropin(char *buf, size_t len, const char *path, const char *after, long limit,
		      long peak, double headroom, double bytes_per_vma)
{
	char sorts[512] = "";

	if (after && after[0])
		snprintf(
		    sorts, sizeof(sorts),
		    "\n# Its name sorts after %.300s, which sets the limit now: systemd-sysctl "
		    "applies the files in name order, the last wins.",
		    after);
	snprintf(buf, len,
		 "# %s (vmastressctl advise): the highest peak seen, %ld "
		 "VMAs, times %g. A process at this limit may pin %.0f MiB of kernel memory.%s\n"
		 "vm.max_map_count = %ld\n",
		 path, peak, headroom, (double)limit * bytes_per_vma / 1048576.0, sorts, limit);
}

/* The load test that confirms it: the peak's shape and demand under the limit,
 * emulated where the host's is higher; where it is lower the limit must be
 * raised first (the sysctl is host-wide: vmastress never lowers or raises it). */
void vs_advice_confirm(char *buf, size_t len, const char *shape, long demand, long limit,
		       long running)
{
	if (limit <= running)
		snprintf(buf, len,
			 "vmastressd -p %s --demand %ld --emulate-limit %ld -d 30 --socket none",
			 shape, demand, limit);
	else
		snprintf(buf, len,
			 "sysctl -w vm.max_map_count=%ld && vmastressd -p %s --demand %ld -d 30 "
			 "--socket none",
			 limit, shape, demand);
}
