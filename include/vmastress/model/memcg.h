/* memcg.h: the memory cgroup's limit: the VMAs' kernel memory is charged to it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A VMA's charge for the budget: vm_area_struct, maple tree and anon_vma slab
 * (228 B measured, VS_KERNEL_BYTES_PER_VMA) with room for the kernel's rounding. */
#define VS_MEMCG_BYTES_PER_VMA 300

/* The tightest memory limit on this process's cgroup and its ancestors (v2
 * memory.max, v1 memory.limit_in_bytes) and the usage of its own cgroup.
 * UINT64_MAX: no limit. 0, or -errno when there is no cgroup to read. */
int vs_memcg_read(uint64_t *limit, uint64_t *usage);
/* This process's memory cgroup directory (v1's memory controller where it is
 * mounted, else the unified hierarchy's), and which; 0 or -errno. */
int vs_memcg_dir(char *dir, size_t len, bool *v1);
/* This process's own peak resident set (VmHWM of /proc/self/status): not
 * getrusage's ru_maxrss, which keeps the parent's RSS across fork and exec (a
 * daemon started from a 20 MiB Python read 20 MiB at rest). Reads into the
 * stack, no allocation; 0 or -errno. */
int vs_memory_rss_peak(uint64_t *bytes);
