/* mapops.c: the calls themselves (mmap, mprotect, munmap), each with its VMA prediction;
 * what is recorded around each call is in accounting.h. */
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include "vmastress/log/errnames.h"
#include "vmastress/model/vma.h"
#include "vmastress/calls/mapops.h"
#include "accounting.h"

void (*vs_mapops_test_after_mmap)(struct vs_worker *w, uintptr_t addr, size_t len);

/* mapping.touch_pages of the data: written, or read where it is read-only. */
static void touch(struct vs_worker *w, uintptr_t addr, unsigned data_pages, bool writable)
{
	unsigned touch = w->sh->cfg->mapping_touch_pages;
	unsigned n = touch < data_pages ? touch : data_pages;

	for (unsigned i = 0; i < n; i++) {
		volatile char *p = (volatile char *)(addr + (size_t)i * w->sh->page);
		if (writable)
			*p = 1;
		else
			(void)*p;
	}
	vs_counter_add(&w->ctr.touched_pages, n);
}

/*
 * The model is applied before each call, optimistically: what it returns is
 * the VMA delta the pressure check reserves, and on success it is already the
 * kernel's layout. The window it may change was saved first (w->scratch), so
 * a refused or failed call puts it back.
 */
static long apply_create(struct vs_arena *a, size_t f, unsigned pages, unsigned separator_pages)
{
	if (!separator_pages)
		return vs_arena_map(a, f, pages, VS_PAGE_RW);
	return vs_arena_map(a, f, pages + separator_pages, VS_PAGE_SEP) +
	       vs_arena_protect(a, f + separator_pages, pages, VS_PAGE_RW);
}

enum change { CHANGE_MAP, CHANGE_OPEN, CHANGE_PROTECT, CHANGE_UNMAP };

/*
 * Every call's prologue: the model's window [f, f + n) saved, the call's change
 * applied to the model (`arg`: the pages' state, or CHANGE_OPEN's separator
 * pages), its VMAs claimed below the cap, or past it when not `capped`
 * (teardown and leak retries must unmap). Held at the cap, the model is put
 * back and the call is not made: false. Inlined: `c` is a constant at each
 * call, so each keeps only its own case.
 */
static inline __attribute__((always_inline)) bool
predict(struct vs_worker *w, size_t f, size_t n, enum change c, unsigned arg, bool capped,
	long *saved, long *d)
{
	struct vs_arena *a = &w->arena;

	vs_arena_save(a, f, n, w->scratch, saved);
	switch (c) {
	case CHANGE_MAP:
		*d = vs_arena_map(a, f, n, arg);
		break;
	case CHANGE_OPEN:
		*d = apply_create(a, f, (unsigned)n - arg, arg);
		break;
	case CHANGE_PROTECT:
		*d = vs_arena_protect(a, f, n, arg);
		break;
	case CHANGE_UNMAP:
		*d = vs_arena_unmap(a, f, n);
		break;
	}
	if (!capped) {
		claim(w, *d);
		return true;
	}
	if (claim_below_cap(w, *d))
		return true;
	vs_arena_restore(a, f, n, w->scratch, *saved);
	return false;
}

/*
 * Separator mode, layout [separator][data]: the region is mapped PROT_NONE
 * first, then its data pages are opened RW. The fresh PROT_NONE mapping has a
 * separator's flags, so placement keeps it off every separator
 * (vs_arena_place): below it is data, free space or the reservation, above it
 * free space or the reservation. Neither the fresh mapping nor the opened data
 * can merge with anything, not even for the instant between the two calls.
 */
static int open_region(struct vs_worker *w, size_t f, unsigned pages, unsigned separator_pages,
		       long saved, long *actual)
{
	struct vs_arena *a = &w->arena;
	uintptr_t addr = vs_arena_addr(a, f);
	size_t page = w->sh->page;

	vs_counter_add(&w->ctr.ops[VS_OP_MPROTECT], 1);
	uint64_t t = clock_start(w);
	/* The opening splits the fresh mapping in two: one VMA, after the mmap's. */
	int rc = sys_mprotect(w, w->sent_count + *actual - 1, 1,
			      (void *)(addr + separator_pages * page), pages * page,
			      PROT_READ | PROT_WRITE);
	int e = errno;
	clock_stop(w, VS_LAT_MPROTECT, t);
	if (rc < 0) {
		failure(w, VS_OP_MPROTECT, e, addr + separator_pages * page, pages * page,
			VS_EVENT_FAILURE);
		/* The model back to the mmap alone: the fresh mapping is one VMA,
		 * and unmapping all of it splits nothing. */
		vs_arena_restore(a, f, pages + separator_pages, w->scratch, saved);
		*actual = vs_arena_map(a, f, pages + separator_pages, VS_PAGE_SEP);
		vs_counter_add(&w->ctr.ops[VS_OP_MUNMAP], 1);
		t = clock_start(w);
		rc = munmap((void *)addr, (pages + separator_pages) * page);
		clock_stop(w, VS_LAT_MUNMAP, t);
		if (rc == 0)
			*actual += vs_arena_unmap(a, f, pages + separator_pages);
		else
			*actual += vs_arena_resync(a, &w->probe, f, pages + separator_pages);
		return -e;
	}
	return 0;
}


int vs_mapops_map(struct vs_worker *w, unsigned pages, unsigned separator_pages,
		  const struct vs_mapping *m)
{
	struct vs_arena *a = &w->arena;
	size_t n = (size_t)pages + separator_pages, page = w->sh->page, f;
	bool replace;
	long saved, d, actual;
	int r = 0;

	if (w->table.nlive + w->table.nleaked >= w->table.cap) {
		vs_counter_add(&w->ctr.table_full, 1);
		return -ENOSPC;
	}
	if (vs_arena_place(a, n, m->avoid, &f, &replace) < 0) {
		vs_counter_add(&w->ctr.table_full, 1);
		return -ENOSPC;
	}
	if (!predict(w, f, n, m->open ? CHANGE_OPEN : CHANGE_MAP,
		     m->open ? separator_pages : m->state, true, &saved, &d))
		return -EDQUOT;
	sequence(w, VS_STEP_MAP, f, pages);
	uintptr_t addr = vs_arena_addr(a, f);
	vs_counter_add(&w->ctr.ops[VS_OP_MMAP], 1);
	uint64_t t = clock_start(w);
	void *p = sys_mmap(w, w->sent_count, (void *)addr, n * page, m->prot,
			   m->flags | (replace ? MAP_FIXED : MAP_FIXED_NOREPLACE), m->fd, m->offset);
	int e = p == MAP_FAILED ? errno : EEXIST; /* NOREPLACE ignored: old kernel */
	clock_stop(w, VS_LAT_MMAP, t);
	if (p == MAP_FAILED || (uintptr_t)p != addr) {
		if (p != MAP_FAILED)
			munmap(p, n * page);
		vs_arena_restore(a, f, n, w->scratch, saved);
		settle(w, positive(d), 0);
		failure(w, VS_OP_MMAP, e, addr, n * page, VS_EVENT_FAILURE);
		return -e;
	}
	a->cursor = f + n;
	if (m->guard_marker && separator_pages &&
	    madvise((void *)addr, (size_t)separator_pages * page, MADV_GUARD_INSTALL) < 0) {
		/* Never at the limit (no VMA changes); a kernel without it is
		 * refused at start. The stack goes, counted as its guard's failure. */
		e = errno;
		vs_counter_add(&w->ctr.ops[VS_OP_MUNMAP], 1);
		long undo = munmap((void *)addr, n * page) == 0 ? vs_arena_unmap(a, f, n)
							      : vs_arena_resync(a, &w->probe, f, n);
		settle(w, positive(d), d + undo);
		failure(w, VS_OP_MPROTECT, e, addr, (size_t)separator_pages * page,
			VS_EVENT_FAILURE);
		return -e;
	}
	if (vs_mapops_test_after_mmap)
		vs_mapops_test_after_mmap(w, addr, n * page);
	actual = d;
	if (m->open)
		r = open_region(w, f, pages, separator_pages, saved, &actual);
	settle(w, positive(d), actual);
	if (r < 0)
		return r;
	struct vs_region *reg = vs_region_alloc(&w->table);
	vs_arena_own(a, f, n, true);
	reg->first = (uint32_t)f;
	reg->data_pages = pages;
	reg->separator_pages = (uint16_t)separator_pages;
	reg->leaked_pages = 0;
	vs_counter_add(&w->ctr.mappings, 1);
	gauge_pages(w, &w->ctr.mapped_bytes, (long)n);
	if (m->prot != PROT_NONE || m->open)
		touch(w, addr + (size_t)separator_pages * page, pages,
		      m->prot & PROT_WRITE || m->open);
	return 0;
}

int vs_mapops_create(struct vs_worker *w, unsigned pages)
{
	unsigned separator_pages = w->sh->cfg->mapping_separator_pages;
	struct vs_mapping m = {
	    .prot = PROT_READ | PROT_WRITE, .flags = VS_MAP_ANON, .fd = -1, .state = VS_PAGE_RW};

	if (separator_pages) /* a fresh PROT_NONE mapping has a separator's flags */
		m.prot = PROT_NONE, m.open = true, m.avoid = VS_NOT_NEXT_TO_SEP;
	return vs_mapops_map(w, pages, separator_pages, &m);
}

int vs_mapops_unreserve(struct vs_worker *w)
{
	long d;
	int r;

	if (w->arena.unreserved)
		return 0;
	r = vs_arena_unreserve(&w->arena, &d);
	if (r == -EBUSY) /* regions of another shape still live: not yet */
		return -ENOSPC;
	if (r < 0)
		return r;
	settle(w, 0, d);
	return 0;
}

void vs_mapops_rereserve(struct vs_worker *w)
{
	settle(w, 0, vs_arena_rereserve(&w->arena));
}

static int prot_of(unsigned state)
{
	if (state == VS_PAGE_RW || state == VS_PAGE_FILE_RW)
		return PROT_READ | PROT_WRITE;
	return state == VS_PAGE_RO || state == VS_PAGE_FILE_RO ? PROT_READ : PROT_NONE;
}

int vs_mapops_protect(struct vs_worker *w, size_t i, size_t off, size_t len, unsigned state)
{
	struct vs_region *reg = vs_region_live(&w->table, i);
	struct vs_arena *a = &w->arena;
	size_t f = reg->first + reg->separator_pages + off, page = w->sh->page;
	long saved, d;

	if (!predict(w, f, len, CHANGE_PROTECT, state, true, &saved, &d))
		return -EDQUOT;
	sequence(w, VS_STEP_PROTECT, f, len << 4 | state);
	uintptr_t addr = vs_arena_addr(a, f);
	vs_counter_add(&w->ctr.ops[VS_OP_MPROTECT], 1);
	uint64_t t = clock_start(w);
	int rc = sys_mprotect(w, w->sent_count, d, (void *)addr, len * page, prot_of(state));
	int e = errno;
	clock_stop(w, VS_LAT_MPROTECT, t);
	if (rc < 0) {
		/* mprotect splits VMA by VMA and stops at the first refusal: what it
		 * already did stays done, so read the range back from the kernel. */
		vs_arena_restore(a, f, len, w->scratch, saved);
		settle(w, positive(d), vs_arena_resync(a, &w->probe, f, len));
		failure(w, VS_OP_MPROTECT, e, addr, len * page, VS_EVENT_FAILURE);
		return -e;
	}
	settle(w, positive(d), d);
	return 0;
}

int vs_mapops_punch(struct vs_worker *w, size_t i, size_t off, size_t len)
{
	struct vs_region *reg = vs_region_live(&w->table, i);
	struct vs_arena *a = &w->arena;
	size_t f = reg->first + reg->separator_pages + off, page = w->sh->page;
	size_t mapped = vs_arena_mapped(a, f, len);
	long saved, d;

	if (!predict(w, f, len, CHANGE_UNMAP, 0, true, &saved, &d))
		return -EDQUOT;
	sequence(w, VS_STEP_PUNCH, f, len);
	uintptr_t addr = vs_arena_addr(a, f);
	vs_counter_add(&w->ctr.ops[VS_OP_MUNMAP], 1);
	vs_counter_add(&w->ctr.punches, 1);
	uint64_t t = clock_start(w);
	int rc = sys_munmap(w, w->sent_count, d, (void *)addr, len * page);
	int e = errno;
	clock_stop(w, VS_LAT_PUNCH, t);
	if (rc < 0) {
		/* munmap is all or nothing: the model goes back to what it was. */
		vs_arena_restore(a, f, len, w->scratch, saved);
		settle(w, positive(d), 0);
		failure(w, VS_OP_MUNMAP, e, addr, len * page, VS_EVENT_FAILURE);
		return -e;
	}
	settle(w, positive(d), d);
	gauge_pages(w, &w->ctr.mapped_bytes, -(long)mapped);
	return 0;
}

/* munmap of a region's whole span, which is all or nothing; the model and the
 * shared count follow a success. Returns 0 or -errno. */
static int unmap_span(struct vs_worker *w, const struct vs_region *reg, bool capped)
{
	struct vs_arena *a = &w->arena;
	size_t f = reg->first, n = vs_region_pages(reg);
	long saved, d;

	/* Unmapping a region merged with both neighbours splits their VMA: an
	 * unmap can add one, and under a cap it is claimed like any other. */
	if (!predict(w, f, n, CHANGE_UNMAP, 0, capped, &saved, &d))
		return -EDQUOT;
	vs_counter_add(&w->ctr.ops[VS_OP_MUNMAP], 1);
	uint64_t t = clock_start(w);
	int rc = sys_munmap(w, w->sent_count, d, (void *)vs_arena_addr(a, f), n * w->sh->page);
	int e = errno;
	clock_stop(w, VS_LAT_MUNMAP, t);
	if (rc < 0) {
		vs_arena_restore(a, f, n, w->scratch, saved);
		settle(w, positive(d), 0);
		return -e;
	}
	settle(w, positive(d), d);
	vs_arena_own(a, f, n, false);
	return 0;
}

int vs_mapops_unmap(struct vs_worker *w, size_t i, bool capped)
{
	struct vs_region *reg = vs_region_live(&w->table, i);
	size_t f = reg->first, n = vs_region_pages(reg), page = w->sh->page;
	size_t mapped = vs_arena_mapped(&w->arena, f, n);
	uintptr_t addr = vs_arena_addr(&w->arena, f);
	int r;

	sequence(w, VS_STEP_UNMAP, f, n);
	r = unmap_span(w, reg, capped);
	if (r == -EDQUOT)
		return r; /* held at the cap: the region stays, as it was */
	vs_counter_set(&w->ctr.mappings, vs_counter_get(&w->ctr.mappings) - 1);
	gauge_pages(w, &w->ctr.mapped_bytes, -(long)mapped);
	if (r == 0) {
		vs_region_release(&w->table, i);
		return 0;
	}
	/* The region stays mapped: a leak, retried later. */
	size_t k = vs_region_mark_leaked(&w->table, i);
	vs_region_leaked(&w->table, k)->leaked_pages = (uint32_t)mapped;
	vs_counter_add(&w->ctr.leaked_mappings, 1);
	gauge_pages(w, &w->ctr.leaked_bytes, (long)mapped);
	failure(w, VS_OP_MUNMAP, -r, addr, mapped * page, VS_EVENT_LEAK);
	return r;
}

int vs_mapops_unmap_leaked(struct vs_worker *w, size_t k)
{
	struct vs_region *reg = vs_region_leaked(&w->table, k);
	size_t page = w->sh->page;
	uintptr_t addr = vs_arena_addr(&w->arena, reg->first);
	uint32_t leaked = reg->leaked_pages;
	int r = unmap_span(w, reg, false);

	if (r < 0) {
		/* retries: counted, not logged */
		failure(w, VS_OP_MUNMAP, -r, addr, vs_region_pages(reg) * page, -1);
		return r;
	}
	vs_region_release_leaked(&w->table, k);
	vs_counter_set(&w->ctr.leaked_mappings, vs_counter_get(&w->ctr.leaked_mappings) - 1);
	gauge_pages(w, &w->ctr.leaked_bytes, -(long)leaked);
	vs_counter_add(&w->ctr.reclaimed_mappings, 1);
	vs_counter_add(&w->ctr.reclaimed_bytes, (uint64_t)leaked * page);
	event(w, VS_EVENT_RECLAIMED, VS_OP_MUNMAP, 0, addr, (uint64_t)leaked * page);
	return 0;
}

int vs_mapops_build_next(struct vs_worker *w, size_t first, size_t stride, size_t end,
			 size_t *off)
{
	if (!w->table.nlive)
		return -ENOENT;
	if (w->build_region != w->table.nlive - 1 || w->build_page == 0) {
		w->build_region = w->table.nlive - 1;
		w->build_page = first;
	}
	if (w->build_page >= end)
		return -ENOENT;
	*off = w->build_page;
	w->build_page += stride;
	return 0;
}
