/* mapops.h: the workers' calls to mmap/mprotect/munmap (mapops.c; the arena's
 * reservation and the ballast map their own, model/), each with its VMA prediction
 * and accounting. The step that chooses among them is step.h's. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>
#include "vmastress/calls/state.h"

/* A worker's step: what it chose (work/step.c), and the kind of call each of
 * these records in the sequence hash. */
enum vs_step { VS_STEP_MAP, VS_STEP_PROTECT, VS_STEP_UNMAP, VS_STEP_PUNCH, VS_STEP_IDLE };

/* Anonymous mappings' flags: private, no swap reserved (a VMA count, not memory,
 * is what is tested), a stack's (no effect on Linux, as glibc passes it). */
#define VS_MAP_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK)

/* What a new region is: how the kernel maps it and what the model calls it. A
 * shape describes its own (an allocator's reservation, a file's pages, a stack
 * with guard markers); the one call below places, claims, maps and records it. */
struct vs_mapping {
	int prot, flags, fd; /* mmap's */
	off_t offset;
	unsigned state; /* its pages in the model (model/arena.h), not with `open` */
	enum vs_neighbours avoid; /* where it may not be placed */
	bool open; /* separator layout: mapped PROT_NONE, then the data opened RW */
	bool guard_marker; /* the separator pages become MADV_GUARD_INSTALL guards */
};

/* Each returns 0, -EDQUOT when pressure held it back, -ENOSPC when out of
 * room, or -errno. */
/* A new region of `pages` after `separator_pages`, as `m` says: placed, claimed
 * below the cap, mapped, predicted and recorded. */
int vs_mapops_map(struct vs_worker *w, unsigned pages, unsigned separator_pages,
		  const struct vs_mapping *m);
/* The generic region: anonymous RW, opened from PROT_NONE behind mapping.separator_pages. */
int vs_mapops_create(struct vs_worker *w, unsigned pages);
/* Give the arena's reservation back, for regions placed apart from everything in
 * free space (VS_AMONG_FREE); 0 once done, -ENOSPC while regions of another shape
 * still live in it. */
int vs_mapops_unreserve(struct vs_worker *w);
/* The arena's free pages reserved again (vs_arena_rereserve), counted. */
void vs_mapops_rereserve(struct vs_worker *w);
/* state: VS_PAGE_RW, VS_PAGE_RO, or VS_PAGE_SEP (PROT_NONE, as a reservation). */
int vs_mapops_protect(struct vs_worker *w, size_t i, size_t off, size_t len, unsigned state);
int vs_mapops_punch(struct vs_worker *w, size_t i, size_t off, size_t len);
/* capped: held back (-EDQUOT) when it would split past the cap; teardown is not. */
int vs_mapops_unmap(struct vs_worker *w, size_t i, bool capped);
int vs_mapops_unmap_leaked(struct vs_worker *w, size_t leaked_index);
/* Test-only: called right after a region's first mmap, before it is opened. */
extern void (*vs_mapops_test_after_mmap)(struct vs_worker *w, uintptr_t addr, size_t len);
/* A shape's build: the next offset in its newest region, from `first` every
 * `stride` pages while below `end`; -ENOENT: none left (map the next region). */
int vs_mapops_build_next(struct vs_worker *w, size_t first, size_t stride, size_t end,
			 size_t *off);
