/* engine.h: the worker pool and the only runtime copy of the configuration. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/config/config.h"
#include "vmastress/work/snapshot.h"
#include "vmastress/calls/events.h"

#define VS_REGIONS_MAX (4u << 20) /* bookkeeping bound: 64 MiB of region slots */
#define VS_PARK_TIMEOUT_S 2	  /* a worker's longest call is far shorter */

struct vs_engine;

struct vs_verify {
	long proc, predicted, drift; /* drift = proc - predicted */
};

/* A seed of 0 is replaced by a random one, kept in the engine's configuration. */
int vs_engine_new(struct vs_engine **out, const struct vs_config *cfg, uint64_t max_ops);
void vs_engine_free(struct vs_engine *e);
const struct vs_config *vs_engine_config(const struct vs_engine *e);
int vs_engine_start(struct vs_engine *e);
/* Ask workers to stop and join them. */
void vs_engine_stop(struct vs_engine *e);
/* After stop: unmap everything, retry leaks until no progress. */
void vs_engine_teardown(struct vs_engine *e);
/* Make cfg the running configuration, live (sizes, weights, pressure, worker
 * count), with every worker parked meanwhile. */
int vs_engine_reconfigure(struct vs_engine *e, const struct vs_config *cfg);
/* True when every running worker made progress since the previous call. */
bool vs_engine_progressing(struct vs_engine *e);
/* Park workers, read /proc/self/maps, compare, rebase the internal count;
 * -ETIMEDOUT if a worker did not park within VS_PARK_TIMEOUT_S. */
int vs_engine_verify(struct vs_engine *e, struct vs_verify *v);
/* Re-read vm.max_map_count; returns 1 if it changed (old/new filled). */
int vs_engine_refresh_limit(struct vs_engine *e, long *old_limit, long *new_limit);
/* What the engine knows; the loop adds its own figures. */
void vs_engine_snapshot(struct vs_engine *e, struct vs_snapshot *s);
bool vs_engine_all_finished(struct vs_engine *e);
long vs_engine_limit(struct vs_engine *e);
/* Whether the run still builds (to its demand, cap or the limit). */
bool vs_engine_building(struct vs_engine *e);
/* Drain worker events; calls fn for each. */
void vs_engine_drain_events(struct vs_engine *e, void (*fn)(const struct vs_event *, void *),
			    void *userdata);
/* Walk the leaked regions: set c->engine, zero the rest, pass c as userdata. */
struct vs_leak_cursor {
	struct vs_engine *engine;
	unsigned worker;
	size_t index;
};
bool vs_engine_leak_next(void *cursor, struct vs_leaked_region *out);
/* Test-only fault hook: make worker i stop progressing. */
void vs_engine_hang_worker(struct vs_engine *e, unsigned i);
