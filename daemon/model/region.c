/* region.c: the preallocated region table; no allocation after init. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "vmastress/model/region.h"

int vs_region_table_init(struct vs_region_table *t, size_t cap)
{
	t->nlive = t->nleaked = 0;
	t->cap = cap;
	t->slots = calloc(cap ? cap : 1, sizeof(*t->slots));
	return t->slots ? 0 : -ENOMEM;
}

void vs_region_table_free(struct vs_region_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->nlive = t->nleaked = 0;
}

struct vs_region *vs_region_alloc(struct vs_region_table *t)
{
	if (t->nlive + t->nleaked >= t->cap)
		return NULL;
	return &t->slots[t->nlive++];
}

void vs_region_release(struct vs_region_table *t, size_t i)
{
	t->slots[i] = t->slots[--t->nlive];
}

/* Leaked index k lives at slots[cap - 1 - k]. */
struct vs_region *vs_region_leaked(struct vs_region_table *t, size_t k)
{
	return &t->slots[t->cap - 1 - k];
}

struct vs_region *vs_region_live(struct vs_region_table *t, size_t i)
{
	return &t->slots[i];
}

size_t vs_region_mark_leaked(struct vs_region_table *t, size_t i)
{
	struct vs_region r = t->slots[i];
	size_t k = t->nleaked++;

	vs_region_release(t, i);
	*vs_region_leaked(t, k) = r;
	return k;
}

void vs_region_release_leaked(struct vs_region_table *t, size_t k)
{
	*vs_region_leaked(t, k) = *vs_region_leaked(t, t->nleaked - 1);
	t->nleaked--;
}
