/*
 * syscall_loop.c: an unrelated syscall loop, for what the watch's catch costs the
 * rest of the host: getpid() and a 64-byte pread() of a small file, alternately.
 *   syscall_loop SECONDS FILE
 * Prints calls per second.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
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
	char buf[64];
	unsigned long n = 0;

	if (argc != 3)
		return fprintf(stderr, "usage: syscall_loop SECONDS FILE\n"), 64;
	double secs = atof(argv[1]), t0 = now(), t;
	int fd = open(argv[2], O_RDONLY);
	if (fd < 0)
		return perror(argv[2]), 66;
	do {
		for (int i = 0; i < 1000; i++) {
			syscall(SYS_getpid); /* not glibc's cached one */
			if (pread(fd, buf, sizeof(buf), 0) < 0)
				return perror("pread"), 1;
		}
		n += 2000;
	} while ((t = now()) - t0 < secs);
	printf("%.0f\n", (double)n / (t - t0));
	return 0;
}
