/* unit.c: the systemd unit, or the container, a process belongs to, from its cgroup
 * v2 path: what the watch lists, counts hits and keeps peaks by. */
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vmastress/watch/names/unit.h"

static bool is_unit(const char *name, size_t len)
{
	static const char *const suffixes[] = {".service", ".scope", ".socket", ".mount",
					       ".swap",	   ".timer", ".path"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t s = strlen(suffixes[i]);
		if (len > s && memcmp(name + len - s, suffixes[i], s) == 0)
			return true;
	}
	return false;
}

/* The hex id after `prefix` in [p, p + n) ("docker-<64 hex>.scope"), its first 12
 * characters into id; false when it is not there. */
static bool container_id(const char *p, size_t n, const char *prefix, char id[13])
{
	size_t k = strlen(prefix), h = 0;

	if (n <= k || memcmp(p, prefix, k) != 0)
		return false;
	while (k + h < n && strchr("0123456789abcdef", p[k + h]) && p[k + h])
		h++;
	if (h < 12)
		return false;
	memcpy(id, p + k, 12);
	id[12] = 0;
	return true;
}

/* A container's name from its cgroup path: docker:ID12 and podman:ID12 (systemd's
 * docker-ID.scope, libpod-ID.scope), pod:UID/ID12 under kubepods (systemd driver:
 * kubepods-...-podUID.slice/cri-containerd-ID.scope, crio-, docker-; cgroupfs
 * driver: kubepods/.../podUID/ID). Limits are per process on a shared host: the
 * container is what an operator looks for. */
static bool container_of(const char *path, char *unit, size_t len)
{
	char id[13], pod[64] = "";
	bool kube = strstr(path, "kubepods") != NULL;

	for (const char *p = path; *p && *p != '\n';) {
		size_t n = strcspn(p, "/\n");
		/* "kubepods-burstable-podUID.slice", or cgroupfs's "podUID" */
		const char *pp = memmem(p, n, "-pod", 4);
		pp = pp ? pp + 1 : n > 3 && memcmp(p, "pod", 3) == 0 ? p : NULL;
		if (kube && pp && (size_t)(pp - p) + 3 < n && !pod[0]) {
			/* podUID.slice (underscores for dashes) or podUID */
			size_t u = 0, start = (size_t)(pp - p) + 3;
			while (start + u < n && u + 1 < sizeof(pod) && p[start + u] != '.') {
				pod[u] = p[start + u] == '_' ? '-' : p[start + u];
				u++;
			}
			pod[u] = 0;
			if (u < 8)
				pod[0] = 0;
		}
		if (kube && pod[0] &&
		    (container_id(p, n, "cri-containerd-", id) || container_id(p, n, "crio-", id) ||
		     container_id(p, n, "docker-", id) || container_id(p, n, "", id))) {
			snprintf(unit, len, "pod:%s/%s", pod, id);
			return true;
		}
		if (!kube && container_id(p, n, "docker-", id)) {
			snprintf(unit, len, "docker:%s", id);
			return true;
		}
		if (!kube && container_id(p, n, "libpod-", id)) {
			snprintf(unit, len, "podman:%s", id);
			return true;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return false;
}

/* The unit a cgroup v2 path ("0::/system.slice/foo.service") belongs to: its
 * deepest component that is a unit (a service's own sub-cgroups under it are
 * the service's), else its deepest slice; "" when none. */
void vs_watch_unit_of(const char *cgroup, char *unit, size_t len)
{
	const char *path = strstr(cgroup, "0::/"), *best = NULL, *slice = NULL;
	size_t best_len = 0, slice_len = 0;

	unit[0] = 0;
	if (!path)
		return;
	if (container_of(path + 4, unit, len))
		return;
	for (const char *p = path + 4; *p && *p != '\n';) {
		size_t n = strcspn(p, "/\n");
		if (is_unit(p, n)) {
			best = p;
			best_len = n;
		} else if (n > 6 && memcmp(p + n - 6, ".slice", 6) == 0) {
			slice = p;
			slice_len = n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (!best) {
		best = slice;
		best_len = slice_len;
	}
	if (best)
		snprintf(unit, len, "%.*s", (int)best_len, best);
}

void vs_watch_unit_of_pid(long pid, char *unit, size_t len)
{
	char path[40], buf[4096];
	int fd;
	ssize_t n;

	unit[0] = 0;
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	vs_watch_unit_of(buf, unit, len);
}

/* A cgroup v2 directory's inode is its id: the tree walked for it (nftw cannot pass
 * a context, hence these two). */
static unsigned long long wanted_ino;
static char found_path[512];

static int find_ino(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D && (unsigned long long)st->st_ino == wanted_ino) {
		snprintf(found_path, sizeof(found_path), "%s", path);
		return 1;
	}
	return 0;
}

void vs_watch_unit_of_cgroup(unsigned long long id, char *unit, size_t len)
{
	static char root[256];
	char text[600];

	unit[0] = 0;
	if (!root[0]) { /* the cgroup v2 mount: /sys/fs/cgroup, or hybrid's unified */
		FILE *f = fopen("/proc/self/mounts", "re");
		char dev[64], dir[256], type[32];
		while (f && fscanf(f, "%63s %255s %31s %*[^\n]", dev, dir, type) == 3)
			if (strcmp(type, "cgroup2") == 0) {
				snprintf(root, sizeof(root), "%s", dir);
				break;
			}
		if (f)
			fclose(f);
		if (!root[0])
			return;
	}
	wanted_ino = id;
	found_path[0] = 0;
	nftw(root, find_ino, 16, FTW_PHYS | FTW_MOUNT);
	snprintf(text, sizeof(text), "0::%s\n", found_path[0] ? found_path + strlen(root) : "/");
	vs_watch_unit_of(text, unit, len);
}
