/* mapops.h: the workers' calls to mmap/mprotect/munmap (mapops.c; the arena's
 * reservation and the ballast map their own, model/), each with its VMA prediction
 * and accounting. The step that chooses among them is step.h's. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/calls/state.h"

/* A worker's step: what it chose (work/step.c), and the kind of call each of
 * these records in the sequence hash. */
enum vs_step { VS_STEP_MAP, VS_STEP_PROTECT, VS_STEP_UNMAP, VS_STEP_PUNCH, VS_STEP_IDLE };

/* Each returns 0, -EDQUOT when pressure held it back, -ENOSPC when out of
 * room, or -errno. */
int vs_mapops_create(struct vs_worker *w, unsigned pages);
/* A new region all PROT_NONE (an allocator's reservation): placed as a separator. */
int vs_mapops_map_reservation(struct vs_worker *w, unsigned pages);
/* A thread stack as glibc 2.42 makes it: mapped RW, its separator pages made
 * guards by MADV_GUARD_INSTALL (no VMA of their own), apart from everything in
 * free space (the arena's reservation is given back first): 1 VMA. */
int vs_mapops_create_guarded_stack(struct vs_worker *w, unsigned pages);
/* A new region mapping pages [offset, offset + pages) of the file fd: shared
 * read-write, or private read-only; never placed next to another file's. */
int vs_mapops_map_file(struct vs_worker *w, unsigned pages, int fd, size_t offset_pages,
		       bool shared);
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
