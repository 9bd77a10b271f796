/* mi_climb.c: a real mimalloc program (Debian's libmimalloc2.0) climbing toward
 * vm.max_map_count, for test_forecast: `mi_climb PER_SECOND [MAX]`. Each step asks
 * mimalloc for two huge blocks (17 MiB: each its own OS mapping), writes to the first
 * and frees the second: the freed one goes back to the OS and leaves a hole, so every
 * step keeps one more VMA, as a heap of huge buffers does. It stops at the first
 * allocation mimalloc cannot make (it returns NULL: its mmap refused with ENOMEM at
 * the limit), prints "null at N VMAS T" (its steps, /proc/self/maps' count, the
 * realtime seconds), or "made N" after MAX steps, and holds 2 s. */
#include <fcntl.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* /proc/self/maps' lines, read without allocating (at the limit a FILE's buffer
 * cannot be mapped). */
static long maps(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	long n = 0;
	ssize_t got;

	if (fd < 0)
		return -1;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	double rate = argc > 1 ? atof(argv[1]) : 1000;
	long max = argc > 2 ? atol(argv[2]) : 1000000;
	size_t huge = (size_t)17 << 20;
	double t0 = clock_s(CLOCK_MONOTONIC);

	for (long i = 0; i < max; i++) {
		double wait = t0 + (double)i / rate - clock_s(CLOCK_MONOTONIC);
		if (wait > 0)
			usleep((useconds_t)(wait * 1e6));
		char *kept = mi_malloc(huge), *freed = mi_malloc(huge);
		if (!kept || !freed) {
			printf("null at %ld %ld %.6f\n", i, maps(), clock_s(CLOCK_REALTIME));
			fflush(stdout);
			sleep(2);
			return 0;
		}
		memset(kept, 1, 64);
		mi_free(freed);
	}
	printf("made %ld\n", max);
	fflush(stdout);
	sleep(2);
	return 0;
}
