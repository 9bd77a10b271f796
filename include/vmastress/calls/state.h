/* state.h: what the workers share and what each one holds; read by worker.c,
 * mapops.c and the engine. */
#pragma once
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/keys.h"
#include "vmastress/model/arena.h"
#include "vmastress/model/region.h"
#include "vmastress/model/vma.h"
#include "vmastress/calls/counters.h"
#include "vmastress/calls/events.h"
#include "vmastress/calls/rng.h"

/* Room for a shape's per-worker state (VS_SHAPE_STATE; each shape asserts that
 * its own fits). */
#define VS_SHAPE_STATE_BYTES 320

/* The model window saved around one call: the largest region plus one page. */
#define VS_PAGES_MAX_SCRATCH (VS_PAGES_MAX + VS_SEPARATOR_MAX + 2)

/* State every worker sees. */
struct vs_shared {
	/* The process's VMA count, as the JSON's "map_count" and the metric
	 * vmastress_vmas: what the calls really did (the model's prediction,
	 * rebased on /proc at each verification). */
	_Atomic long map_count;
	_Atomic long claimed; /* the same with the claims of calls in flight */
	_Atomic long peak;
	_Atomic long limit; /* vm.max_map_count as last read */
	_Atomic long cap;   /* pressure ceiling; LONG_MAX: the kernel is the only limit */
	_Atomic int stop;
	_Atomic int pause;
	/* Until the count first reaches demand_target (the demand plus the
	 * ballast; LONG_MAX without a demand), the cap holds a call back, or the
	 * kernel refuses one for the count, workers only add VMAs, the cheapest
	 * way; then when the demand was reached. */
	_Atomic int building;
	_Atomic uint64_t demand_reached_ns;
	long demand_target;
	long ballast;	 /* VMAs of the emulated limit's ballast, fixed from the start */
	long test_limit; /* sanitizer builds: the limit emulated in the process (accounting.h) */
	/* The engine's configuration, the only runtime copy: replaced only while
	 * every worker is parked, so a worker never sees half of a reload. */
	const struct vs_config *cfg;
	const struct vs_shape *shape; /* cfg->shape's */
	pthread_mutex_t lock;	      /* park/unpark only, never on the hot path */
	pthread_cond_t cond;
	unsigned parked;
	uint64_t start_ns;
	size_t page;
	unsigned workers;
};

struct vs_worker {
	struct vs_counters ctr; /* first: cache-line aligned */
	unsigned index;
	pthread_t thread;
	bool started;
	struct vs_shared *sh;
	struct vs_rng rng;
	struct vs_region_table table;
	struct vs_arena arena;
	struct vs_vma_probe probe;
	uint8_t *scratch; /* model window saved around a call */
	uint64_t max_ops, ops_done;
	int call;	       /* the shape's call being made (VS_CALLS_MAX index); < 0: its op */
	unsigned latency_tick; /* calls since the last one timed */
	size_t build_region;   /* the build's region being split, and its next page */
	size_t build_page;     /* 0: map a new one (a shape's build: start over) */
	long sent_count;       /* the shared count as this worker's last call went out */
	uint64_t sent_op;      /* ops_done then */
	uint64_t next_retry_ns;
	_Atomic int finished;
	_Atomic int quit; /* this worker alone stops (fewer workers after a reload) */
	_Atomic int hang; /* test-only fault hook: stop making progress */
	struct vs_event_ring events;
	/* The shape's own per-worker state, its layout private to its file
	 * (VS_SHAPE_STATE()); zero at start, released by its teardown. */
	_Alignas(16) unsigned char shape_state[VS_SHAPE_STATE_BYTES];
};

/* A shape's state in a worker: `type` is the shape's own struct, which its file
 * checks fits (_Static_assert against VS_SHAPE_STATE_BYTES). */
#define VS_SHAPE_STATE(w, type) ((type *)(void *)(w)->shape_state)
