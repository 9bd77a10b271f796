/* arena.c: a worker's reserved address range and the VMA model of its pages. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "vmastress/model/arena.h"

#define STATE(a, i) ((a)->pg[i] & VS_PAGE_STATE_MASK)
#define MAPPED(a, i) (STATE(a, i) != VS_PAGE_FREE)

static bool is_file(unsigned state)
{
	return state == VS_PAGE_FILE_RO || state == VS_PAGE_FILE_RW;
}

/*
 * Where arenas go. A worker unmaps parts of its arena all the time, and the
 * kernel's top-down search (mmap(NULL, ...)) hands the highest free gap that
 * fits to whoever asks next: a new worker's arena, a thread stack, malloc.
 * A hole in one worker's arena taken that way made that worker's
 * MAP_FIXED_NOREPLACE fail with EEXIST (workers raised by a reload). So the
 * arenas live in a zone of their own, a quarter of the way up from the bottom
 * of the address space the kernel searches from, one below the other with an
 * unmapped gap between: every allocation of the process finds room above the
 * zone first (tens of TiB on x86_64), and no two arenas touch (so never merge).
 */
#define ZONE_GAP (1UL << 20)
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t zone_next; /* the next arena ends below this; 0: not set up */

static uintptr_t zone_hint(size_t len, size_t page_size)
{
	if (!zone_next) {
		void *probe = mmap(NULL, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (probe == MAP_FAILED)
			return 0;
		munmap(probe, page_size);
		zone_next = ((uintptr_t)probe / 4) & ~((uintptr_t)(1UL << 30) - 1);
#if defined(__SANITIZE_THREAD__) && defined(__x86_64__)
		/* TSan's application memory is fixed ranges; the top one starts at
		 * 0x7e8000000000 and the kernel fills it from the top down. */
		zone_next = 0x7f0000000000UL;
#endif
	}
	if (zone_next < len + ZONE_GAP + (1UL << 32))
		return 0; /* no zone left (a small address space): the kernel places it */
	return (zone_next - len - ZONE_GAP) & ~(uintptr_t)(page_size - 1);
}

static void *map_reservation(size_t len, size_t page_size)
{
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK;
	void *p = MAP_FAILED;

	pthread_mutex_lock(&zone_lock);
	for (int tries = 0; tries < 64 && p == MAP_FAILED; tries++) {
		uintptr_t hint = zone_hint(len, page_size);
		if (!hint)
			break;
		p = mmap((void *)hint, len, PROT_NONE, flags | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != MAP_FAILED && (uintptr_t)p != hint) { /* NOREPLACE unknown: a hint */
			munmap(p, len);
			p = MAP_FAILED;
		}
		if (p != MAP_FAILED || errno == EEXIST)
			zone_next = hint; /* taken: by this arena, or by something else */
		else
			break;
	}
	pthread_mutex_unlock(&zone_lock);
	if (p == MAP_FAILED)
		p = mmap(NULL, len, PROT_NONE, flags, -1, 0);
	return p;
}

int vs_arena_init(struct vs_arena *a, size_t pages, size_t page_size, bool map)
{
	memset(a, 0, sizeof(*a));
	if (pages < 2)
		return -EINVAL;
	a->page = page_size;
	a->pages = pages;
	a->pg = calloc(pages, 1);
	if (!a->pg)
		return -ENOMEM;
	if (map) {
		/* MAP_STACK and MADV_DONTFORK give the reservation flags no other
		 * mapping of the process has, so it merges with nothing outside. */
		void *p = map_reservation(pages * page_size, page_size);
		if (p == MAP_FAILED) {
			int e = errno;
			free(a->pg);
			a->pg = NULL;
			return -e;
		}
		if (madvise(p, pages * page_size, MADV_DONTFORK) < 0) {
			int e = errno;
			munmap(p, pages * page_size);
			free(a->pg);
			a->pg = NULL;
			return -e;
		}
		a->base = (uintptr_t)p;
	}
	/* calloc's zeroes are VS_PAGE_RESERVED: nothing to write, nothing resident. */
	a->pg[0] |= VS_PAGE_START;
	a->vmas = 1;
	return 0;
}

void vs_arena_destroy(struct vs_arena *a)
{
	if (!a->pg)
		return;
	for (size_t i = 0; a->base && i < a->pages;) {
		unsigned s = STATE(a, i);
		size_t j = i + 1;
		while (j < a->pages && STATE(a, j) == s && !(a->pg[j] & VS_PAGE_START)) {
			/* Past the highest page ever changed, all is the reservation:
			 * not read (a table sized for twice a worker's share would
			 * fault its untouched half in just to find that). */
			if (j > a->high && s == VS_PAGE_RESERVED) {
				j = a->pages;
				break;
			}
			j++;
		}
		/* Whole VMAs only: an unmap that splits nothing cannot fail. */
		if (s == VS_PAGE_RESERVED || s == VS_PAGE_FRESH)
			munmap((void *)vs_arena_addr(a, i), (j - i) * a->page);
		i = j;
	}
	free(a->pg);
	a->pg = NULL;
}

long vs_arena_count(const struct vs_arena *a, size_t lo, size_t hi)
{
	long n = 0;

	if (hi > a->pages)
		hi = a->pages;
	for (size_t i = lo; i < hi; i++)
		n += (a->pg[i] & VS_PAGE_START) && MAPPED(a, i);
	return n;
}

size_t vs_arena_mapped(const struct vs_arena *a, size_t first, size_t n)
{
	size_t m = 0;

	for (size_t i = first; i < first + n && i < a->pages; i++)
		m += MAPPED(a, i);
	return m;
}

/* Pages whose start bit a call on [first, first+n) can change: first..first+n. */
static size_t window_end(const struct vs_arena *a, size_t first, size_t n)
{
	return first + n + 1 < a->pages ? first + n + 1 : a->pages;
}

static long commit(struct vs_arena *a, size_t first, size_t n, long before)
{
	long delta = vs_arena_count(a, first, window_end(a, first, n)) - before;

	a->vmas += delta;
	return delta;
}

static void set_start(struct vs_arena *a, size_t i, bool start)
{
	a->pg[i] = (uint8_t)((a->pg[i] & ~VS_PAGE_START) | (start ? VS_PAGE_START : 0));
}

/* New state, no VMA start, ownership kept. */
static void set_states(struct vs_arena *a, size_t first, size_t n, unsigned state)
{
	if (first + n > a->high)
		a->high = first + n;
	for (size_t i = first; i < first + n; i++)
		a->pg[i] = (uint8_t)((a->pg[i] & VS_PAGE_OWNED) | state);
}

void vs_arena_own(struct vs_arena *a, size_t first, size_t n, bool owned)
{
	a->owned = owned ? a->owned + n : a->owned - n;
	for (size_t i = first; i < first + n; i++)
		a->pg[i] = (uint8_t)((a->pg[i] & ~VS_PAGE_OWNED) | (owned ? VS_PAGE_OWNED : 0));
}

long vs_arena_map(struct vs_arena *a, size_t first, size_t n, unsigned state)
{
	size_t end = first + n;
	long before = vs_arena_count(a, first, window_end(a, first, n));

	set_states(a, first, n, state);
	/* A new mapping merges with an equal neighbour on either side. */
	set_start(a, first, !(first > 0 && MAPPED(a, first - 1) && STATE(a, first - 1) == state));
	if (end < a->pages && MAPPED(a, end))
		set_start(a, end, STATE(a, end) != state);
	return commit(a, first, n, before);
}

long vs_arena_unmap(struct vs_arena *a, size_t first, size_t n)
{
	size_t end = first + n;
	long before = vs_arena_count(a, first, window_end(a, first, n));

	set_states(a, first, n, VS_PAGE_FREE);
	if (end < a->pages && MAPPED(a, end))
		set_start(a, end, true);
	return commit(a, first, n, before);
}

long vs_arena_protect(struct vs_arena *a, size_t first, size_t n, unsigned state)
{
	size_t end = first + n, pos = first;
	long before = vs_arena_count(a, first, window_end(a, first, n));

	while (pos < end) {
		size_t vend = pos + 1;
		while (vend < a->pages && MAPPED(a, vend) && !(a->pg[vend] & VS_PAGE_START))
			vend++;
		size_t pend = vend < end ? vend : end;
		/* The kernel skips a VMA that already has the flags: no merge either. */
		if (!MAPPED(a, pos) || STATE(a, pos) == state) {
			pos = pend;
			continue;
		}
		set_states(a, pos, pend - pos, state);
		set_start(a, pos, !(pos > 0 && MAPPED(a, pos - 1) && STATE(a, pos - 1) == state));
		if (pend < a->pages && MAPPED(a, pend))
			set_start(a, pend, STATE(a, pend) != state);
		pos = pend;
	}
	return commit(a, first, n, before);
}

static unsigned state_of_prot(int prot, unsigned old)
{
	bool writable = (prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE);

	/* A file page stays a file page: a re-protection changes its access only. */
	if (is_file(old))
		return writable ? VS_PAGE_FILE_RW : VS_PAGE_FILE_RO;
	if (writable)
		return VS_PAGE_RW;
	if (prot & PROT_READ)
		return VS_PAGE_RO;
	/* PROT_NONE: keep which kind of PROT_NONE page the model knew. */
	return old == VS_PAGE_RESERVED || old == VS_PAGE_FRESH ? old : VS_PAGE_SEP;
}

long vs_arena_resync(struct vs_arena *a, struct vs_vma_probe *p, size_t first, size_t n)
{
	size_t end = window_end(a, first, n);
	long before = vs_arena_count(a, first, end);
	uintptr_t lo = vs_arena_addr(a, first), hi = vs_arena_addr(a, end);
	size_t i = first;
	struct vs_vma_info v;

	while (i < end) {
		uintptr_t at = vs_arena_addr(a, i);
		int r = vs_vma_probe_next(p, at, &v);
		if (r < 0 || v.start >= hi) {
			set_states(a, i, end - i, VS_PAGE_FREE);
			break;
		}
		size_t s = v.start > at ? (v.start - a->base) / a->page : i;
		set_states(a, i, s - i, VS_PAGE_FREE);
		size_t e = v.end < hi ? (v.end - a->base) / a->page : end;
		for (size_t k = s; k < e; k++)
			set_states(a, k, 1, state_of_prot(v.prot, STATE(a, k)));
		set_start(a, s, v.start >= lo && v.start == vs_arena_addr(a, s));
		i = e;
	}
	return commit(a, first, n, before);
}

/* May a region of n pages at pos sit next to what is around it? */
static bool neighbours_ok(const struct vs_arena *a, size_t pos, size_t n, enum vs_neighbours avoid)
{
	unsigned below = pos > 0 ? STATE(a, pos - 1) : VS_PAGE_FREE, above = STATE(a, pos + n);

	if (avoid == VS_NOT_NEXT_TO_SEP)
		return below != VS_PAGE_SEP && above != VS_PAGE_SEP;
	if (avoid == VS_NOT_NEXT_TO_FILE)
		return !is_file(below) && !is_file(above);
	if (avoid == VS_AMONG_FREE)
		return STATE(a, pos) == VS_PAGE_FREE && below == VS_PAGE_FREE &&
		       above == VS_PAGE_FREE;
	return true;
}

int vs_arena_place(struct vs_arena *a, size_t n, enum vs_neighbours avoid, size_t *first,
		   bool *replace)
{
	size_t limit = a->pages - 1; /* the top page stays reserved: a separator above every region */
	size_t pos = a->cursor, budget = 4 * n + 65536;
	bool wrapped = false;

	if (n == 0 || n > limit)
		return -ENOSPC;
	/* Next fit, but over a span that follows what is live: past twice the
	 * owned pages, start again from the bottom, where unmapped regions left
	 * room. The pages written and their page tables stay where the last
	 * ones were, instead of sweeping the whole reservation. */
	if (pos > 2 * (a->owned + n) + VS_ARENA_SLACK)
		pos = 0;
	while (budget--) {
		if (pos + n > limit) {
			if (wrapped)
				break;
			wrapped = true;
			pos = 0;
		}
		unsigned s0 = a->pg[pos] & (VS_PAGE_STATE_MASK | VS_PAGE_OWNED);
		if (s0 != VS_PAGE_FREE && s0 != VS_PAGE_RESERVED) {
			pos++;
			continue;
		}
		size_t i = 1;
		while (i < n && (a->pg[pos + i] & (VS_PAGE_STATE_MASK | VS_PAGE_OWNED)) == s0)
			i++;
		if (i < n) {
			pos += i;
			continue;
		}
		if (!neighbours_ok(a, pos, n, avoid)) {
			pos++;
			continue;
		}
		*first = pos;
		*replace = s0 == VS_PAGE_RESERVED;
		return 0; /* the caller moves the cursor once the mapping exists */
	}
	a->cursor = pos > limit ? 0 : pos;
	return -ENOSPC;
}

int vs_arena_unreserve(struct vs_arena *a, long *delta)
{
	/* All of it: an unmap of whole VMAs splits nothing, so even at the limit
	 * it cannot be refused. */
	if (a->high)
		return -EBUSY; /* only before the first region */
	if (a->base && munmap((void *)a->base, a->pages * a->page) < 0)
		return -errno;
	a->unreserved = true;
	*delta = vs_arena_unmap(a, 0, a->pages);
	return 0;
}

/* Reserve a run of free pages again: MAP_FIXED_NOREPLACE, for a hole may have
 * been taken by another mapping of the process (then it stays as it is), and
 * the reservation's flags, so it merges with the reserved pages around it. */
static long rereserve_free(struct vs_arena *a, size_t first, size_t n)
{
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK;
	void *want = (void *)vs_arena_addr(a, first);

	if (a->base) {
		void *p = mmap(want, n * a->page, PROT_NONE, flags | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			return 0;
		if (p != want) { /* NOREPLACE unknown: a hint, not taken */
			munmap(p, n * a->page);
			return 0;
		}
		if (madvise(p, n * a->page, MADV_DONTFORK) < 0)
			return vs_arena_map(a, first, n, VS_PAGE_FRESH);
	}
	return vs_arena_map(a, first, n, VS_PAGE_RESERVED);
}

#define FREE_OWNED_MASK (VS_PAGE_STATE_MASK | VS_PAGE_OWNED) /* free, outside any region */

long vs_arena_rereserve(struct vs_arena *a)
{
	long delta = 0;
	size_t high = a->high;

	for (size_t i = 0; i < high;) {
		if ((a->pg[i] & FREE_OWNED_MASK) != VS_PAGE_FREE) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < high && (a->pg[j] & FREE_OWNED_MASK) == VS_PAGE_FREE)
			j++;
		delta += rereserve_free(a, i, j - i);
		i = j;
	}
	/* Back to untouched wherever the reservation is whole again. */
	while (high > 1 && a->pg[high - 1] == VS_PAGE_RESERVED)
		high--;
	if (high == 1 && a->pg[0] == (VS_PAGE_RESERVED | VS_PAGE_START))
		high = 0;
	a->high = high;
	a->cursor = 0;
	a->unreserved = false;
	return delta;
}

void vs_arena_save(const struct vs_arena *a, size_t first, size_t n, uint8_t *buf, long *vmas)
{
	memcpy(buf, a->pg + first, window_end(a, first, n) - first);
	*vmas = a->vmas;
}

void vs_arena_restore(struct vs_arena *a, size_t first, size_t n, const uint8_t *buf, long vmas)
{
	memcpy(a->pg + first, buf, window_end(a, first, n) - first);
	a->vmas = vmas;
}
