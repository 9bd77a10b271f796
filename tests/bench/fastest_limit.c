/* fastest_limit.c: the reference for the time to reach vm.max_map_count: one
 * read-write mapping of twice the limit in pages, then mprotect(PROT_READ) on
 * every other page until the kernel refuses. Prints the seconds it took and the
 * VMAs made. With VMAS, it stops once it has made that many (the reference for
 * a demand below the limit). With "hold" after, it then holds them until its
 * standard input closes (a process of known size for watch mode's benchmark).
 * With --file the mapping is a shared memfd instead: the same for file-backed
 * VMAs, whose splits also update the file's interval tree (the files shape's floor).
 * With "teardown" after, it then unmaps them a pair a call from the top and prints
 * those seconds too (the reference for the daemon's teardown).
 * With "storm SECONDS" after, it then makes refused munmap calls at full speed for
 * that long (a page inside the untouched read-write tail: a split the limit refuses)
 * and prints their number and rate; with "climb SECONDS", it climbs to the limit,
 * unmaps it all and climbs again until then (each climb stops at VMAS too), and prints
 * the climbs (the two moments a watch must keep answering its clients through).
 * Usage: fastest_limit [--file] LIMIT [VMAS [hold|teardown|storm S|climb S]] */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	bool file = argc > 1 && strcmp(argv[1], "--file") == 0;
	if (file)
		argc--, argv++;
	long limit = argc > 1 ? atol(argv[1]) : 0;
	size_t want = argc > 2 ? (size_t)atol(argv[2]) : (size_t)-1;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = 2 * (size_t)limit + 2, made = 0;

	if (limit <= 0) {
		fprintf(stderr, "usage: fastest_limit [--file] LIMIT [VMAS [hold]]\n");
		return 64;
	}
	int fd = file ? memfd_create("fastest_limit", MFD_CLOEXEC) : -1;
	if (file && (fd < 0 || ftruncate(fd, (off_t)(pages * page)) < 0)) {
		perror("memfd");
		return 70;
	}
	char *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
		       file ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 70;
	}
	double t0 = now();
	for (size_t i = 1; i < pages && made < want; i += 2, made += 2)
		if (mprotect(p + i * page, page, PROT_READ) < 0) {
			if (errno != ENOMEM) {
				perror("mprotect");
				return 70;
			}
			break;
		}
	printf("%.6f %zu\n", now() - t0, made);
	fflush(stdout); /* read by a caller that waits for the climb */
	if (argc > 3 && strcmp(argv[3], "hold") == 0) {
		char c;
		while (read(0, &c, 1) > 0)
			;
	}
	if (argc > 4 && strcmp(argv[3], "storm") == 0) {
		double end = now() + atof(argv[4]), t = now();
		unsigned long refused = 0, calls = 0;
		char *target = p + (made + 11) * page; /* inside the read-write tail */
		if (made + 12 >= pages) {
			fprintf(stderr, "storm: no read-write tail to split\n");
			return 70;
		}
		for (; (calls & 1023) || now() < end; calls++)
			if (munmap(target, page) < 0)
				refused++;
		printf("%lu %.0f\n", refused, (double)calls / (now() - t));
		return refused == calls ? 0 : 70;
	}
	if (argc > 4 && strcmp(argv[3], "climb") == 0) {
		double end = now() + atof(argv[4]);
		unsigned climbs = 1;
		while (now() < end) {
			if (munmap(p, pages * page) < 0 ||
			    (p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)) ==
				MAP_FAILED) {
				perror("climb");
				return 70;
			}
			for (size_t i = 1, k = 0;
			     i < pages && k < want && mprotect(p + i * page, page, PROT_READ) == 0;
			     i += 2, k += 2)
				;
			climbs++;
		}
		printf("%u\n", climbs);
		return 0;
	}
	/* The teardown reference: the layout unmapped from the top, a VMA pair (2
	 * pages) a call, as a daemon unmaps its regions one by one; its seconds. */
	if (argc > 3 && strcmp(argv[3], "teardown") == 0) {
		t0 = now();
		size_t top = made + 2 < pages ? made + 2 : pages;
		for (size_t i = top; i >= 2; i -= 2)
			if (munmap(p + (i - 2) * page, 2 * page) < 0) {
				perror("munmap");
				return 70;
			}
		printf("%.6f\n", now() - t0);
	}
	return 0;
}
