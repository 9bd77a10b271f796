/* ballast.c: the emulated limit's ballast: alternate pages of one reservation. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "vmastress/model/ballast.h"
#include "vmastress/model/vma.h"

int vs_ballast_create(struct vs_ballast *b, long vmas, size_t page)
{
	memset(b, 0, sizeof(*b));
	if (vmas <= 0)
		return 0;
	b->page = page;
	b->pages = (size_t)vmas;
	void *p = mmap(NULL, b->pages * page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	b->base = (uintptr_t)p;
	if (madvise(p, b->pages * page, MADV_DONTFORK) < 0 ||
	    madvise(p, b->pages * page, MADV_DONTDUMP) < 0) {
		int e = errno;
		munmap(p, b->pages * page);
		b->base = 0;
		return -e;
	}
	b->vmas = 1;
	/* Pages 1, 3, 5, ... read-only between PROT_NONE ones: every page a VMA. */
	for (size_t i = 1; i < b->pages; i += 2) {
		if (mprotect((void *)(b->base + i * page), page, PROT_READ) < 0) {
			int e = errno;
			vs_ballast_destroy(b);
			return -e;
		}
		b->vmas += i + 1 < b->pages ? 2 : 1;
	}
	return 0;
}

int vs_ballast_count(const struct vs_ballast *b, long *count)
{
	struct vs_vma_probe probe;
	int r;

	*count = 0;
	if (!b->base)
		return 0;
	vs_vma_probe_open(&probe);
	r = vs_vma_probe_count(&probe, b->base, b->base + b->pages * b->page, count);
	vs_vma_probe_close(&probe);
	return r;
}

void vs_ballast_destroy(struct vs_ballast *b)
{
	if (b->base)
		munmap((void *)b->base, b->pages * b->page);
	b->base = 0;
	b->vmas = 0;
}
