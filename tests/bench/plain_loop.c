/* plain_loop.c: the physical reference: mmap + mprotect(separator) + munmap, no bookkeeping. */
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
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	unsigned max_pages = argc > 2 ? (unsigned)atoi(argv[2]) : 16;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned long cycles = 0, seed = 1;
	double t0 = now(), t;

	do {
		for (int i = 0; i < 256; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			size_t pages = 1 + (seed >> 33) % max_pages;
			size_t len = (pages + 1) * page;
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			if (p == MAP_FAILED || mprotect(p + pages * page, page, PROT_NONE) < 0 ||
			    munmap(p, len) < 0) {
				perror("plain_loop");
				return 1;
			}
			cycles++;
		}
		t = now();
	} while (t - t0 < seconds);
	printf("%.0f\n", (double)cycles / (t - t0));
	return 0;
}
