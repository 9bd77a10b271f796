/* kmem.c: slab bytes of the VMA caches from /proc/slabinfo, else SUnreclaim. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vmastress/model/kmem.h"
#include "vmastress/model/memcg.h"

#define SLABINFO "/proc/slabinfo"
#define MEMINFO "/proc/meminfo"
#define KMEM_TEXT_MAX (256 << 10) /* slabinfo of a large host: a few hundred caches */

/* The caches whose objects a VMA brings: the VMA, its maple tree nodes and,
 * once pages are written, its anon_vma and their chains. */
static const char *const caches[] = {"vm_area_struct", "maple_node", "anon_vma", "anon_vma_chain"};

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return 0;
}

int vs_kmem_parse_slabinfo(const char *text, uint64_t *bytes)
{
	unsigned found = 0;

	*bytes = 0;
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		for (size_t c = 0; c < sizeof(caches) / sizeof(caches[0]); c++) {
			size_t n = strlen(caches[c]);
			unsigned long long active, num, size;
			if (strncmp(line, caches[c], n) != 0 || line[n] != ' ' ||
			    sscanf(line + n, "%llu %llu %llu", &active, &num, &size) != 3)
				continue;
			*bytes += num * size; /* allocated objects: what the slabs hold */
			found++;
		}
	}
	return found ? 0 : -ENOENT;
}

int vs_kmem_parse_memory_stat(const char *text, uint64_t *bytes)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line)
		if (strncmp(line, "slab_unreclaimable ", 19) == 0) {
			*bytes = strtoull(line + 19, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

const char *vs_kmem_source_name(enum vs_kmem_source s)
{
	return s == VS_KMEM_MEMCG ? "memcg" : s == VS_KMEM_SLABINFO ? "slabinfo" : "meminfo";
}

/* The cgroup at dir holds this process and no other. */
static bool alone_in(const char *dir, char *text, size_t len)
{
	char path[448];
	long pid;
	int n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (read_text(path, text, len) < 0 || sscanf(text, "%ld%n", &pid, &n) != 1)
		return false;
	return pid == (long)getpid() && text[n + strspn(text + n, "\n")] == 0;
}

static int read_memcg(char *text, size_t len, uint64_t *bytes)
{
	char dir[384], path[448];
	bool v1;
	int r = vs_memcg_dir(dir, sizeof(dir), &v1);

	if (r < 0)
		return r;
	if (!alone_in(dir, text, len))
		return -EBUSY;
	/* v1's memory.kmem.slabinfo is empty since slab accounting went per object
	 * (5.9): its kernel memory in all, which the VMAs' slab dominates. */
	snprintf(path, sizeof(path), "%s/%s", dir,
		 v1 ? "memory.kmem.usage_in_bytes" : "memory.stat");
	if ((r = read_text(path, text, len)) < 0)
		return r;
	if (v1) {
		char *end;
		*bytes = strtoull(text, &end, 10);
		return end == text ? -EINVAL : 0;
	}
	return vs_kmem_parse_memory_stat(text, bytes);
}

int vs_kmem_read(struct vs_kmem *k)
{
	static char text[KMEM_TEXT_MAX];
	const char *p;

	if (read_memcg(text, sizeof(text), &k->bytes) == 0) {
		k->source = VS_KMEM_MEMCG;
		return 0;
	}
	if (read_text(SLABINFO, text, sizeof(text)) == 0 &&
	    vs_kmem_parse_slabinfo(text, &k->bytes) == 0) {
		k->source = VS_KMEM_SLABINFO;
		return 0;
	}
	k->source = VS_KMEM_MEMINFO;
	int r = read_text(MEMINFO, text, sizeof(text));
	if (r < 0)
		return r;
	if (!(p = strstr(text, "SUnreclaim:")))
		return -ENOENT;
	k->bytes = strtoull(p + strlen("SUnreclaim:"), NULL, 10) * 1024; /* kB */
	return 0;
}
