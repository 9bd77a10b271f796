/* engine_private.h: the engine's state, shared by engine.c (lifecycle) and
 * engine_view.c (what the loop reads). Not part of the public API. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/config/config.h"
#include "vmastress/model/ballast.h"
#include "vmastress/model/kmem.h"
#include "vmastress/calls/state.h"

struct vs_engine {
	struct vs_config cfg; /* the running configuration; workers read it (sh.cfg) */
	struct vs_shared sh;
	struct vs_ballast ballast; /* pressure.emulate_limit's */
	struct vs_kmem kmem_base;  /* at start, with kmem_base_vmas VMAs */
	long kmem_base_vmas;
	struct vs_kmem kmem_last; /* the last reading, at kmem_last_ns (monotonic) */
	uint64_t kmem_last_ns;
	uint64_t kmem_peak_bytes; /* the largest delta seen, with kmem_peak_vmas more VMAs */
	long kmem_peak_vmas;
	long mem_cap;			     /* VMAs the memory cgroup holds; LONG_MAX: no limit */
	uint64_t mem_limit;		     /* that cgroup limit, bytes */
	struct vs_worker *w[VS_WORKERS_MAX]; /* [0, n) run; [n, nalloc) stopped, kept for
					      * their counters and leaks */
	unsigned n, nalloc;
	size_t regions; /* table size per worker */
	uint64_t max_ops;
	uint64_t last_progress[VS_WORKERS_MAX];
	double start_time;
	bool started;
	long proc_last;	  /* VMAs at the last /proc/self/maps reading */
	uint64_t proc_ns; /* when (monotonic) */
	uint64_t verifications, drift_events, limit_changes;
	/* The highest vm.max_map_count seen in this run: what the kernel may have let
	 * the count reach (a raise, by an administrator or the watch's policy, lets
	 * it pass the limit read before). The reported peak is capped at it + 1. */
	long limit_max;
	long drift_last, drift_max;
};
