/* vma.h: VMA accounting rules, the kernel's limit, and the kernel's truth. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* VMAs a separator-mode region occupies: runs of equal protection among its
 * mapped chunks, plus one for the separator. Pure, unit tested. */
unsigned vs_vma_region_count(unsigned nchunks, uint64_t unmapped, uint64_t readonly,
			     bool separator);

/* vm.max_map_count; 0 or -errno. */
int vs_vma_read_limit(const char *path, long *limit);
/* VMAs of this process from /proc/self/maps ([vsyscall] is not a VMA).
 * Uses a static buffer: call from one thread only. */
int vs_vma_count_self(long *count);
/* Same for any maps file (tests). */
int vs_vma_count_file(const char *path, long *count);

/* PROCMAP_QUERY (Linux >= 6.11): per-VMA lookups in O(log n). */
struct vs_vma_probe {
	int fd;
	bool available;
};
void vs_vma_probe_open(struct vs_vma_probe *p);
void vs_vma_probe_close(struct vs_vma_probe *p);
/* VMAs intersecting [lo, hi). -ENOTSUP without PROCMAP_QUERY. */
int vs_vma_probe_count(struct vs_vma_probe *p, uintptr_t lo, uintptr_t hi, long *count);
/* Protection of the page at addr: PROT_* bits, or -ENOENT when unmapped. */
int vs_vma_probe_prot(struct vs_vma_probe *p, uintptr_t addr, int *prot);
