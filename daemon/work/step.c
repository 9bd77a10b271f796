/* step.c: one step of a worker: what to do next (seeded), the build, the churn;
 * the calls themselves are mapops.c's. */
#include <errno.h>
#include "vmastress/shapes/shape.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/work/step.h"

/* Holes of at most this many pages: each one splits a VMA, where a long one
 * would mostly swallow the holes already there. */
#define PUNCH_MAX_PAGES 2

enum vs_step vs_step_choose(struct vs_rng *rng, const struct vs_config *cfg, size_t nlive,
			      bool building)
{
	/* While a demand is built, only calls that add VMAs. */
	unsigned munmap_weight = building ? 0 : cfg->ops_munmap;
	uint64_t total =
	    (uint64_t)cfg->ops_mmap + cfg->ops_mprotect + munmap_weight + cfg->ops_punch;
	uint64_t x;

	if (nlive == 0 || total == 0)
		return VS_STEP_MAP;
	x = vs_rng_range(rng, 0, total - 1);
	if (x < cfg->ops_mmap)
		return VS_STEP_MAP;
	x -= cfg->ops_mmap;
	if (x < cfg->ops_mprotect)
		return VS_STEP_PROTECT;
	x -= cfg->ops_mprotect;
	if (x < munmap_weight)
		return VS_STEP_UNMAP;
	return VS_STEP_PUNCH;
}

static int step_protect(struct vs_worker *w, size_t i)
{
	struct vs_region *r = vs_region_live(&w->table, i);
	size_t off = vs_rng_range(&w->rng, 0, r->data_pages - 1);
	size_t want = vs_rng_range(&w->rng, 1, r->data_pages - off);
	size_t first = r->first + r->separator_pages + off, len = 0;
	/* The opposite of what the first page has: a re-protection that changes
	 * nothing would be a call that tests nothing. */
	bool readonly = vs_arena_state(&w->arena, first) != VS_PAGE_RO;

	/* mprotect over a hole fails with ENOMEM ("not mapped"), which would read
	 * as a limit failure: stay inside the mapped run that starts at off. */
	while (len < want && vs_arena_state(&w->arena, first + len) != VS_PAGE_FREE)
		len++;
	if (len == 0)
		return -ENOENT;
	return vs_mapops_protect(w, i, off, len, readonly ? VS_PAGE_RO : VS_PAGE_RW);
}

static int step_punch(struct vs_worker *w, size_t i)
{
	struct vs_region *r = vs_region_live(&w->table, i);

	/* Strictly inside the data: the region's first and last data pages stay,
	 * so a separator always has data right above it. */
	if (r->data_pages < 3)
		return -ENOENT;
	size_t off = vs_rng_range(&w->rng, 1, r->data_pages - 2);
	size_t room = r->data_pages - 1 - off;
	size_t len = vs_rng_range(&w->rng, 1, room < PUNCH_MAX_PAGES ? room : PUNCH_MAX_PAGES);
	return vs_mapops_punch(w, i, off, len);
}

/*
 * The build: the fastest way to VMAs is one read-write mapping with pages
 * re-protected inside it (each mprotect splits off 2). So: map the largest
 * region, flip every BUILD_STRIDE-th page, one call each, then the next
 * region. Every other page would do, but then no hole a churn punches later
 * splits anything; runs of 3 leave the churn something to split at the limit.
 * Nothing is unmapped while building, so region indexes stay put.
 */
#define BUILD_STRIDE 4
static int build_step(struct vs_worker *w, enum vs_step *s)
{
	const struct vs_config *cfg = w->sh->cfg;
	struct vs_region *r;

	if (w->build_page == 0 || w->build_region >= w->table.nlive) {
		/* Large regions, seeded sizes and phases: another seed, another build. */
		unsigned lo = cfg->mapping_max_pages / 2 > cfg->mapping_min_pages
				  ? cfg->mapping_max_pages / 2
				  : cfg->mapping_min_pages;
		*s = VS_STEP_MAP;
		int e = vs_mapops_create(
		    w, (unsigned)vs_rng_range(&w->rng, lo, cfg->mapping_max_pages));
		w->build_region = w->table.nlive - 1;
		w->build_page = e == 0 ? 1 + vs_rng_range(&w->rng, 0, BUILD_STRIDE - 2) : 0;
		return e;
	}
	r = vs_region_live(&w->table, w->build_region);
	if (w->build_page + 1 >= r->data_pages) { /* keep the last page: its neighbour */
		w->build_page = 0;
		return build_step(w, s);
	}
	*s = VS_STEP_PROTECT;
	size_t off = w->build_page;
	w->build_page += BUILD_STRIDE;
	unsigned now = vs_arena_state(&w->arena, r->first + r->separator_pages + off);
	return vs_mapops_protect(w, w->build_region, off, 1,
				 now == VS_PAGE_RO ? VS_PAGE_RW : VS_PAGE_RO);
}

static int step_map(struct vs_worker *w)
{
	const struct vs_config *cfg = w->sh->cfg;

	return vs_mapops_create(
	    w, (unsigned)vs_rng_range(&w->rng, cfg->mapping_min_pages, cfg->mapping_max_pages));
}

enum vs_step vs_step(struct vs_worker *w)
{
	const struct vs_shape *shape = w->sh->shape;
	size_t nlive = w->table.nlive;
	bool building = atomic_load_explicit(&w->sh->building, memory_order_relaxed);
	enum vs_step s = vs_step_choose(&w->rng, w->sh->cfg, nlive, building);
	size_t i = nlive ? vs_rng_range(&w->rng, 0, nlive - 1) : 0;
	int r = 0;

	/* Shapes with calls of their own build with them (they add VMAs already),
	 * and so do shapes that never re-protect. */
	if (building && !(shape && (shape->map || shape->protect)) && w->sh->cfg->ops_mprotect)
		r = build_step(w, &s);
	else
		switch (s) {
		case VS_STEP_MAP:
			r = shape && shape->map ? shape->map(w) : step_map(w);
			/* Held at the cap, or out of room: churn by unmapping instead
			 * (not while a demand is built: that would undo it). */
			if ((r == -EDQUOT || r == -ENOSPC) && nlive && !building) {
				s = VS_STEP_UNMAP;
				r = vs_mapops_unmap(w, i, true);
			}
			break;
		case VS_STEP_PROTECT:
			r = shape && shape->protect ? shape->protect(w, i, building)
						    : step_protect(w, i);
			break;
		case VS_STEP_UNMAP:
			r = vs_mapops_unmap(w, i, true);
			break;
		case VS_STEP_PUNCH:
			r = step_punch(w, i);
			break;
		case VS_STEP_IDLE:
			break;
		}
	if (r == -ENOSPC && building) /* out of room: the build is over */
		atomic_store_explicit(&w->sh->building, 0, memory_order_relaxed);
	if (r == -EDQUOT || r == -ENOENT || r == -ENOSPC) {
		vs_counter_add(&w->ctr.held_or_idle, 1);
		return VS_STEP_IDLE;
	}
	return s;
}

void vs_step_retry_leaks(struct vs_worker *w)
{
	for (size_t k = 0; k < w->table.nleaked;)
		if (vs_mapops_unmap_leaked(w, k) < 0)
			k++; /* on success the last leaked region moved into slot k */
}
