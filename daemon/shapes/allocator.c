/* allocator.c: reserve, commit, decommit, release, as jemalloc, mimalloc and Go do. */
#include <errno.h>
#include <sys/mman.h>
#include "vmastress/shapes/shape.h"
#include "vmastress/calls/mapops.h"

/*
 * An allocator reserves address space PROT_NONE (1 VMA), commits chunks of it
 * read-write with mprotect (a chunk inside the reservation: 1 VMA becomes 3),
 * and decommits them back (mprotect PROT_NONE, with MADV_DONTNEED to return
 * the memory), which merges them again. At the limit the commit's split is
 * refused (mprotect ENOMEM: the allocation fails), and so is a decommit that
 * must split a committed run (memory that cannot be returned). The first and
 * last page of a reservation stay PROT_NONE, so two reservations never touch
 * with the same protection and never merge.
 */
enum { CALL_DECOMMIT = VS_OP_COUNT }; /* the extra call: an mprotect of its own kind */

#define ALLOCATOR_KEYS(X)                                                                          \
	X(allocator, chunk_pages, UINT, 1, VS_PAGES_MAX, 2, 0, NULL,                               \
	  "allocator shape: pages a commit or decommit covers")                                    \
	X(allocator, dontneed, UINT, 0, 1, 1, 0, NULL,                                             \
	  "allocator shape: 1 = decommit also gives the pages back (MADV_DONTNEED)")
VS_SHAPE_KEYS_DECLARE(allocator, ALLOCATOR_KEYS);

static int reserve(struct vs_worker *w, bool building)
{
	const struct vs_config *cfg = w->sh->cfg;
	unsigned pages = building ? cfg->mapping_max_pages
				  : (unsigned)vs_rng_range(&w->rng, cfg->mapping_min_pages,
							   cfg->mapping_max_pages);
	/* A reservation: all PROT_NONE, placed as a separator is. */
	const struct vs_mapping reservation = {.prot = PROT_NONE,
					       .flags = VS_MAP_ANON,
					       .fd = -1,
					       .state = VS_PAGE_SEP,
					       .avoid = VS_NOT_NEXT_TO_SEP};
	return vs_mapops_map(w, pages, 0, &reservation);
}

/* The build, with the allocator's cheapest VMA-adding call: commit every other
 * chunk of the newest (largest) reservation, 2 VMAs each; a new reservation
 * when it has none left. */
static int build(struct vs_worker *w)
{
	size_t chunk = VS_SHAPE_KEYS(w->sh->cfg, allocator)->chunk_pages, off;
	size_t i = w->table.nlive - 1;
	const struct vs_region *r = w->table.nlive ? vs_region_live(&w->table, i) : NULL;

	if (!r || r->data_pages < chunk + 2 ||
	    vs_mapops_build_next(w, 1, 2 * chunk, r->data_pages - chunk, &off) < 0)
		return reserve(w, true);
	return vs_mapops_protect(w, i, off, chunk, VS_PAGE_RW);
}

static int commit_or_decommit(struct vs_worker *w, size_t i, bool building)
{
	const struct vs_keys_allocator *k = VS_SHAPE_KEYS(w->sh->cfg, allocator);
	struct vs_region *r = vs_region_live(&w->table, i);
	size_t chunk = k->chunk_pages;

	if (building)
		return build(w);
	if (r->data_pages < chunk + 2)
		return -ENOENT;
	size_t c = vs_rng_range(&w->rng, 0, (r->data_pages - 2) / chunk - 1);
	size_t off = 1 + c * chunk;
	if (vs_arena_state(&w->arena, r->first + off) != VS_PAGE_RW)
		return vs_mapops_protect(w, i, off, chunk, VS_PAGE_RW); /* commit */
	w->call = CALL_DECOMMIT;
	int e = vs_mapops_protect(w, i, off, chunk, VS_PAGE_SEP);
	w->call = -1;
	if (e == 0 && k->dontneed)
		madvise((void *)vs_arena_addr(&w->arena, r->first + off), chunk * w->sh->page,
			MADV_DONTNEED);
	return e;
}

static int map(struct vs_worker *w)
{
	return atomic_load_explicit(&w->sh->building, memory_order_relaxed) ? build(w)
									    : reserve(w, false);
}

const struct vs_shape vs_shape_allocator = {
    .name = "allocator",
    .models = "jemalloc, mimalloc, Go and ZGC heaps: reserve, commit, decommit, release",
    .signature = "a reservation is 1 VMA and every committed chunk inside it 2 more; at the "
		 "limit the commit's mprotect fails with ENOMEM (the allocation fails), and a "
		 "decommit that must split fails too (memory not returned)",
    /* 8 to 32 pages a reservation, 2-page chunks: many splits per region. */
    VS_PRESETS(VS_SET(mapping_min_pages, 8), VS_SET(mapping_max_pages, 32),
	       VS_SET(mapping_separator_pages, 0), VS_SET(ops_mmap, 12), VS_SET(ops_mprotect, 84),
	       VS_SET(ops_munmap, 4), VS_SET(ops_punch, 0), VS_SET(pressure_target_fill, 0.9)),
    .call = {"reserve", "commit", "release", "decommit"},
    .map = map,
    .protect = commit_or_decommit,
    VS_SHAPE_KEY_ROWS(allocator),
    /* Anonymous mappings in the main: what most processes near the limit are. */
    .look = {.otherwise = true},
};
