/* vma.h: the kernel's limit, the kernel's truth about VMAs, per-VMA lookups. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VS_SYSCTL_MAX_MAP_COUNT "/proc/sys/vm/max_map_count"

/* vm.max_map_count; 0 or -errno. With path NULL, a sanitizer build's test limit
 * (below) stands in for the sysctl. */
int vs_vma_read_limit(const char *path, long *limit);
/* Write vm.max_map_count (path NULL: the sysctl), and say so (the log: done, or why
 * not); 0 or -errno. The watch writes it only through its owner (watch/limit/limit.h),
 * which publishes what it wrote. */
int vs_vma_write_limit(const char *path, long limit);
/* Sanitizer builds only: VMASTRESS_TEST_MAX_MAP_COUNT=N, the limit the daemon's own
 * calls are refused at, by the kernel's rules, well below the real one, where the
 * runtimes can still map (0: none; always 0 in the normal build). */
long vs_vma_test_limit(void);
/* VMAs of this process from /proc/self/maps ([vsyscall] is not a VMA).
 * Uses a static buffer: call from one thread only. */
int vs_vma_count_self(long *count);
/* Same for a maps file open at fd, read in chunks of len into buf. */
int vs_vma_count_fd(int fd, char *buf, size_t len, long *count);
/* Same for any maps file (tests). */
int vs_vma_count_file(const char *path, long *count);
/* The one reader of a maps file's lines (/proc/PID/maps): each line, without its
 * newline, to fn, through buf of len bytes (no allocation; a longer line is given
 * cut at len - 1), until fn returns nonzero. Returns that value, 0 at the end, or
 * -errno. Counting alone is vs_vma_count_fd's, which splits no line. */
int vs_maps_lines(const char *path, char *buf, size_t len, int (*fn)(char *line, void *arg),
		  void *arg);

/* Guard regions in page tables, no VMA of their own (Linux 6.13+). */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
/* Whether madvise(MADV_GUARD_INSTALL) works here: 0, or -errno (EINVAL: an older kernel). */
int vs_vma_guard_supported(void);

struct vs_vma_info {
	uintptr_t start, end;
	int prot; /* PROT_* */
};

/* Per-VMA lookups: PROCMAP_QUERY (Linux >= 6.11) in O(log n), else a scan of
 * /proc/self/maps (slow; only used to resync after a partial failure). */
struct vs_vma_probe {
	int fd;
	bool available; /* PROCMAP_QUERY works */
};
void vs_vma_probe_open(struct vs_vma_probe *p);
void vs_vma_probe_close(struct vs_vma_probe *p);
/* The VMA containing addr, or the next one above it: 0, or -ENOENT. */
int vs_vma_probe_next(struct vs_vma_probe *p, uintptr_t addr, struct vs_vma_info *out);
/* VMAs intersecting [lo, hi). */
int vs_vma_probe_count(struct vs_vma_probe *p, uintptr_t lo, uintptr_t hi, long *count);
