/* caught.h: the catch's own state: the calls it caught, kept for `events`, counted
 * per call and unit (caught.c). */
#pragma once
#include "vmastress/watch/catch/catch.h"
#include "vmastress/watch/peaks/peaks.h"
#include "vmastress/watch/watch.h"

/* One call the limit refused, caught host-wide (bpf backend). */
struct vs_watch_caught {
	double time; /* realtime seconds */
	long pid, tid, map_count, limit;
	unsigned call; /* enum vs_catch_call */
	int err;
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX];
	struct vs_workload workload;
};
#define VS_WATCH_HIT_UNITS 16 /* hits by unit: these many units, the rest as "other" */

/* The catch: the backend, and what it caught. */
struct vs_watch_catch {
	struct vs_catch *catch; /* NULL: the /proc scan */
	struct vs_names *names; /* the workloads' names (the scanner reads them); NULL */
	bool bpf;
	char attach[8];	  /* "fexit" or "raw_tp" */
	char reason[200]; /* why not bpf; "" when it is */
	uint64_t hits[VS_CATCH_CALL_COUNT], other[VS_CATCH_CALL_COUNT], dropped;
	uint64_t journal_dropped; /* entries not written (rate limit) */
	unsigned kept, head, n;	  /* ring of recent: events_kept, next slot, filled */
	struct vs_watch_caught recent[VS_WATCH_EVENTS_MAX];
	struct {
		char unit[VS_WATCH_UNIT_MAX];
		uint64_t hits[VS_CATCH_CALL_COUNT];
	} units[VS_WATCH_HIT_UNITS];
	unsigned nunits;
};


/* Events taken at most at once: a storm of refusals (100 k a second) leaves the loop
 * to its clients between two batches, each a few ms; the kernel's counters stay exact
 * whatever the ring drops. */
#define VS_WATCH_CAUGHT_BATCH 256

/* Drain one batch of the waiting events, each into c->recent, the journal and
 * peaks. True when more may wait. Nothing without BPF. */
/* The unit of a caught event's process (unit.c's names: "x.service", "podman:ID12",
 * ...), from its cgroup; the last answer kept (a storm comes from few processes). */
void vs_watch_caught_unit(const struct vs_catch_event *e, char *unit, size_t len);
bool vs_watch_caught_drain(struct vs_watch_catch *c, struct vs_peaks *peaks);
/* One batch drained, then the kernel's counters read, per call and per unit: before
 * the figures are shown. */
void vs_watch_caught_update(struct vs_watch_catch *c, struct vs_peaks *peaks);
