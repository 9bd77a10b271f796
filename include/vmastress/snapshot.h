/* snapshot.h: one consistent, pointer-free view of the daemon for rendering. */
#pragma once
#include <stdint.h>
#include "vmastress/config.h"
#include "vmastress/counters.h"

struct vs_snapshot {
	long pid;
	double uptime_seconds;
	double start_time; /* unix seconds */
	uint64_t seed;
	char profile[VS_PROFILE_MAX];
	unsigned workers;
	long max_map_count;
	long map_count;		  /* last /proc/self/maps reading */
	long map_count_predicted; /* internal count */
	long map_count_peak;
	long vma_cap; /* where pressure holds the count; -1: the kernel's limit */
	struct vs_totals t;
	uint64_t verifications, drift_events;
	long drift_last, drift_max; /* /proc minus predicted: last, largest magnitude */
	uint64_t limit_changes;
	int exact_probe;
	uint64_t log_dropped;      /* filled by the loop: entries over log.events_per_second */
	uint64_t clients_rejected; /* filled by the loop: busy, too long, silent, bad */
	double first_enomem[VS_OP_COUNT];
	/* seconds after start; < 0: none yet */ /* PROCMAP_QUERY available */
};
