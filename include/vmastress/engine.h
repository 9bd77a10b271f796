/* engine.h: the worker pool, driven by the loop through a small API. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "vmastress/config.h"
#include "vmastress/events.h"
#include "vmastress/snapshot.h"

#define VS_REGIONS_MAX (4u << 20) /* bookkeeping bound: 64 MiB of region slots */

struct vs_engine;

struct vs_verify {
	long proc, predicted, drift; /* drift = proc - predicted */
};

int vs_engine_new(struct vs_engine **out, const struct vs_config *cfg, uint64_t max_ops);
void vs_engine_free(struct vs_engine *e);
int vs_engine_start(struct vs_engine *e);
/* Ask workers to stop and join them. */
void vs_engine_stop(struct vs_engine *e);
/* After stop: unmap everything, retry leaks until no progress. */
void vs_engine_teardown(struct vs_engine *e);
/* Apply a new configuration live (sizes, weights, pressure, worker count). */
int vs_engine_reconfigure(struct vs_engine *e, const struct vs_config *cfg);
/* True when every running worker made progress since the previous call. */
bool vs_engine_progressing(struct vs_engine *e);
/* Park workers, read /proc/self/maps, compare, rebase the internal count. */
int vs_engine_verify(struct vs_engine *e, struct vs_verify *v);
/* Re-read vm.max_map_count; returns 1 if it changed (old/new filled). */
int vs_engine_refresh_limit(struct vs_engine *e, long *old_limit, long *new_limit);
void vs_engine_snapshot(struct vs_engine *e, struct vs_snapshot *s);
bool vs_engine_all_finished(struct vs_engine *e);
uint64_t vs_engine_seed(const struct vs_engine *e);
long vs_engine_limit(struct vs_engine *e);
/* Drain worker events; calls fn for each. */
void vs_engine_drain_events(struct vs_engine *e, void (*fn)(const struct vs_event *, void *),
			    void *userdata);
/* The leaked regions as a JSON array, in pieces handed to emit (no allocation). */
typedef void (*vs_emit_fn)(const char *s, size_t n, void *userdata);
void vs_engine_write_leaks(struct vs_engine *e, vs_emit_fn emit, void *userdata);
/* Test-only fault hook: make worker i stop progressing. */
void vs_engine_hang_worker(struct vs_engine *e, unsigned i);
