/* worker.c: one worker's seeded operation loop, parking, leak retries, teardown. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vmastress/worker.h"

#define VS_PUNCH_MAX 2 /* pages */

uint64_t vs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int vs_worker_init(struct vs_worker *w, unsigned index, struct vs_shared *sh,
		   const struct vs_params *p, uint64_t seed, size_t regions, uint64_t max_ops)
{
	/* Room for the table's worth of average regions, twice over for holes. */
	size_t avg = ((size_t)p->min_pages + p->max_pages) / 2 + p->sep_pages;
	size_t pages = regions * avg * 2 + (size_t)p->max_pages + p->sep_pages + 2;
	int r;

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->sh = sh;
	w->p = *p;
	w->max_ops = max_ops;
	vs_rng_seed(&w->rng, seed, index);
	w->probe.fd = -1;
	r = vs_region_table_init(&w->table, regions);
	if (r < 0)
		return r;
	/* Big enough for any later max_pages: reloads may change sizes. */
	w->scratch = malloc(VS_PAGES_MAX_SCRATCH);
	if (!w->scratch) {
		vs_region_table_free(&w->table);
		return -ENOMEM;
	}
	r = vs_arena_init(&w->arena, pages, sh->page, true);
	if (r < 0) {
		free(w->scratch);
		vs_region_table_free(&w->table);
		return r;
	}
	vs_vma_probe_open(&w->probe);
	return 0;
}

void vs_worker_destroy(struct vs_worker *w)
{
	vs_arena_destroy(&w->arena);
	vs_vma_probe_close(&w->probe);
	vs_region_table_free(&w->table);
	free(w->scratch);
	w->scratch = NULL;
}

enum vs_step vs_worker_choose(struct vs_rng *rng, const struct vs_params *p, size_t nlive)
{
	uint64_t total = (uint64_t)p->w_mmap + p->w_mprotect + p->w_munmap + p->w_punch;
	uint64_t x;

	if (nlive == 0 || total == 0)
		return VS_STEP_MAP;
	x = vs_rng_range(rng, 0, total - 1);
	if (x < p->w_mmap)
		return VS_STEP_MAP;
	x -= p->w_mmap;
	if (x < p->w_mprotect)
		return VS_STEP_PROTECT;
	x -= p->w_mprotect;
	if (x < p->w_munmap)
		return VS_STEP_UNMAP;
	return VS_STEP_PUNCH;
}

static int step_protect(struct vs_worker *w, size_t i)
{
	struct vs_region *r = vs_region_live(&w->table, i);
	size_t off = vs_rng_range(&w->rng, 0, r->data_pages - 1);
	size_t want = vs_rng_range(&w->rng, 1, r->data_pages - off);
	size_t first = r->first + r->sep_pages + off, len = 0;
	/* The opposite of what the first page has: a re-protection that changes
	 * nothing would be a call that tests nothing. */
	bool readonly = vs_arena_state(&w->arena, first) != VS_PAGE_RO;

	/* mprotect over a hole fails with ENOMEM ("not mapped"), which would read
	 * as a limit failure: stay inside the mapped run that starts at off. */
	while (len < want &&
	       vs_arena_state(&w->arena, first + len) != VS_PAGE_FREE)
		len++;
	if (len == 0)
		return -ENOENT;
	return vs_mapops_protect(w, i, off, len, readonly);
}

static int step_punch(struct vs_worker *w, size_t i)
{
	struct vs_region *r = vs_region_live(&w->table, i);

	/* Strictly inside the data: the region's first and last data pages stay,
	 * so a separator always has data right above it. */
	if (r->data_pages < 3)
		return -ENOENT;
	size_t off = vs_rng_range(&w->rng, 1, r->data_pages - 2);
	/* Short holes: each one splits a VMA, where a long one would mostly
	 * swallow the holes already there. */
	size_t room = r->data_pages - 1 - off;
	size_t len = vs_rng_range(&w->rng, 1, room < VS_PUNCH_MAX ? room : VS_PUNCH_MAX);
	return vs_mapops_punch(w, i, off, len);
}

enum vs_step vs_worker_step(struct vs_worker *w)
{
	size_t nlive = w->table.nlive;
	enum vs_step s = vs_worker_choose(&w->rng, &w->p, nlive);
	size_t i = nlive ? vs_rng_range(&w->rng, 0, nlive - 1) : 0;
	int r = 0;

	switch (s) {
	case VS_STEP_MAP:
		r = vs_mapops_create(
		    w, (unsigned)vs_rng_range(&w->rng, w->p.min_pages, w->p.max_pages));
		/* Held at the cap, or out of room: churn by unmapping instead. */
		if ((r == -EDQUOT || r == -ENOSPC) && nlive) {
			s = VS_STEP_UNMAP;
			r = vs_mapops_unmap(w, i);
		}
		break;
	case VS_STEP_PROTECT:
		r = step_protect(w, i);
		break;
	case VS_STEP_UNMAP:
		r = vs_mapops_unmap(w, i);
		break;
	case VS_STEP_PUNCH:
		r = step_punch(w, i);
		break;
	case VS_STEP_IDLE:
		break;
	}
	if (r == -EDQUOT || r == -ENOENT || r == -ENOSPC) {
		vs_counter_add(&w->ctr.idle, 1);
		return VS_STEP_IDLE;
	}
	return s;
}

void vs_worker_retry_leaks(struct vs_worker *w)
{
	for (size_t k = 0; k < w->table.nleaked;)
		if (vs_mapops_retry_leak(w, k) < 0)
			k++; /* on success the last leaked region moved into slot k */
}

static void park(struct vs_worker *w, bool until_stop)
{
	struct vs_shared *sh = w->sh;

	pthread_mutex_lock(&sh->lock);
	sh->parked++;
	pthread_cond_broadcast(&sh->cond);
	while (!atomic_load(&sh->stop) && !atomic_load(&w->quit) &&
	       (until_stop || atomic_load(&sh->pause)))
		pthread_cond_wait(&sh->cond, &sh->lock);
	sh->parked--;
	pthread_mutex_unlock(&sh->lock);
}

void *vs_worker_main(void *arg)
{
	struct vs_worker *w = arg;
	struct vs_shared *sh = w->sh;
	uint64_t interval = (uint64_t)w->p.retry_interval_ms * 1000000ULL;

	w->next_retry_ns = vs_now_ns() + interval;
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed) &&
	       !atomic_load_explicit(&w->quit, memory_order_relaxed)) {
		if (atomic_load_explicit(&sh->pause, memory_order_relaxed))
			park(w, false);
		if (atomic_load_explicit(&w->hang, memory_order_relaxed)) {
			struct timespec ts = {0, 10000000};
			nanosleep(&ts, NULL);
			continue;
		}
		if (w->max_ops && w->ops_done >= w->max_ops) {
			atomic_store(&w->finished, 1);
			park(w, true);
			break;
		}
		vs_worker_step(w);
		w->ops_done++;
		vs_counter_add(&w->ctr.progress, 1);
		if ((w->ops_done & 63) == 0 && w->table.nleaked) {
			uint64_t now = vs_now_ns();
			if (now >= w->next_retry_ns) {
				vs_worker_retry_leaks(w);
				w->next_retry_ns = now + interval;
			}
		}
	}
	atomic_store(&w->finished, 1);
	return NULL;
}

void vs_worker_teardown(struct vs_worker *w)
{
	size_t before;

	while (w->table.nlive)
		vs_mapops_unmap(w, w->table.nlive - 1);
	/* Every unmap lowers the count, so leaks left by the limit come free. */
	do {
		before = w->table.nleaked;
		vs_worker_retry_leaks(w);
	} while (w->table.nleaked && w->table.nleaked < before);
}
