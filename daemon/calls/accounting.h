/* accounting.h: what mapops.c records around each call: the claims against the cap and
 * their settling, the peak and the demand, failures and their events, the latency
 * clock, the sequence hash, the byte gauges. Private to calls/ (mapops.c alone);
 * static inline, so the calls' hot path stays one translation unit. */
#pragma once
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include "vmastress/log/errnames.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/calls/clock.h"
#include "vmastress/calls/state.h"

/* The highest sum of the settled calls; the snapshot caps it at what the kernel
 * could hold (engine_view.c): the limit read now may be older than a raise. */
static inline void note_peak(struct vs_shared *sh, long now)
{
	long peak = atomic_load_explicit(&sh->peak, memory_order_relaxed);

	while (now > peak && !atomic_compare_exchange_weak(&sh->peak, &peak, now))
		;
}

/* For failure(): the shared count as this worker's call goes out. */
static inline void note_sent(struct vs_worker *w, long count)
{
	w->sent_count = count;
	w->sent_op = w->ops_done;
}

static inline void note_demand_reached(struct vs_shared *sh)
{
	uint64_t zero = 0;

	atomic_store_explicit(&sh->building, 0, memory_order_relaxed);
	atomic_compare_exchange_strong(&sh->demand_reached_ns, &zero, vs_now_ns());
}

/* Pressure: claim `delta` VMAs below the cap before the call that makes them. */
static inline bool claim_below_cap(struct vs_worker *w, long delta)
{
	struct vs_shared *sh = w->sh;
	long cap = atomic_load_explicit(&sh->cap, memory_order_relaxed);
	long cur = atomic_load_explicit(&sh->claimed, memory_order_relaxed);

	note_sent(w, cur);
	if (delta <= 0)
		return true;
	do {
		if (cap != LONG_MAX && cur + delta > cap) {
			/* Held at the demand: within one call's VMAs of it, built. */
			if (atomic_load_explicit(&sh->building, memory_order_relaxed))
				note_demand_reached(sh);
			return false;
		}
	} while (!atomic_compare_exchange_weak(&sh->claimed, &cur, cur + delta));
	return true;
}

static inline long positive(long d)
{
	return d > 0 ? d : 0;
}

/* As claim_below_cap(), past any cap: teardown and leak retries must unmap. */
static inline void claim(struct vs_worker *w, long delta)
{
	note_sent(w,
		  atomic_fetch_add_explicit(&w->sh->claimed, positive(delta), memory_order_relaxed));
}

/* Settle a call: `actual` VMAs made (or removed) against `claimed`;
 * what a call adds counts as created (a call that splits and merges as much
 * counts none: a lower bound). The peak comes from map_count, never from
 * claims in flight. */
static inline void settle(struct vs_worker *w, long claimed, long actual)
{
	struct vs_shared *sh = w->sh;

	if (actual > 0)
		vs_counter_add(&w->ctr.vmas_created, (uint64_t)actual);
	/* map_count first: map_count <= claimed holds at every instant, so the peak
	 * never shows a count that only the order of two updates produced. */
	if (actual) {
		long now =
		    atomic_fetch_add_explicit(&sh->map_count, actual, memory_order_relaxed) + actual;
		note_peak(sh, now);
		if (now >= sh->demand_target &&
		    atomic_load_explicit(&sh->building, memory_order_relaxed))
			note_demand_reached(sh);
	}
	if (actual != claimed)
		atomic_fetch_add_explicit(&sh->claimed, actual - claimed, memory_order_relaxed);
}

static inline void event(struct vs_worker *w, enum vs_event_kind kind, enum vs_op op, int err,
			 uintptr_t addr, uint64_t length)
{
	struct vs_event ev = {
	    .kind = (uint8_t)kind,
	    .op = (uint8_t)op,
	    .err = (int16_t)err,
	    .worker = (uint16_t)w->index,
	    .addr = addr,
	    .length = length,
	    .map_count = atomic_load_explicit(&w->sh->map_count, memory_order_relaxed),
	    .max_map_count = atomic_load_explicit(&w->sh->limit, memory_order_relaxed),
	    .leaked_bytes = vs_counter_get(&w->ctr.leaked_bytes),
	};
	if (vs_event_push(&w->events, &ev) < 0)
		vs_counter_add(&w->ctr.events_lost, 1);
}

/* Count a failure; ENOMEM is the map count's when our count says a split or a
 * new VMA would pass the limit, otherwise it is memory (the kernel gives both
 * the same errno; exact accounting is what tells them apart). */
static inline void failure(struct vs_worker *w, enum vs_op op, int err, uintptr_t addr, size_t len,
			   int kind)
{
	unsigned call = w->call >= 0 ? (unsigned)w->call : (unsigned)op;

	vs_counter_add(&w->ctr.failures[op][vs_errno_slot(err)], 1);
	vs_counter_add(&w->ctr.call_failures[call], 1);
	if (!vs_counter_get(&w->ctr.first_failure_ns)) {
		long vmas = atomic_load_explicit(&w->sh->map_count, memory_order_relaxed);
		vs_counter_set(&w->ctr.first_failure_vmas, (uint64_t)(vmas - w->sh->ballast));
		vs_counter_set(&w->ctr.first_failure_call,
			       (uint64_t)call << 24 | (uint64_t)op << 16 | (unsigned)err);
		vs_counter_set(&w->ctr.first_failure_ns, vs_now_ns());
	}
	if (err == ENOMEM) {
		if (!vs_counter_get(&w->ctr.first_enomem_ns[op]))
			vs_counter_set(&w->ctr.first_enomem_ns[op], vs_now_ns());
		long now = atomic_load_explicit(&w->sh->map_count, memory_order_relaxed);
		long limit = atomic_load_explicit(&w->sh->limit, memory_order_relaxed);
		/* Read after the refusal, the shared count may already show another
		 * worker's unmap of a region of many pieces: the count as the call
		 * went out is closer to what the kernel refused from. */
		if (w->sent_op == w->ops_done && w->sent_count > now)
			now = w->sent_count;
		/* Each other worker's call moves the count by at most a region's
		 * pages, its separator and a split at each end, and may be one call
		 * ahead or behind: within that slack of the limit, the limit is the
		 * cause. */
		const struct vs_config *cfg = w->sh->cfg;
		long slack = (long)w->sh->workers *
			     ((long)cfg->mapping_max_pages + cfg->mapping_separator_pages + 2);
		if (now + 1 + slack > limit) {
			vs_counter_add(&w->ctr.enomem[VS_CAUSE_MAP_COUNT][op], 1);
			/* The limit stops the build short of the demand: churn at it
			 * from now on, as the workload would (frees, re-protections). */
			atomic_store_explicit(&w->sh->building, 0, memory_order_relaxed);
		} else
			vs_counter_add(&w->ctr.enomem[VS_CAUSE_MEMORY][op], 1);
	}
	if (kind >= 0)
		event(w, (enum vs_event_kind)kind, op, err, addr, len);
}

/* Latency, one call in accounting.latency: clock_stop() files it under its
 * kind and its call (the shape's name for it), by the fill of the limit (the emulated one, if any)
 * as it went out. */
static inline uint64_t clock_start(struct vs_worker *w)
{
	unsigned every = w->sh->cfg->accounting_latency; /* one call in this many */

	if (!every || ++w->latency_tick < every)
		return 0;
	w->latency_tick = 0;
	return vs_now_ns();
}

static inline void file_latency(struct vs_counters *c, unsigned row, enum vs_fill_band band,
				uint64_t ns)
{
	vs_counter_add(&c->lat[row][band][vs_lat_bucket(ns)], 1);
	vs_counter_add(&c->lat_sum_ns[row][band], ns);
	if (ns > vs_counter_get(&c->lat_max_ns[row][band]))
		vs_counter_set(&c->lat_max_ns[row][band], ns);
}

static inline void clock_stop(struct vs_worker *w, enum vs_lat_kind kind, uint64_t start)
{
	if (!start)
		return;
	uint64_t ns = vs_now_ns() - start;
	long emulated = (long)w->sh->cfg->pressure_emulate_limit;
	long limit =
	    emulated ? emulated : atomic_load_explicit(&w->sh->limit, memory_order_relaxed);
	long vmas = w->sent_count - w->sh->ballast;
	enum vs_fill_band band = 2 * vmas < limit	 ? VS_FILL_LOW
				 : 10 * vmas < 9 * limit ? VS_FILL_MID
							 : VS_FILL_HIGH;
	/* The call's row: the shape's name for it, as failure() counts it. */
	enum vs_op op = kind == VS_LAT_MMAP	  ? VS_OP_MMAP
			: kind == VS_LAT_MPROTECT ? VS_OP_MPROTECT
						  : VS_OP_MUNMAP;
	unsigned call = w->call >= 0 ? (unsigned)w->call : (unsigned)op;

	file_latency(&w->ctr, kind, band, ns);
	file_latency(&w->ctr, VS_LAT_KIND_COUNT + call, band, ns);
}

static inline void sequence(struct vs_worker *w, uint64_t op, uint64_t a, uint64_t b)
{
	uint64_t h = vs_counter_get(&w->ctr.sequence) ^ (op << 56 ^ a << 24 ^ b);
	vs_counter_set(&w->ctr.sequence, vs_splitmix64(&h));
}

/*
 * The calls themselves. A sanitizer build may emulate the limit in the process
 * (VMASTRESS_TEST_MAX_MAP_COUNT=N, vs_vma_test_limit()): a call is refused with
 * ENOMEM, before it is made, where the kernel would refuse it at N with the
 * count as it went out (`before`, which includes every VMA of the process as of
 * the last verification): a new mapping when the count is above N, a call that
 * splits (`adds` more) when it would pass N. So the at-limit paths (ENOMEM,
 * leaks and their retries, verdicts) run under ASan and TSan far below the real
 * limit, where the runtimes can still map. One difference, said: a refused
 * mprotect that the kernel would leave half done is refused whole here. The
 * normal build has no such code.
 */
static inline bool refused_here(const struct vs_worker *w, long before, long adds, bool mapping)
{
#ifdef VS_SANITIZER
	if (w->sh->test_limit) {
		long limit = w->sh->test_limit;
		if (mapping ? before > limit : adds > 0 && before + adds > limit) {
			errno = ENOMEM;
			return true;
		}
	}
#else
	(void)w, (void)before, (void)adds, (void)mapping;
#endif
	return false;
}

static inline void *sys_mmap(const struct vs_worker *w, long before, void *addr, size_t len,
			     int prot, int flags, int fd, off_t off)
{
	return refused_here(w, before, 1, true) ? MAP_FAILED
						: mmap(addr, len, prot, flags, fd, off);
}

static inline int sys_mprotect(const struct vs_worker *w, long before, long adds, void *addr,
			       size_t len, int prot)
{
	return refused_here(w, before, adds, false) ? -1 : mprotect(addr, len, prot);
}

static inline int sys_munmap(const struct vs_worker *w, long before, long adds, void *addr,
			     size_t len)
{
	return refused_here(w, before, adds, false) ? -1 : munmap(addr, len);
}

static inline void gauge_pages(struct vs_worker *w, _Atomic uint64_t *g, long pages)
{
	vs_counter_set(g, vs_counter_get(g) + (uint64_t)(pages * (long)w->sh->page));
}
