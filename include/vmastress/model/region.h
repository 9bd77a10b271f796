/* region.h: one mapping the engine owns, and the preallocated per-worker table. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 16 bytes; the address is arena base + first * page. */
struct vs_region {
	uint32_t first; /* arena page index */
	uint32_t data_pages;
	uint16_t separator_pages; /* PROT_NONE pages below the data; 0 = merging mode */
	uint32_t leaked_pages;	  /* mapped pages when the unmap failed */
};

/* Live regions are dense at the front, leaked ones dense at the back. */
struct vs_region_table {
	struct vs_region *slots;
	size_t cap, nlive, nleaked;
};

int vs_region_table_init(struct vs_region_table *t, size_t cap);
void vs_region_table_free(struct vs_region_table *t);
/* NULL when live + leaked fill the table. */
struct vs_region *vs_region_alloc(struct vs_region_table *t);
/* Forget live region i (the last live one moves into its slot). */
void vs_region_release(struct vs_region_table *t, size_t i);
/* Move live region i to the leaked end; returns its leaked index. */
size_t vs_region_mark_leaked(struct vs_region_table *t, size_t i);
void vs_region_release_leaked(struct vs_region_table *t, size_t leaked_index);
struct vs_region *vs_region_live(struct vs_region_table *t, size_t i);
struct vs_region *vs_region_leaked(struct vs_region_table *t, size_t i);

static inline size_t vs_region_pages(const struct vs_region *r)
{
	return (size_t)r->data_pages + r->separator_pages;
}
