/* region.h: one mapping the engine owns, and the preallocated per-worker table. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A region's data pages are tracked in at most 64 chunks (one bit each). */
#define VS_REGION_CHUNKS 64

struct vs_region {
	uintptr_t addr;
	uint32_t data_pages;
	uint16_t sep_pages;   /* PROT_NONE pages after the data; 0 = merging mode */
	uint16_t chunk_pages; /* pages per bitmap chunk */
	uint64_t unmapped;    /* chunks punched out (munmap of a sub-range) */
	uint64_t readonly;    /* chunks currently PROT_READ (else RW) */
	uint32_t vmas;        /* VMAs this region accounts for (separator mode) */
	uint32_t leaked_at;   /* seconds since engine start when the unmap failed */
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
void vs_region_release(struct vs_region_table *t, struct vs_region *r);
/* Move a live region to the leaked end; returns the new location. */
struct vs_region *vs_region_mark_leaked(struct vs_region_table *t, struct vs_region *r);
void vs_region_release_leaked(struct vs_region_table *t, size_t leaked_index);
struct vs_region *vs_region_live(struct vs_region_table *t, size_t i);
struct vs_region *vs_region_leaked(struct vs_region_table *t, size_t i);

void vs_region_layout(struct vs_region *r, uintptr_t addr, uint32_t data_pages, uint16_t sep);
unsigned vs_region_nchunks(const struct vs_region *r);
/* Pages [first, first+count) of chunk range [c0, c1). */
void vs_region_chunk_pages(const struct vs_region *r, unsigned c0, unsigned c1, size_t *first,
			   size_t *count);
size_t vs_region_mapped_pages(const struct vs_region *r);
uint64_t vs_region_chunk_mask(unsigned c0, unsigned c1);
