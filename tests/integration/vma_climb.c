/* vma_climb.c: a process that climbs toward vm.max_map_count, for tests in
 * containers: `vma_climb TARGET [PER_SECOND [HOLD_SECONDS [FROM]]]` makes TARGET more
 * VMAs (one mapping, every other page re-protected; PER_SECOND 0: at once; the first
 * FROM of them at once, then PER_SECOND), retrying a
 * refused split for up to 3 s (the limit may be raised meanwhile), prints
 * "made N refused R" and holds them HOLD_SECONDS (default 600). With
 * VMA_CLIMB_FIRST_REFUSED=PATH, the realtime seconds of the first refused call are
 * written to PATH. Static: it runs in
 * an image of its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
	long target = argc > 1 ? atol(argv[1]) : 1000;
	double rate = argc > 2 ? atof(argv[2]) : 0, hold = argc > 3 ? atof(argv[3]) : 600;
	long from = argc > 4 ? atol(argv[4]) : 0;
	long page = sysconf(_SC_PAGESIZE), made = 0, refused = 0;
	size_t pages = (size_t)(2 * target + 4);
	char *p = mmap(NULL, pages * (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	double t0 = now(), stuck = 0;
	int climbing = 0;
	for (size_t i = 1; made < target && i + 1 < pages;) {
		if (rate > 0 && made >= from) {
			double wait = t0 + (double)(made - from) / rate - now();
			if (wait > 0) /* once: a second reading may be past it */
				usleep((useconds_t)(wait * 1e6));
		}
		if (from && made >= from && !climbing) {
			t0 = now(); /* the climb at PER_SECOND starts here */
			climbing = 1;
		}
		if (mprotect(p + i * (size_t)page, (size_t)page, PROT_READ) == 0) {
			made += 2; /* the page re-protected and the rest after it */
			i += 2;
			stuck = 0;
			continue;
		}
		if (errno != ENOMEM) {
			perror("mprotect");
			return 1;
		}
		if (!refused++ && getenv("VMA_CLIMB_FIRST_REFUSED")) {
			struct timespec rt;
			FILE *f = fopen(getenv("VMA_CLIMB_FIRST_REFUSED"), "w");
			clock_gettime(CLOCK_REALTIME, &rt);
			if (f) {
				fprintf(f, "%.6f\n", (double)rt.tv_sec + (double)rt.tv_nsec / 1e9);
				fclose(f);
			}
		}
		if (!stuck)
			stuck = now();
		else if (now() - stuck > 3)
			break; /* the limit held: no raise came */
		usleep(1000);
	}
	printf("made %ld refused %ld\n", made, refused);
	fflush(stdout);
	for (double end = now() + hold; now() < end;)
		sleep(1);
	return 0;
}
