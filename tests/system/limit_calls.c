/*
 * limit_calls.c: a process refused by vm.max_map_count in each call's way, for the
 * kernel table (test_kernels.py), where no Python runs: the guest's initramfs holds
 * busybox and the build. It climbs to the limit as the fastest way does (one
 * read-write mapping, mprotect on every other page until the kernel refuses: the
 * first refusal), then:
 *   limit_calls calls      munmap, madvise (EAGAIN), mremap and mmap refused once each
 *   limit_calls storm N    N refused munmap calls, as fast as it can
 *   limit_calls hold VMAS  no refusal: it stops at VMAS and holds them
 *   limit_calls rlimit     no climb: an mmap over RLIMIT_AS (ENOMEM, not the limit's)
 * Prints one line, "done PID ..." with what each call returned, then waits for SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static long limit_now(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	long v = 0;

	if (!f || fscanf(f, "%ld", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v;
}

/* Up to the limit (or `stop` VMAs made); the page index of the refused mprotect. */
static char *climb(size_t pages, size_t page, size_t stop, size_t *at)
{
	char *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	size_t made = 0;

	if (p == MAP_FAILED)
		return NULL;
	for (size_t i = 1; i + 1 < pages; i += 2, made += 2)
		if (made >= stop || mprotect(p + i * page, page, PROT_READ) != 0) {
			*at = i;
			return p;
		}
	*at = pages;
	return p;
}

static const char *result(long rc, int err)
{
	static char buf[4][32];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%ld:%s", rc, rc < 0 ? strerrorname_np(err) : "0");
	return buf[k];
}

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	long limit = limit_now();
	size_t pages = 2 * (size_t)limit + 64, at = 0;
	const char *mode = argc > 1 ? argv[1] : "";
	char *p;

	if (limit <= 0 || !*mode) {
		fprintf(stderr, "usage: limit_calls calls|storm N|hold VMAS|rlimit\n");
		return 64;
	}
	if (strcmp(mode, "rlimit") == 0) {
		struct rlimit r = {256UL << 20, 256UL << 20};
		if (setrlimit(RLIMIT_AS, &r) != 0)
			return 70;
		void *q = mmap(NULL, 1UL << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		printf("done %d rlimit=%s\n", getpid(), result(q == MAP_FAILED ? -1 : 0, errno));
	} else if (strcmp(mode, "hold") == 0 && argc > 2) {
		size_t want = (size_t)atol(argv[2]);
		if (!(p = climb(pages, page, want, &at)))
			return 70;
		printf("done %d hold=%zu\n", getpid(), at);
	} else if (strcmp(mode, "calls") == 0) {
		if (!(p = climb(pages, page, (size_t)-1, &at)) || at + 40 >= pages)
			return 70;
		char *big = p + (at + 10) * page; /* the untouched read-write tail: one VMA */
		long um = munmap(big + 4 * page, page);
		int eu = errno;
		long ma = madvise(big + 8 * page, page, MADV_DONTFORK);
		int ea = errno;
		char *dst = mmap(NULL, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(dst, 4 * page); /* a hole to move into: the count is limit + 1 meanwhile */
		void *mr = mremap(big + 12 * page, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		int er = errno;
		void *one = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		void *two = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int em = errno;
		if (one != MAP_FAILED)
			munmap(one, page);
		printf("done %d mprotect_at=%zu munmap=%s madvise=%s mremap=%s mmap=%s\n", getpid(),
		       at, result(um, eu), result(ma, ea), result(mr == MAP_FAILED ? -1 : 0, er),
		       result(two == MAP_FAILED ? -1 : 0, em));
	} else if (strcmp(mode, "storm") == 0 && argc > 2) {
		long n = atol(argv[2]), refused = 0;
		if (!(p = climb(pages, page, (size_t)-1, &at)) || at + 20 >= pages)
			return 70;
		char *target = p + (at + 14) * page;
		for (long i = 0; i < n; i++)
			refused += munmap(target, page) != 0;
		printf("done %d storm=%ld\n", getpid(), refused);
	} else {
		fprintf(stderr, "limit_calls: unknown mode %s\n", mode);
		return 64;
	}
	fflush(stdout);
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	int sig;
	sigwait(&term, &sig);
	return 0;
}
