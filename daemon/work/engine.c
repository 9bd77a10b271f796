/* engine.c: the worker pool: start, stop, park for verification, limit, snapshot. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "vmastress/model/memcg.h"
#include "vmastress/shapes/shape.h"
#include "vmastress/work/engine.h"
#include "vmastress/log/log.h"
#include "vmastress/model/vma.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/work/step.h"
#include "vmastress/work/worker.h"
#include "engine_private.h"

/* Room kept in the memory cgroup for the daemon's own growth (bookkeeping pages
 * touched as the load spreads) and for what the kernel frees late (VMAs and
 * maple tree nodes go through RCU, so a fast teardown briefly holds more):
 * a quarter of the limit, at least this. */
#define MEMCG_MARGIN_MIN (32ULL << 20)

static long config_cap(const struct vs_config *cfg, long limit, long ballast)
{
	/* A demand is absolute: hold that many, whatever the limit; past the
	 * limit the kernel refuses, and that is the verdict. */
	if (cfg->pressure_demand)
		return (long)cfg->pressure_demand + ballast;
	/* fill 1.0 with no reserve hands the limit to the kernel: nothing is held
	 * back, and the kernel's refusals are what gets measured (fragment). */
	if (cfg->pressure_target_fill >= 1.0 && cfg->pressure_reserve == 0)
		return LONG_MAX;
	long cap = (long)floor(cfg->pressure_target_fill * (double)limit);
	if (cap > limit - (long)cfg->pressure_reserve)
		cap = limit - (long)cfg->pressure_reserve;
#ifdef VS_SANITIZER
	/* Test builds only: the sanitizer runtime maps VMAs of its own for every
	 * mapping we make (TSan's shadow), so leave it three quarters of the limit,
	 * unless the limit is emulated in the process far below the real one. */
	if (!vs_vma_test_limit() && cap > limit / 4)
		cap = limit / 4;
#endif
	return cap > 0 ? cap : 0;
}

/* The config's cap, never above what the memory cgroup can hold: the VMAs'
 * kernel memory is charged to it, and past its limit the OOM killer ends
 * the run with no report (under systemd: a restart loop). */
static long compute_cap(const struct vs_engine *e)
{
	long cap = config_cap(&e->cfg, atomic_load(&e->sh.limit), e->sh.ballast);

	return cap < e->mem_cap ? cap : e->mem_cap;
}

/* VMAs the memory cgroup has room for, counting from `count` now (LONG_MAX:
 * no limit): its limit less what it uses, less a margin for our own growth. */
static long memcg_cap(struct vs_engine *e, long count)
{
	uint64_t limit, usage, margin;

	if (vs_memcg_read(&limit, &usage) < 0 || limit == UINT64_MAX)
		return LONG_MAX;
	e->mem_limit = limit;
	margin = limit / 4 > MEMCG_MARGIN_MIN ? limit / 4 : MEMCG_MARGIN_MIN;
	if (limit <= usage + margin)
		return count;
	return count + (long)((limit - usage - margin) / VS_MEMCG_BYTES_PER_VMA);
}

static int add_worker(struct vs_engine *e)
{
	struct vs_worker *w = aligned_alloc(64, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	r = vs_worker_init(w, e->nalloc, &e->sh, e->cfg.seed, e->regions, e->max_ops);
	if (r < 0) {
		free(w);
		return r;
	}
	e->w[e->nalloc++] = w;
	return 0;
}

/*
 * Bookkeeping for as many regions as the run can hold VMAs, allocated at start (at
 * the limit an allocation is exactly what fails): the limit, or the emulated one, or
 * the demand, or what the memory cgroup has room for, whichever is least (all fixed
 * for the run). Not vm.max_map_count alone: 2147483642 would size it for a run that a
 * cgroup stops at 800 k. Each worker's share, twice over: workers do not build at one
 * pace, and a shape of 1 VMA a region (madvise-guarded stacks, merging shapes) needs
 * as many regions as VMAs. Untouched slots cost no memory (calloc).
 */
static size_t regions_for(struct vs_engine *e, const struct vs_config *cfg, long limit)
{
	long hold = cfg->pressure_emulate_limit ? (long)cfg->pressure_emulate_limit : limit;
	if (cfg->pressure_demand && (long)cfg->pressure_demand < hold)
		hold = (long)cfg->pressure_demand;
	long room = memcg_cap(e, 0);
	if (room < hold)
		hold = room;
	size_t regions = hold < 4096 ? 4096 : (size_t)hold;
	if (regions > VS_REGIONS_MAX)
		regions = VS_REGIONS_MAX;
	regions = (e->n > 1 ? 2 * regions / e->n : regions) + 64;
	return regions > VS_REGIONS_MAX ? VS_REGIONS_MAX : regions;
}

int vs_engine_new(struct vs_engine **out, const struct vs_config *cfg, uint64_t max_ops)
{
	struct vs_engine *e = calloc(1, sizeof(*e));
	long limit, count;
	int r;

	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	e->n = cfg->workers;
	while (e->cfg.seed == 0)
		if (getrandom(&e->cfg.seed, sizeof(e->cfg.seed), 0) < 0)
			e->cfg.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	r = vs_vma_read_limit(NULL, &limit);
	if (r < 0) {
		free(e);
		return vs_log_errno(LOG_ERR, r, "cannot read %s", VS_SYSCTL_MAX_MAP_COUNT);
	}
	pthread_mutex_init(&e->sh.lock, NULL);
	pthread_cond_init(&e->sh.cond, NULL);
	e->sh.cfg = &e->cfg;
	e->sh.page = (size_t)sysconf(_SC_PAGESIZE);
	e->sh.workers = e->n;
	atomic_store(&e->sh.limit, limit);
	e->limit_max = limit;
	e->sh.test_limit = vs_vma_test_limit();
	if (e->sh.test_limit)
		vs_log(
		    LOG_NOTICE,
		    "test build: the limit is emulated at %ld VMAs (VMASTRESS_TEST_MAX_MAP_COUNT)",
		    e->sh.test_limit);
	e->sh.shape = vs_shape_find(cfg->shape);
	if (cfg->pressure_emulate_limit) {
		long want = limit - (long)cfg->pressure_emulate_limit, got;
		r = vs_ballast_create(&e->ballast, want, e->sh.page);
		if (r < 0) {
			vs_engine_free(e);
			return vs_log_errno(LOG_ERR, r, "cannot make %ld ballast VMAs", want);
		}
		if (vs_ballast_count(&e->ballast, &got) == 0 && got != want)
			vs_log(LOG_WARNING, "ballast: %ld VMAs made, the kernel lists %ld", want,
			       got);
		e->sh.ballast = want;
	}
	/* A run builds first, with the cheapest calls that add VMAs, until the
	 * demand, the cap or the kernel's limit stops it; then it churns. A shape
	 * of short-lived mappings churns from the start, unless a demand is set. */
	e->sh.demand_target =
	    cfg->pressure_demand ? (long)cfg->pressure_demand + e->sh.ballast : LONG_MAX;
	atomic_store(&e->sh.building, cfg->pressure_demand || !e->sh.shape->no_build);
	atomic_store(&e->sh.cap, config_cap(cfg, limit, e->sh.ballast));
	size_t regions = regions_for(e, cfg, limit);
	e->regions = regions;
	e->max_ops = max_ops;
	for (unsigned i = 0; i < e->n; i++) {
		r = add_worker(e);
		if (r < 0) {
			vs_engine_free(e);
			return vs_log_errno(LOG_ERR, r, "cannot set up worker %u", i);
		}
	}
	r = vs_vma_count_self(&count);
	if (r < 0) {
		vs_engine_free(e);
		return vs_log_errno(LOG_ERR, r, "cannot read /proc/self/maps");
	}
	e->proc_last = count;
	e->proc_ns = vs_now_ns();
	atomic_store(&e->sh.claimed, count);
	atomic_store(&e->sh.map_count, count);
	atomic_store(&e->sh.peak, count);
	e->mem_cap = memcg_cap(e, count);
	atomic_store(&e->sh.cap, compute_cap(e));
	if (e->mem_cap != LONG_MAX)
		vs_log(LOG_INFO, "memory cgroup limit %llu MiB: room for %ld VMAs in all",
		       (unsigned long long)(e->mem_limit >> 20), e->mem_cap);
	*out = e;
	return 0;
}

void vs_engine_free(struct vs_engine *e)
{
	if (!e)
		return;
	if (e->started)
		vs_engine_stop(e);
	for (unsigned i = 0; i < e->nalloc; i++) {
		vs_worker_destroy(e->w[i]);
		free(e->w[i]);
	}
	vs_ballast_destroy(&e->ballast);
	pthread_cond_destroy(&e->sh.cond);
	pthread_mutex_destroy(&e->sh.lock);
	free(e);
}

static unsigned running(struct vs_engine *e)
{
	unsigned n = 0;

	for (unsigned i = 0; i < e->nalloc; i++)
		n += e->w[i]->started;
	return n;
}

/* Park every running worker between two calls; false if one did not come. */
static bool park_all(struct vs_engine *e)
{
	struct timespec until;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += VS_PARK_TIMEOUT_S;
	pthread_mutex_lock(&e->sh.lock);
	atomic_store(&e->sh.pause, 1);
	while (e->sh.parked < running(e) && ok)
		ok = pthread_cond_timedwait(&e->sh.cond, &e->sh.lock, &until) == 0;
	ok = e->sh.parked >= running(e);
	pthread_mutex_unlock(&e->sh.lock);
	return ok;
}

static void unpark_all(struct vs_engine *e)
{
	pthread_mutex_lock(&e->sh.lock);
	atomic_store(&e->sh.pause, 0);
	pthread_cond_broadcast(&e->sh.cond);
	pthread_mutex_unlock(&e->sh.lock);
}

static int start_worker(struct vs_engine *e, unsigned i)
{
	pthread_attr_t attr;
	int r;

	pthread_attr_init(&attr);
	/* Workers need little stack; keep the daemon's own footprint small. */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	atomic_store(&e->w[i]->quit, 0);
	atomic_store(&e->w[i]->finished, 0);
	r = -pthread_create(&e->w[i]->thread, &attr, vs_worker_main, e->w[i]);
	pthread_attr_destroy(&attr);
	if (r < 0)
		return vs_log_errno(LOG_ERR, r, "cannot start worker %u", i);
	e->w[i]->started = true;
	return 0;
}

static void join_worker(struct vs_engine *e, unsigned i)
{
	if (e->w[i]->started)
		pthread_join(e->w[i]->thread, NULL);
	e->w[i]->started = false;
}

/* With every worker parked: thread stacks come and go, so count afresh. */
static void rebase(struct vs_engine *e, bool reset_peak)
{
	long count;

	if (vs_vma_count_self(&count) < 0)
		return;
	e->proc_last = count;
	e->proc_ns = vs_now_ns();
	atomic_store(&e->sh.claimed, count);
	atomic_store(&e->sh.map_count, count);
	if (reset_peak)
		atomic_store(&e->sh.peak, count);
}

int vs_engine_start(struct vs_engine *e)
{
	struct timespec ts;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	e->start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	e->sh.start_ns = vs_now_ns();
	/* Workers start parked: their stacks are VMAs too, counted before any op. */
	atomic_store(&e->sh.pause, 1);
	for (unsigned i = 0; i < e->n && r == 0; i++)
		r = start_worker(e, i);
	e->started = true;
	if (r < 0) {
		vs_engine_stop(e);
		return r;
	}
	if (park_all(e))
		rebase(e, true);
	/* The kernel memory the load's VMAs will pin is counted from here. */
	e->kmem_base_vmas = atomic_load(&e->sh.map_count);
	if (vs_kmem_read(&e->kmem_base) < 0)
		e->kmem_base.bytes = UINT64_MAX; /* neither file: unknown */
	unpark_all(e);
	return 0;
}

void vs_engine_stop(struct vs_engine *e)
{
	pthread_mutex_lock(&e->sh.lock);
	atomic_store(&e->sh.stop, 1);
	pthread_cond_broadcast(&e->sh.cond);
	pthread_mutex_unlock(&e->sh.lock);
	for (unsigned i = 0; i < e->nalloc; i++)
		join_worker(e, i);
	e->started = false;
}

void vs_engine_teardown(struct vs_engine *e)
{
	for (unsigned i = 0; i < e->nalloc; i++)
		vs_worker_teardown(e->w[i]);
	/* A worker's unmaps free VMAs another worker's leaks may need. */
	for (unsigned i = 0; i < e->nalloc; i++)
		vs_step_retry_leaks(e->w[i]);
}

int vs_engine_reconfigure(struct vs_engine *e, const struct vs_config *cfg)
{
	unsigned want = cfg->workers;
	int r = 0;

	if (!park_all(e)) {
		unpark_all(e);
		return -ETIMEDOUT;
	}
	/* The running streams keep their seed (config.c freezes it on reload). */
	uint64_t seed = e->cfg.seed;
	e->cfg = *cfg;
	e->cfg.seed = seed;
	const struct vs_shape *before = e->sh.shape;
	e->sh.shape = vs_shape_find(e->cfg.shape);
	/* Another shape's step would read the old one's regions as its own (a
	 * stack as a reservation, anonymous pages as a file's): start over. */
	if (e->sh.shape != before) /* the workers that stay; the others below */
		for (unsigned i = 0; i < e->n && i < want; i++)
			vs_worker_start_over(e->w[i], before);
	atomic_store(&e->sh.cap, compute_cap(e));
	/* Fewer workers: stop the last ones and unmap what they hold (their arenas
	 * one reservation again, for a restart); their counters and any leak stay
	 * in the totals. */
	pthread_mutex_lock(&e->sh.lock);
	for (unsigned i = want; i < e->n; i++)
		atomic_store(&e->w[i]->quit, 1);
	pthread_cond_broadcast(&e->sh.cond);
	pthread_mutex_unlock(&e->sh.lock);
	for (unsigned i = want; i < e->n; i++) {
		join_worker(e, i);
		vs_worker_start_over(e->w[i], before);
	}
	/* More workers: restart stopped ones, then set up new ones (they park). */
	for (unsigned i = e->n; i < want && r == 0; i++) {
		if (i >= e->nalloc)
			r = add_worker(e);
		if (r == 0)
			r = start_worker(e, i);
	}
	unsigned started = 0;
	while (started < e->nalloc && e->w[started]->started)
		started++;
	e->n = started;
	e->sh.workers = e->n;
	if (park_all(e))
		rebase(e, false);
	unpark_all(e);
	return r;
}

int vs_engine_verify(struct vs_engine *e, struct vs_verify *v)
{
	long proc;
	int r;

	if (!park_all(e)) {
		unpark_all(e);
		return -ETIMEDOUT;
	}
	r = vs_vma_count_self(&proc);
	if (r == 0) {
		v->proc = proc;
		v->predicted = atomic_load(&e->sh.map_count);
		v->drift = proc - v->predicted;
		/* Rebase on the kernel's truth: our own allocations (and anything the
		 * model missed) show up once as drift, not forever. */
		atomic_store(&e->sh.claimed, proc);
		atomic_store(&e->sh.map_count, proc);
		e->proc_last = proc;
		e->proc_ns = vs_now_ns();
		e->verifications++;
		e->drift_last = v->drift;
		if (v->drift) {
			e->drift_events++;
			if (labs(v->drift) > labs(e->drift_max))
				e->drift_max = v->drift;
		}
	}
	unpark_all(e);
	return r;
}

int vs_engine_refresh_limit(struct vs_engine *e, long *old_limit, long *new_limit)
{
	long limit;
	int r = vs_vma_read_limit(NULL, &limit);

	if (r < 0)
		return r;
	*old_limit = atomic_load(&e->sh.limit);
	*new_limit = limit;
	if (limit == *old_limit)
		return 0;
	atomic_store(&e->sh.limit, limit);
	atomic_store(&e->sh.cap, compute_cap(e));
	if (limit > e->limit_max)
		e->limit_max = limit;
	e->limit_changes++;
	return 1;
}

const struct vs_config *vs_engine_config(const struct vs_engine *e)
{
	return &e->cfg;
}
