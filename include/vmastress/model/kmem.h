/* kmem.h: the kernel memory VMAs pin: slab caches that grow with them. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/*
 * /proc/slabinfo (root only): vm_area_struct, maple_node, anon_vma and
 * anon_vma_chain, objects times their size. Without it, /proc/meminfo's
 * SUnreclaim (readable by all, but every unreclaimable slab: an estimate).
 * Both are the whole system's: a delta over a run is the run's only on a
 * quiet host. One static buffer: call from one thread.
 */
struct vs_kmem {
	bool slabinfo; /* false: the SUnreclaim estimate */
	uint64_t bytes;
};
int vs_kmem_read(struct vs_kmem *k);
/* Total of the caches in a slabinfo text (tests). */
int vs_kmem_parse_slabinfo(const char *text, uint64_t *bytes);
