/* worker.h: one worker thread's state and operation loop. */
#pragma once
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/arena.h"
#include "vmastress/config.h"
#include "vmastress/counters.h"
#include "vmastress/events.h"
#include "vmastress/region.h"
#include "vmastress/rng.h"
#include "vmastress/vma.h"

/* The model window saved around one call: the largest region plus one page. */
#define VS_PAGES_MAX_SCRATCH (VS_PAGES_MAX + VS_SEPARATOR_MAX + 2)

/* What a worker reads from the configuration; swapped only while parked. */
struct vs_params {
	unsigned min_pages, max_pages, sep_pages, touch_pages;
	unsigned w_mmap, w_mprotect, w_munmap, w_punch;
	unsigned retry_interval_ms;
};

/* State every worker sees. */
struct vs_shared {
	_Atomic long vmas;    /* predicted VMA count, with reservations in flight */
	_Atomic long settled; /* the same without them: what calls really did */
	_Atomic long peak;
	_Atomic long limit; /* vm.max_map_count as last read */
	_Atomic long cap;   /* pressure ceiling; LONG_MAX: the kernel is the only limit */
	_Atomic int stop;
	_Atomic int pause;
	pthread_mutex_t lock; /* park/unpark only, never on the hot path */
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
	struct vs_params p;
	struct vs_rng rng;
	struct vs_region_table table;
	struct vs_arena arena;
	struct vs_vma_probe probe;
	uint8_t *scratch; /* model window saved around a call */
	uint64_t max_ops, ops_done;
	long sent_count;  /* the shared count as this worker's last call went out */
	uint64_t sent_op; /* ops_done then */
	uint64_t next_retry_ns;
	_Atomic int finished;
	_Atomic int quit; /* this worker alone stops (fewer workers after a reload) */
	_Atomic int hang; /* test-only fault hook: stop making progress */
	struct vs_event_ring events;
};

enum vs_step { VS_STEP_MAP, VS_STEP_PROTECT, VS_STEP_UNMAP, VS_STEP_PUNCH, VS_STEP_IDLE };

/* Sizes the table for `regions` and the arena for as many average regions. */
int vs_worker_init(struct vs_worker *w, unsigned index, struct vs_shared *sh,
		   const struct vs_params *p, uint64_t seed, size_t regions, uint64_t max_ops);
void vs_worker_destroy(struct vs_worker *w);
void *vs_worker_main(void *arg);
/* Choose the next operation from the weights (pure given the RNG state). */
enum vs_step vs_worker_choose(struct vs_rng *rng, const struct vs_params *p, size_t nlive);
/* Run one operation; returns what was done. */
enum vs_step vs_worker_step(struct vs_worker *w);
void vs_worker_retry_leaks(struct vs_worker *w);
/* After the thread ended: unmap every live region, retry leaks until no progress. */
void vs_worker_teardown(struct vs_worker *w);
uint64_t vs_now_ns(void);

/* mapops.c: the only code that calls mmap/mprotect/munmap. Each returns 0,
 * -EDQUOT when pressure held it back, -ENOSPC when out of room, or -errno. */
int vs_mapops_create(struct vs_worker *w, unsigned pages);
int vs_mapops_protect(struct vs_worker *w, size_t i, size_t off, size_t len, bool readonly);
int vs_mapops_punch(struct vs_worker *w, size_t i, size_t off, size_t len);
int vs_mapops_unmap(struct vs_worker *w, size_t i);
int vs_mapops_retry_leak(struct vs_worker *w, size_t leaked_index);
/* Test-only: called right after a region's first mmap, before it is opened. */
extern void (*vs_mapops_test_after_mmap)(struct vs_worker *w, uintptr_t addr, size_t len);
