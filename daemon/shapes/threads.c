/* threads.c: thread stacks with a guard page, made as glibc's pthread_create makes them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vmastress/model/vma.h"
#include "vmastress/shapes/shape.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/calls/rng.h"

/*
 * threads.guard = "mprotect" (glibc to 2.41, Debian 12's 2.36): allocate_stack
 * maps the whole stack PROT_NONE, then opens all but the guard page (mprotect
 * PROT_READ|PROT_WRITE): 2 VMAs a stack. That is the separator layout of
 * calls/mapops.c, [guard][stack], with the guard as the separator. At the limit
 * the mmap still fits (the kernel allows limit + 1) and the mprotect that
 * splits off the guard is refused: ENOMEM, glibc's "cannot protect guard
 * page" and pthread_create's EAGAIN.
 *
 * threads.guard = "madvise" (glibc 2.42 on Linux 6.13+): the stack is mapped
 * read-write and its guard page made a guard region by MADV_GUARD_INSTALL, a
 * marker in the page tables: 1 VMA a stack, whose mmap is what the limit
 * refuses (ENOMEM, pthread_create's EAGAIN). Stacks sit in free address
 * space, apart from each other, as glibc's land among a process's other
 * mappings.
 *
 * Threads come and go: stacks are created and retired, never re-protected.
 */
#define THREADS_KEYS(X)                                                                            \
	X(threads, guard, STRING, 0, 9, "mprotect", VS_KEY_FROZEN, "mprotect|madvise",             \
	  "threads shape: a stack's guard page by mprotect (glibc to 2.41: 2 VMAs a stack) or "    \
	  "madvise (MADV_GUARD_INSTALL, glibc 2.42 on Linux 6.13+: 1)")
VS_SHAPE_KEYS_DECLARE(threads, THREADS_KEYS);

/* A stack as glibc 2.42 makes it: mapped RW, its separator pages made guards by
 * MADV_GUARD_INSTALL (no VMA of their own), apart from everything in free space
 * (the arena's reservation is given back first): 1 VMA. */
static int guarded_stack(struct vs_worker *w, unsigned pages)
{
	const struct vs_mapping stack = {.prot = PROT_READ | PROT_WRITE,
					 .flags = VS_MAP_ANON,
					 .fd = -1,
					 .state = VS_PAGE_RW, /* a guard marker is no VMA */
					 .avoid = VS_AMONG_FREE,
					 .guard_marker = true};
	int r = vs_mapops_unreserve(w);

	return r < 0 ? r : vs_mapops_map(w, pages, w->sh->cfg->mapping_separator_pages, &stack);
}

static int map(struct vs_worker *w)
{
	const struct vs_config *cfg = w->sh->cfg;
	unsigned pages =
	    (unsigned)vs_rng_range(&w->rng, cfg->mapping_min_pages, cfg->mapping_max_pages);

	if (strcmp(VS_SHAPE_KEYS(cfg, threads)->guard, "madvise") == 0 &&
	    cfg->mapping_separator_pages)
		return guarded_stack(w, pages);
	return vs_mapops_create(w, pages);
}

/* A kernel that cannot install guard regions refuses "madvise" before any stack. */
static int validate(const struct vs_config *cfg, bool active, char *err, size_t errlen)
{
	int r;

	if (active && strcmp(VS_SHAPE_KEYS(cfg, threads)->guard, "madvise") == 0 &&
	    (r = vs_vma_guard_supported()) < 0) {
		snprintf(err, errlen,
			 "%s = \"madvise\": this kernel refuses MADV_GUARD_INSTALL (%s); it needs "
			 "Linux 6.13 or later: use \"mprotect\"",
			 vs_key_rows_threads[0].path, strerrorname_np(-r));
		return -EINVAL;
	}
	return 0;
}

const struct vs_shape vs_shape_threads = {
    .name = "threads",
    .models = "JVMs and thread-heavy servers: a stack and its guard page per thread",
    .signature = "2 VMAs per thread (threads.guard = \"madvise\": 1); at the limit the guard "
		 "page's mprotect fails with ENOMEM (madvise: the stack's mmap) "
		 "(pthread_create: EAGAIN)",
    /* 64 KiB stacks: small threads; MAP_NORESERVE and untouched, so only the
     * VMAs cost. */
    VS_PRESETS(VS_SET(mapping_min_pages, 16), VS_SET(mapping_max_pages, 16),
	       VS_SET(mapping_separator_pages, 1), VS_SET(ops_mmap, 50), VS_SET(ops_mprotect, 0),
	       VS_SET(ops_munmap, 50), VS_SET(ops_punch, 0), VS_SET(pressure_target_fill, 0.9)),
    .call = {"stack mmap", "guard page mprotect", "stack munmap"},
    .map = map,
    VS_SHAPE_KEY_ROWS(threads),
    .validate = validate,
    /* Each stack's guard page, mprotect's: an anonymous PROT_NONE mapping. */
    .look = {.guards = 0.3},
    .advice = "It looks thread-heavy: glibc 2.42 on Linux 6.13+ guards each stack with "
	      "MADV_GUARD_INSTALL,\n1 mapping a thread instead of 2: that would halve its need "
	      "without a higher limit.",
};
