/* worker.c: one worker thread: its seeded loop, parking, periodic leak retries, teardown. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "vmastress/shapes/shape.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/work/step.h"
#include "vmastress/work/worker.h"

int vs_worker_init(struct vs_worker *w, unsigned index, struct vs_shared *sh, uint64_t seed,
		   size_t regions, uint64_t max_ops)
{
	const struct vs_config *cfg = sh->cfg;
	/* Room for the table's worth of average regions, twice over for holes. */
	size_t avg = ((size_t)cfg->mapping_min_pages + cfg->mapping_max_pages) / 2 +
		     cfg->mapping_separator_pages;
	size_t pages =
	    regions * avg * 2 + (size_t)cfg->mapping_max_pages + cfg->mapping_separator_pages + 2;
	int r;

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->sh = sh;
	w->max_ops = max_ops;
	vs_rng_seed(&w->rng, seed, index);
	w->probe.fd = -1;
	w->call = -1;
	r = vs_region_table_init(&w->table, regions);
	if (r < 0)
		return r;
	/* Big enough for any later max_pages: reloads may change sizes. */
	w->scratch = malloc(VS_PAGES_MAX_SCRATCH);
	if (!w->scratch) {
		vs_region_table_free(&w->table);
		return -ENOMEM;
	}
	r = vs_arena_init(&w->arena, pages, sh->page, true);
	if (r < 0) {
		free(w->scratch);
		vs_region_table_free(&w->table);
		return r;
	}
	vs_vma_probe_open(&w->probe);
	return 0;
}

void vs_worker_destroy(struct vs_worker *w)
{
	if (w->sh && w->sh->shape && w->sh->shape->teardown)
		w->sh->shape->teardown(w);
	vs_arena_destroy(&w->arena);
	vs_vma_probe_close(&w->probe);
	vs_region_table_free(&w->table);
	free(w->scratch);
	w->scratch = NULL;
}

static void park(struct vs_worker *w, bool until_stop)
{
	struct vs_shared *sh = w->sh;

	pthread_mutex_lock(&sh->lock);
	sh->parked++;
	pthread_cond_broadcast(&sh->cond);
	while (!atomic_load(&sh->stop) && !atomic_load(&w->quit) &&
	       (until_stop || atomic_load(&sh->pause)))
		pthread_cond_wait(&sh->cond, &sh->lock);
	sh->parked--;
	pthread_mutex_unlock(&sh->lock);
}

void *vs_worker_main(void *arg)
{
	struct vs_worker *w = arg;
	struct vs_shared *sh = w->sh;

	w->next_retry_ns = vs_now_ns();
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed) &&
	       !atomic_load_explicit(&w->quit, memory_order_relaxed)) {
		if (atomic_load_explicit(&sh->pause, memory_order_relaxed))
			park(w, false);
		if (atomic_load_explicit(&w->hang, memory_order_relaxed)) {
			struct timespec ts = {0, 10000000};
			nanosleep(&ts, NULL);
			continue;
		}
		if (w->max_ops && w->ops_done >= w->max_ops) {
			atomic_store(&w->finished, 1);
			park(w, true);
			break;
		}
		vs_step(w);
		w->ops_done++;
		vs_counter_add(&w->ctr.progress, 1);
		if ((w->ops_done & 63) == 0 && w->table.nleaked) {
			uint64_t now = vs_now_ns();
			if (now >= w->next_retry_ns) {
				vs_step_retry_leaks(w);
				/* Read each time: a reload may change it. */
				w->next_retry_ns =
				    now + (uint64_t)sh->cfg->leaks_retry_interval_ms * 1000000ULL;
			}
		}
	}
	atomic_store(&w->finished, 1);
	return NULL;
}

/* By address, in place: introsort (quicksort, median of three, insertion sort for
 * short runs, heapsort past twice the expected depth). Not qsort(): glibc's takes a
 * malloc'ed copy of an array this large, and teardown starts at the VMA limit,
 * where that malloc is an mmap the kernel refuses (and several more as glibc
 * falls back). */
static void swap_regions(struct vs_region *a, struct vs_region *b)
{
	struct vs_region t = *a;
	*a = *b;
	*b = t;
}

static void sift_down(struct vs_region *r, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && r[child + 1].first > r[child].first)
			child++;
		if (r[root].first >= r[child].first)
			return;
		swap_regions(&r[root], &r[child]);
	}
}

static void heap_sort(struct vs_region *r, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(r, i, n);
	for (size_t end = n; end-- > 1;) {
		swap_regions(&r[0], &r[end]);
		sift_down(r, 0, end);
	}
}

static void sort_by_address(struct vs_region *r, size_t n, unsigned depth)
{
	while (n > 16) {
		if (depth-- == 0) {
			heap_sort(r, n);
			return;
		}
		size_t m = n / 2;
		if (r[m].first < r[0].first)
			swap_regions(&r[m], &r[0]);
		if (r[n - 1].first < r[0].first)
			swap_regions(&r[n - 1], &r[0]);
		if (r[n - 1].first < r[m].first)
			swap_regions(&r[n - 1], &r[m]);
		uint32_t pivot = r[m].first;
		size_t i = 0, j = n - 1;
		for (;;) { /* Hoare: r[0] <= pivot <= r[n - 1] bound both scans */
			while (r[i].first < pivot)
				i++;
			while (r[j].first > pivot)
				j--;
			if (i >= j)
				break;
			swap_regions(&r[i++], &r[j--]);
		}
		/* [0, j] <= pivot <= [j + 1, n): the smaller side recursively */
		size_t left = j + 1;
		if (left < n - left) {
			sort_by_address(r, left, depth);
			r += left;
			n -= left;
		} else {
			sort_by_address(r + left, n - left, depth);
			n = left;
		}
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && r[k - 1].first > r[k].first; k--)
			swap_regions(&r[k - 1], &r[k]);
}

void vs_worker_teardown(struct vs_worker *w)
{
	size_t before;

	/* Highest address first (the table's last slot, so nothing moves): each
	 * unmap takes the top of whatever VMA its region shares with neighbours
	 * below, and never splits one. In table order, every region merged with
	 * both neighbours would add a VMA on the way down: a peak past the cap,
	 * and kernel memory past the memory cgroup's room. */
	sort_by_address(w->table.slots, w->table.nlive, 2 * 64);
	while (w->table.nlive)
		vs_mapops_unmap(w, w->table.nlive - 1, false);
	/* Every unmap lowers the count, so leaks left by the limit come free. */
	do {
		before = w->table.nleaked;
		vs_step_retry_leaks(w);
	} while (w->table.nleaked && w->table.nleaked < before);
}

void vs_worker_start_over(struct vs_worker *w, const struct vs_shape *was)
{
	vs_worker_teardown(w);
	if (was && was->teardown)
		was->teardown(w);
	memset(w->shape_state, 0, sizeof(w->shape_state));
	w->build_region = 0;
	w->build_page = 0;
	/* The pieces of reservation left between the old shape's regions are VMAs
	 * with nothing to unmap: left as they are, they held the count above the
	 * next shape's cap for good (a worker holding nothing, held forever). */
	vs_mapops_rereserve(w);
}
