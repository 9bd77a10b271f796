/* vma.c: vm.max_map_count, counting /proc/self/maps, and PROCMAP_QUERY lookups. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmastress/log/log.h"
#include "vmastress/model/vma.h"

int vs_vma_guard_supported(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p =
	    mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r = 0;

	if (p == MAP_FAILED)
		return -errno;
	if (madvise(p, (size_t)page, MADV_GUARD_INSTALL) < 0)
		r = -errno;
	munmap(p, (size_t)page);
	return r;
}

long vs_vma_test_limit(void)
{
#ifdef VS_SANITIZER
	static _Atomic long cached = -1;
	long n = atomic_load_explicit(&cached, memory_order_relaxed);

	if (n < 0) {
		const char *v = getenv("VMASTRESS_TEST_MAX_MAP_COUNT");
		char *end;

		errno = 0;
		n = v ? strtol(v, &end, 10) : 0;
		if (!v || errno || end == v || *end || n <= 0)
			n = 0;
		atomic_store_explicit(&cached, n, memory_order_relaxed);
	}
	return n;
#else
	return 0;
#endif
}

int vs_vma_write_limit(const char *path, long limit)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%ld\n", limit), e = 0;
	int fd = open(path ? path : VS_SYSCTL_MAX_MAP_COUNT,
		      O_WRONLY | O_CLOEXEC | (path ? O_TRUNC : 0));

	if (fd < 0)
		e = -errno;
	else {
		if (write(fd, text, (size_t)n) != n)
			e = errno ? -errno : -EIO;
		close(fd);
	}
	/* The one write of the limit: every one said, done or not. */
	if (e)
		vs_log_errno(LOG_WARNING, e, "cannot write %ld to %s", limit,
			     path ? path : VS_SYSCTL_MAX_MAP_COUNT);
	else
		vs_log(LOG_INFO, "wrote %ld to %s", limit, path ? path : VS_SYSCTL_MAX_MAP_COUNT);
	return e;
}

int vs_vma_read_limit(const char *path, long *limit)
{
	char buf[32];
	char *end;
	int fd;

	if (!path && vs_vma_test_limit()) {
		*limit = vs_vma_test_limit();
		return 0;
	}
	ssize_t n;

	fd = open(path ? path : VS_SYSCTL_MAX_MAP_COUNT, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	if (n <= 0)
		return n < 0 ? -e : -EIO;
	buf[n] = 0;
	errno = 0;
	*limit = strtol(buf, &end, 10);
	if (errno || end == buf || *limit <= 0)
		return -EINVAL;
	return 0;
}

int vs_vma_count_fd(int fd, char *buf, size_t len, long *count)
{
	char tail[192];
	size_t tlen = 0;
	long lines = 0;
	ssize_t n;

	while ((n = read(fd, buf, len)) > 0) {
		for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
			lines++;
		/* Keep the stream's last bytes: [vsyscall], when present, is the last line. */
		if ((size_t)n >= sizeof(tail)) {
			memcpy(tail, buf + n - sizeof(tail), sizeof(tail));
			tlen = sizeof(tail);
		} else {
			size_t keep =
			    tlen + (size_t)n > sizeof(tail) ? sizeof(tail) - (size_t)n : tlen;
			memmove(tail, tail + tlen - keep, keep);
			memcpy(tail + keep, buf, (size_t)n);
			tlen = keep + (size_t)n;
		}
	}
	if (n < 0)
		return -errno;
	while (tlen && tail[tlen - 1] == '\n')
		tlen--;
	size_t start = tlen;
	while (start && tail[start - 1] != '\n')
		start--;
	if (memmem(tail + start, tlen - start, "[vsyscall]", 10))
		lines--;
	*count = lines;
	return 0;
}

int vs_vma_count_file(const char *path, long *count)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	/* Static: counting runs at the limit, where a malloc may be what fails. */
	static char buf[1 << 16];

	r = vs_vma_count_fd(fd, buf, sizeof(buf), count);
	close(fd);
	return r;
}

int vs_vma_count_self(long *count)
{
	return vs_vma_count_file("/proc/self/maps", count);
}

/* PROCMAP_QUERY, from <linux/fs.h> of Linux 6.11; defined here so the build
 * does not depend on the installed kernel headers. */
struct vs_procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags;
	uint64_t vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define VS_PROCMAP_QUERY _IOWR('f', 17, struct vs_procmap_query)
#define VS_PROCMAP_READABLE 1
#define VS_PROCMAP_WRITABLE 2
#define VS_PROCMAP_EXECUTABLE 4
#define VS_PROCMAP_COVERING_OR_NEXT 0x10

void vs_vma_probe_open(struct vs_vma_probe *p)
{
	struct vs_vma_info v;

	p->fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	p->available = false;
	if (p->fd < 0)
		return;
	p->available = true;
	if (vs_vma_probe_next(p, 0, &v) < 0)
		p->available = false;
}

void vs_vma_probe_close(struct vs_vma_probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->available = false;
}

static int prot_of(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

int vs_maps_lines(const char *path, char *buf, size_t len, int (*fn)(char *line, void *arg),
		  void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool skip = false; /* the rest of a line longer than buf, already given */
	size_t have = 0;
	ssize_t n = 0;
	int r = 0;

	if (fd < 0)
		return -errno;
	while (!r && (n = read(fd, buf + have, len - 1 - have)) > 0) {
		char *line = buf, *nl;
		have += (size_t)n;
		buf[have] = 0;
		while (!r && (nl = memchr(line, '\n', (size_t)(buf + have - line)))) {
			*nl = 0;
			if (!skip)
				r = fn(line, arg);
			skip = false;
			line = nl + 1;
		}
		have = (size_t)(buf + have - line);
		memmove(buf, line, have);
		if (!r && have == len - 1) { /* no newline in all of buf */
			buf[have] = 0;
			if (!skip)
				r = fn(buf, arg);
			skip = true;
			have = 0;
		}
	}
	if (!r && n < 0)
		r = -errno;
	close(fd);
	return r;
}

struct next_after {
	uintptr_t addr;
	struct vs_vma_info *out;
};

static int next_after(char *line, void *arg)
{
	struct next_after *a = arg;
	uintmax_t s, e;
	char perms[5];

	if (sscanf(line, "%jx-%jx %4s", &s, &e, perms) != 3 || e <= a->addr)
		return 0;
	a->out->start = (uintptr_t)s;
	a->out->end = (uintptr_t)e;
	a->out->prot = prot_of(perms);
	return 1;
}

/* Fallback: the first line of /proc/self/maps whose end is above addr. */
static int scan_next(uintptr_t addr, struct vs_vma_info *out)
{
	char buf[4096];
	struct next_after a = {addr, out};
	int r = vs_maps_lines("/proc/self/maps", buf, sizeof(buf), next_after, &a);

	return r == 1 ? 0 : r < 0 ? r : -ENOENT;
}

int vs_vma_probe_next(struct vs_vma_probe *p, uintptr_t addr, struct vs_vma_info *out)
{
	struct vs_procmap_query q;

	if (!p->available)
		return scan_next(addr, out);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_flags = VS_PROCMAP_COVERING_OR_NEXT;
	q.query_addr = addr;
	if (ioctl(p->fd, VS_PROCMAP_QUERY, &q) < 0)
		return -errno;
	out->start = (uintptr_t)q.vma_start;
	out->end = (uintptr_t)q.vma_end;
	out->prot = ((q.vma_flags & VS_PROCMAP_READABLE) ? PROT_READ : 0) |
		    ((q.vma_flags & VS_PROCMAP_WRITABLE) ? PROT_WRITE : 0) |
		    ((q.vma_flags & VS_PROCMAP_EXECUTABLE) ? PROT_EXEC : 0);
	return 0;
}

int vs_vma_probe_count(struct vs_vma_probe *p, uintptr_t lo, uintptr_t hi, long *count)
{
	struct vs_vma_info v;
	uintptr_t a = lo;
	long n = 0;
	int r;

	while (a < hi) {
		r = vs_vma_probe_next(p, a, &v);
		if (r == -ENOENT)
			break;
		if (r < 0)
			return r;
		if (v.start >= hi)
			break;
		n++;
		a = v.end;
	}
	*count = n;
	return 0;
}
