/* advice.h: the limit to set, from the highest peak seen: one set of rules
 * (advice.c) that the watch daemon (its stats "advice" and metrics) and
 * vmastressctl advise (--headroom, --allow-lower) both call. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define VS_ADVICE_HEADROOM 2.0		/* the peak times this */
#define VS_ADVICE_LIMIT_MAX 2147483642L /* SteamOS's; INT_MAX - 5, the kernel's own bound */
#define VS_ADVICE_DROPIN "/etc/sysctl.d/60-vmastress-max-map-count.conf"

/* peak x headroom, rounded up to a value people recognise: 65530, then powers of
 * two from 131072 (262144 is Elasticsearch's, 1048576 the distributions'), at
 * most 2147483642; never below the running limit unless allow_lower. */
long vs_advice_limit(long peak, double headroom, long running, bool allow_lower);
/* The ladder's next value above running (the raise policy's step): 131072 above
 * 65530, then doubling, at most 2147483642. */
long vs_advice_next_step(long running);
/* The sysctl.d drop-in's text for limit, to be written at path (sysctld.h's
 * vs_sysctld_dropin: it sorts after `after`, the file that sets the limit now; ""
 * none). */
void vs_advice_dropin(char *buf, size_t len, const char *path, const char *after, long limit,
		      long peak, double headroom, double bytes_per_vma);
/* The load test that confirms it: the peak's shape and demand under the limit,
 * emulated where the host's is higher; where it is lower the limit must be
 * raised first (the sysctl is host-wide: vmastress never lowers it, and raises it only
 * with the raise policy on). */
void vs_advice_confirm(char *buf, size_t len, const char *shape, long demand, long limit,
		       long running);
