/* kmem.h: the kernel memory VMAs pin: slab caches that grow with them. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/*
 * Where the figure comes from, best first:
 * - MEMCG: the daemon's own memory cgroup, when it holds the daemon alone (always
 *   under its unit): v2 memory.stat's slab_unreclaimable, v1
 *   memory.kmem.usage_in_bytes. Exact whatever the rest of the host does.
 * - SLABINFO: /proc/slabinfo (root only): vm_area_struct, maple_node, anon_vma
 *   and anon_vma_chain, objects times their size. The whole host's: a delta is
 *   the run's only on a quiet host (host_wide).
 * - MEMINFO: /proc/meminfo's SUnreclaim (readable by all, every unreclaimable
 *   slab of the host: an estimate).
 * One static buffer: call from one thread.
 */
enum vs_kmem_source { VS_KMEM_MEMCG, VS_KMEM_SLABINFO, VS_KMEM_MEMINFO };
struct vs_kmem {
	enum vs_kmem_source source;
	uint64_t bytes;
};
int vs_kmem_read(struct vs_kmem *k);
const char *vs_kmem_source_name(enum vs_kmem_source s);
/* Total of the caches in a slabinfo text (tests). */
int vs_kmem_parse_slabinfo(const char *text, uint64_t *bytes);
/* slab_unreclaimable of a cgroup v2 memory.stat text (tests). */
int vs_kmem_parse_memory_stat(const char *text, uint64_t *bytes);
