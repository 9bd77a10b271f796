/*
 * plain_loop.c: the physical reference for the churn benchmark: the daemon's
 * cycle with no bookkeeping. A cycle maps [separator][data] PROT_NONE and
 * opens the data read-write (mmap + mprotect, as vmastressd does); with
 * CAP 0 it then unmaps the region again, otherwise the loop walks as churn
 * does: each step maps (a cycle) or unmaps a random live region, 50/50, with
 * at most CAP regions live, so it holds the population the daemon holds.
 * TOUCH data pages of each region are written, as touch_pages does.
 *   plain_loop SECONDS [[MIN-]MAX_PAGES [CAP [THREADS [TOUCH]]]]
 * Prints cycles (regions mapped) per second, summed over the threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct loop {
	pthread_t thread;
	unsigned index;
	double seconds;
	unsigned min_pages, max_pages, touch;
	size_t live;
	unsigned long cycles;
	double elapsed;
	int failed;
} __attribute__((aligned(64))); /* one cache line each: no false sharing between threads */

static size_t page;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unmap live region k; the last one takes its slot. */
static int drop(char **ring, size_t *lens, size_t *nlive, size_t k)
{
	if (munmap(ring[k], lens[k]) < 0) {
		perror("plain_loop: munmap");
		return -1;
	}
	--*nlive;
	ring[k] = ring[*nlive];
	lens[k] = lens[*nlive];
	return 0;
}

/* One step: unmap a random live region, or map one (a cycle). 0, or -1 on failure. */
static int step(struct loop *l, char **ring, size_t *lens, size_t *nlive, unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	if (*nlive && (*nlive == l->live || (*seed >> 63)))
		return drop(ring, lens, nlive, (*seed >> 17) % *nlive);
	size_t pages = l->min_pages + (*seed >> 33) % (l->max_pages - l->min_pages + 1);
	size_t len = (pages + 1) * page;
	char *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || mprotect(p + page, pages * page, PROT_READ | PROT_WRITE) < 0) {
		perror("plain_loop");
		return -1;
	}
	for (size_t k = 0; k < l->touch && k < pages; k++)
		*(volatile char *)(p + (1 + k) * page) = 1;
	ring[*nlive] = p;
	lens[(*nlive)++] = len;
	l->cycles++;
	return l->live ? 0 : drop(ring, lens, nlive, 0);
}

static void *run(void *arg)
{
	struct loop *l = arg;
	unsigned long seed = 1 + l->index;
	char **ring = calloc(l->live + 1, sizeof(*ring));
	size_t *lens = calloc(l->live + 1, sizeof(*lens));
	size_t nlive = 0;
	double t0 = now(), t;

	if (!ring || !lens) {
		l->failed = 1;
		goto out;
	}
	do {
		for (int i = 0; i < 256; i++)
			if (step(l, ring, lens, &nlive, &seed) < 0) {
				l->failed = 1;
				goto out;
			}
		t = now();
	} while (t - t0 < l->seconds);
	l->elapsed = t - t0;
out:
	for (size_t k = 0; k < nlive; k++)
		munmap(ring[k], lens[k]);
	free(ring);
	free(lens);
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	unsigned min_pages = 1, max_pages = 16;
	size_t live = argc > 3 ? (size_t)atol(argv[3]) : 0;
	unsigned threads = argc > 4 ? (unsigned)atoi(argv[4]) : 1;
	unsigned touch = argc > 5 ? (unsigned)atoi(argv[5]) : 0;
	double rate = 0;

	if (argc > 2 && sscanf(argv[2], "%u-%u", &min_pages, &max_pages) != 2) {
		min_pages = 1;
		max_pages = (unsigned)atoi(argv[2]);
	}
	page = (size_t)sysconf(_SC_PAGESIZE);
	if (seconds <= 0 || min_pages == 0 || max_pages < min_pages || threads == 0 ||
	    threads > 64) {
		fprintf(stderr,
			"usage: plain_loop SECONDS [[MIN-]MAX_PAGES [CAP [THREADS [TOUCH]]]]\n");
		return 64;
	}
	struct loop *l = aligned_alloc(64, threads * sizeof(*l));
	if (!l)
		return 1;
	for (unsigned i = 0; i < threads; i++) {
		l[i] = (struct loop){.index = i,
				     .seconds = seconds,
				     .min_pages = min_pages,
				     .max_pages = max_pages,
				     .touch = touch,
				     .live = live / threads};
		if (pthread_create(&l[i].thread, NULL, run, &l[i]) != 0)
			return 1;
	}
	for (unsigned i = 0; i < threads; i++) {
		pthread_join(l[i].thread, NULL);
		if (l[i].failed)
			return 1;
		rate += (double)l[i].cycles / l[i].elapsed;
	}
	printf("%.0f\n", rate);
	free(l);
	return 0;
}
