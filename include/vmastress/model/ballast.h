/* ballast.h: VMAs held only to count against the limit, for an emulated limit. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/*
 * One reservation of `vmas` pages with every other page re-protected: each page
 * its own VMA, no per-VMA bookkeeping, nothing written. Its flags (PROT_NONE or
 * PROT_READ, MAP_NORESERVE, MADV_DONTFORK and MADV_DONTDUMP) are no other
 * mapping's, so it merges with nothing around it.
 */
struct vs_ballast {
	uintptr_t base;
	size_t pages, page;
	long vmas;
};

/* 0, or -errno (the ballast is then gone again). */
int vs_ballast_create(struct vs_ballast *b, long vmas, size_t page);
/* The ballast's VMAs as the kernel lists them (PROCMAP_QUERY or /proc/self/maps). */
int vs_ballast_count(const struct vs_ballast *b, long *count);
/* Whole VMAs only, so this unmap never needs a split and cannot be refused. */
void vs_ballast_destroy(struct vs_ballast *b);
