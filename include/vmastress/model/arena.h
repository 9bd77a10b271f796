/* arena.h: a worker's own address range and a VMA model of every page in it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/model/vma.h"

/*
 * Each worker places its regions inside its own reserved range, so no other
 * thread's mapping can merge with them and the kernel's VMA layout there is a
 * function of this worker's calls alone. Per page: a state and a bit saying
 * a VMA starts here. The VMA count of the arena is the number of start bits.
 */
enum vs_page_state {
	/* 0: a zeroed model is all reservation, so its pages are touched (and
	 * resident) only where regions go: the model's memory follows the work. */
	VS_PAGE_RESERVED = 0, /* the untouched reservation (PROT_NONE, MADV_DONTFORK) */
	VS_PAGE_FREE,	      /* not mapped */
	VS_PAGE_FRESH,	  /* PROT_NONE without the reservation's flag (resync only) */
	VS_PAGE_RW,
	VS_PAGE_RO,
	VS_PAGE_SEP, /* separator, or a region not opened yet: PROT_NONE */
	/* File-backed pages, the kernel's other kind (any shape that maps a file
	 * gives them in its struct vs_mapping): never merge with anonymous pages,
	 * and placed never next to another file's (vs_arena_place), so never
	 * across regions; within one they merge as the file's offsets are
	 * contiguous. The states are the kernel's (anonymous or file, and the
	 * protection), not a shape's: the model needs no more to predict merges. */
	VS_PAGE_FILE_RO,
	VS_PAGE_FILE_RW,
};

/* What may not lie right next to a new region (both sides). */
enum vs_neighbours {
	VS_NEXT_TO_ANY,
	VS_NOT_NEXT_TO_SEP,  /* a fresh PROT_NONE region has a separator's flags */
	VS_NOT_NEXT_TO_FILE, /* a file mapping could continue another's offsets */
	VS_AMONG_FREE,	     /* free pages only, a free page on each side: a VMA of its own */
};
#define VS_PAGE_STATE_MASK 0x0f
#define VS_PAGE_OWNED 0x40 /* inside a region's span, holes included */
#define VS_PAGE_START 0x80

/* Placement's span beyond twice the owned pages (see vs_arena_place). */
#define VS_ARENA_SLACK 4096

struct vs_arena {
	uintptr_t base; /* 0: model only, nothing mapped (unit tests) */
	size_t page;	/* bytes */
	size_t pages;	/* including the top page, which stays reserved (a separator) */
	uint8_t *pg;
	size_t cursor; /* where the next placement search starts */
	size_t owned;  /* pages inside regions' spans */
	long vmas;     /* VMAs in the arena according to the model */
	size_t high;   /* pages at and above this were never changed: still reserved */
	bool unreserved; /* vs_arena_unreserve() ran: free space, no reservation */
};

int vs_arena_init(struct vs_arena *a, size_t pages, size_t page_size, bool map);
/* Unmap what is still reserved and free the model; leaked pages stay mapped. */
void vs_arena_destroy(struct vs_arena *a);

static inline unsigned vs_arena_state(const struct vs_arena *a, size_t i)
{
	return a->pg[i] & VS_PAGE_STATE_MASK;
}
static inline uintptr_t vs_arena_addr(const struct vs_arena *a, size_t i)
{
	return a->base + i * a->page;
}

/* Model of a call's effect on pages [first, first+n); each returns the VMA delta. */
long vs_arena_map(struct vs_arena *a, size_t first, size_t n, unsigned state);
long vs_arena_unmap(struct vs_arena *a, size_t first, size_t n);
/* mprotect/madvise: per existing VMA, change it unless already `state`, merge. */
long vs_arena_protect(struct vs_arena *a, size_t first, size_t n, unsigned state);
/* Re-read pages [first, first+n] from the kernel after a partial failure. */
long vs_arena_resync(struct vs_arena *a, struct vs_vma_probe *p, size_t first, size_t n);

/* VMAs starting in pages [lo, hi). */
long vs_arena_count(const struct vs_arena *a, size_t lo, size_t hi);
/* Mark [first, first+n) as a region's span (never placed over), or release it. */
void vs_arena_own(struct vs_arena *a, size_t first, size_t n, bool owned);

/* Mapped pages in [first, first+n). */
size_t vs_arena_mapped(const struct vs_arena *a, size_t first, size_t n);

/*
 * Find room for n pages outside every region's span: all reserved (map with
 * MAP_FIXED) or all free (map with MAP_FIXED_NOREPLACE), with no page of the
 * kind `avoid` names right next to it.
 * Returns 0 and sets first and replace, or -ENOSPC.
 */
int vs_arena_place(struct vs_arena *a, size_t n, enum vs_neighbours avoid, size_t *first,
		   bool *replace);

/* Unmap the whole reservation (before the first region): the arena becomes free
 * address space in the arenas' zone, for regions that must sit apart from
 * everything (VS_AMONG_FREE). 0 and the VMA delta, or -errno (-EBUSY: regions
 * are live). */
int vs_arena_unreserve(struct vs_arena *a, long *delta);

/* After a start over (no region live; leaked ones stay where they are): every
 * free page of the arena reserved again, so the pieces of reservation that
 * regions left between them merge back into one VMA, as at start. Returns the
 * VMA delta. */
long vs_arena_rereserve(struct vs_arena *a);

/* Save/restore the model around [first, first+n] so a failed call leaves it as it was. */
void vs_arena_save(const struct vs_arena *a, size_t first, size_t n, uint8_t *buf, long *vmas);
void vs_arena_restore(struct vs_arena *a, size_t first, size_t n, const uint8_t *buf, long vmas);
