/* memcg.c: the memory cgroup limit from /proc/self/cgroup and /sys/fs/cgroup (v2 or v1). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vmastress/model/memcg.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* A number from a cgroup file; "max" (v2) is no limit. */
static int read_value(const char *dir, const char *name, uint64_t *out)
{
	char path[512], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "re")))
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*out = strncmp(buf, "max", 3) == 0 ? UINT64_MAX : strtoull(buf, NULL, 10);
	return 0;
}

/* This process's path in the hierarchy: the v1 memory controller's line, else v2's "0::". */
static int own_path(char *v1, char *v2, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return -errno;
	v1[0] = v2[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (strncmp(ctl + 1, "memory:", 7) == 0 || strstr(ctl + 1, ",memory:"))
			snprintf(v1, len, "%s/memory%s", CGROUP_ROOT, path + 1);
		else if (strncmp(line, "0::", 3) == 0)
			snprintf(v2, len, "%s%s", CGROUP_ROOT, path + 1);
	}
	fclose(f);
	return 0;
}

int vs_memcg_dir(char *dir, size_t len, bool *v1)
{
	char a[384], b[384];
	int r = own_path(a, b, sizeof(a));

	if (r < 0)
		return r;
	if (!a[0] && !b[0])
		return -ENOENT;
	*v1 = a[0] != 0;
	snprintf(dir, len, "%s", a[0] ? a : b);
	return 0;
}

int vs_memcg_read(uint64_t *limit, uint64_t *usage)
{
	char v1[384], v2[384], dir[384];
	const char *max_name, *usage_name;
	int r = own_path(v1, v2, sizeof(v1));

	*limit = UINT64_MAX;
	*usage = 0;
	if (r < 0)
		return r;
	/* v1's memory controller where it is mounted, else the unified hierarchy. */
	if (v1[0]) {
		snprintf(dir, sizeof(dir), "%s", v1);
		max_name = "memory.limit_in_bytes";
		usage_name = "memory.usage_in_bytes";
	} else if (v2[0]) {
		snprintf(dir, sizeof(dir), "%s", v2);
		max_name = "memory.max";
		usage_name = "memory.current";
	} else
		return -ENOENT;
	if ((r = read_value(dir, usage_name, usage)) < 0)
		return r;
	/* The tightest limit on the way up to the root. */
	for (;;) {
		uint64_t v;
		if (read_value(dir, max_name, &v) == 0 && v < *limit)
			*limit = v;
		char *slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) <= strlen(CGROUP_ROOT))
			break;
		*slash = 0;
	}
	/* v1 spells "no limit" as a page-rounded LONG_MAX. */
	if (*limit >= (UINT64_MAX >> 2))
		*limit = UINT64_MAX;
	return 0;
}

int vs_memory_rss_peak(uint64_t *bytes)
{
	char buf[2048]; /* /proc/self/status is ~1.5 KiB; VmHWM sits in its first half */
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	const char *line = strstr(buf, "\nVmHWM:");
	if (!line)
		return -ENOENT;
	*bytes = strtoull(line + strlen("\nVmHWM:"), NULL, 10) * 1024; /* kB */
	return 0;
}
