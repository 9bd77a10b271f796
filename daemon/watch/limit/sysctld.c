/* sysctld.c: where a sysctl's value comes from, by systemd-sysctl's rule, and which
 * package owns each file (dpkg's lists, or rpm -qf). On the scanner's thread. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vmastress/watch/limit/sysctld.h"

extern char **environ;

/* In priority order: a file name here masks the same name in the later ones. */
static const char *const dirs[] = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
				   "/usr/lib/sysctl.d", "/lib/sysctl.d"};
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))
#define FILES_MAX 512

struct conf {
	char name[256];
	unsigned dir;
	unsigned masker; /* the dir of the file that masks it; == dir: not masked */
	bool mask;	 /* empty, or a link to /dev/null: masks, sets nothing */
};

/* "vm/max_map_count" and "vm.max_map_count" are one key (sysctl.d(5)). */
static bool same_key(const char *a, size_t alen, const char *b)
{
	if (alen != strlen(b))
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '/' ? '.' : a[i], y = b[i] == '/' ? '.' : b[i];
		if (x != y)
			return false;
	}
	return true;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* The last line of path setting key: its value into *value (-1: not a number). */
static bool scan_file(const char *path, const char *key, long *value)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '-') /* "-key = value": failures ignored; the same assignment */
			s++;
		if (!(eq = strchr(s, '=')))
			continue;
		*eq = 0;
		char *k = trim(s), *v = trim(eq + 1), *end;
		if (!same_key(k, strlen(k), key))
			continue;
		errno = 0;
		long n = strtol(v, &end, 10);
		*value = *v && !*end && n >= 0 && !errno ? n : -1;
		found = true;
	}
	fclose(f);
	return found;
}

static int by_name(const void *a, const void *b)
{
	const struct conf *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->dir - (int)y->dir;
}

/* An empty file or a link to /dev/null: systemd's mask. */
static bool is_mask(const char *path)
{
	struct stat st;
	char to[32];
	ssize_t n = readlink(path, to, sizeof(to) - 1);

	if (n > 0) {
		to[n] = 0;
		if (strcmp(to, "/dev/null") == 0)
			return true;
	}
	return stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || st.st_size == 0);
}

/* --- Owners ------------------------------------------------------------------- */

/* The paths a package list may name a file by: as found, and /lib <-> /usr/lib (a
 * merged /usr: packages list either). */
static bool same_file(const char *listed, const char *path)
{
	if (strcmp(listed, path) == 0)
		return true;
	if (strncmp(path, "/usr/lib/", 9) == 0 && strncmp(listed, "/lib/", 5) == 0)
		return strcmp(listed + 5, path + 9) == 0;
	if (strncmp(path, "/lib/", 5) == 0 && strncmp(listed, "/usr/lib/", 9) == 0)
		return strcmp(listed + 9, path + 5) == 0;
	return false;
}

/* dpkg: /var/lib/dpkg/info/PACKAGE[:ARCH].list, a path a line. 0, or -errno when there
 * is no dpkg database. */
static int owners_dpkg(const char *root, struct vs_sysctl_source *out)
{
	char dir[600], path[900], line[1024];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%.500s/var/lib/dpkg/info", root);
	if (!(d = opendir(dir)))
		return -errno;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".list") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%.255s", dir, e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "/etc/sysctl.d/", 14) && !strstr(line, "/sysctl.d/"))
				continue;
			line[strcspn(line, "\n")] = 0;
			for (unsigned i = 0; i < out->nsources; i++)
				if (!out->sources[i].package[0] &&
				    same_file(line, out->sources[i].path)) {
					size_t n = len - 5;
					const char *colon = memchr(e->d_name, ':', n);
					if (colon)
						n = (size_t)(colon - e->d_name);
					if (n >= VS_SYSCTL_PACKAGE_MAX)
						n = VS_SYSCTL_PACKAGE_MAX - 1;
					memcpy(out->sources[i].package, e->d_name, n);
					out->sources[i].package[n] = 0;
				}
		}
		fclose(f);
	}
	closedir(d);
	return 0;
}

/* rpm: its database is not a list on disk; rpm -qf --qf '%{NAME}' asks it (only on the
 * host itself, root ""). */
static void owner_rpm(struct vs_sysctl_file *file)
{
	static const char *const rpms[] = {"/usr/bin/rpm", "/bin/rpm"};
	const char *rpm = NULL;
	int fd[2];
	pid_t pid;

	for (unsigned i = 0; i < 2 && !rpm; i++)
		if (access(rpms[i], X_OK) == 0)
			rpm = rpms[i];
	if (!rpm || pipe2(fd, O_CLOEXEC) < 0)
		return;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)rpm,	   (char *)"-qf", (char *)"--qf",
			(char *)"%{NAME}", file->path,	  NULL};
	int r = posix_spawn(&pid, rpm, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (r == 0) {
		char buf[VS_SYSCTL_PACKAGE_MAX];
		ssize_t n = read(fd[0], buf, sizeof(buf) - 1);
		int status = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (n > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			buf[n] = 0;
			buf[strcspn(buf, "\n ")] = 0;
			snprintf(file->package, sizeof(file->package), "%s", buf);
		}
	}
	close(fd[0]);
}

/* What the owners were last looked up for: the files and the package databases'
 * change times. The lookup reads every dpkg list: only when one of these changed. */
static struct {
	char key[VS_SYSCTL_SOURCES_MAX * 64];
	struct timespec dpkg, rpm;
	char package[VS_SYSCTL_SOURCES_MAX][VS_SYSCTL_PACKAGE_MAX];
	bool valid;
} owners_cache;

static struct timespec mtime_of(const char *root, const char *path)
{
	char p[700];
	struct stat st;

	snprintf(p, sizeof(p), "%.500s%s", root, path);
	if (stat(p, &st) < 0)
		return (struct timespec){0, 0};
	return st.st_mtim;
}

static void owners(const char *root, struct vs_sysctl_source *out)
{
	char key[sizeof(owners_cache.key)];
	size_t at = (size_t)snprintf(key, sizeof(key), "%.200s|", root);
	struct timespec dpkg = mtime_of(root, "/var/lib/dpkg/info"),
			rpm = mtime_of(root, "/var/lib/rpm");

	for (unsigned i = 0; i < out->nsources && at < sizeof(key); i++)
		at += (size_t)snprintf(key + at, sizeof(key) - at, "%.60s|", out->sources[i].path);
	if (owners_cache.valid && strcmp(key, owners_cache.key) == 0 &&
	    dpkg.tv_sec == owners_cache.dpkg.tv_sec && dpkg.tv_nsec == owners_cache.dpkg.tv_nsec &&
	    rpm.tv_sec == owners_cache.rpm.tv_sec && rpm.tv_nsec == owners_cache.rpm.tv_nsec) {
		for (unsigned i = 0; i < out->nsources; i++)
			memcpy(out->sources[i].package, owners_cache.package[i],
			       VS_SYSCTL_PACKAGE_MAX);
		return;
	}
	for (unsigned i = 0; i < out->nsources; i++)
		out->sources[i].package[0] = 0;
	if (owners_dpkg(root, out) < 0 && !root[0] && rpm.tv_sec)
		for (unsigned i = 0; i < out->nsources; i++)
			owner_rpm(&out->sources[i]);
	memcpy(owners_cache.key, key, sizeof(key));
	owners_cache.dpkg = dpkg;
	owners_cache.rpm = rpm;
	for (unsigned i = 0; i < out->nsources; i++)
		memcpy(owners_cache.package[i], out->sources[i].package, VS_SYSCTL_PACKAGE_MAX);
	owners_cache.valid = true;
}

/* --- The rule ------------------------------------------------------------------- */

/* /lib/sysctl.d on a merged /usr is /usr/lib/sysctl.d: not read twice. */
static bool same_dir_as_earlier(const char *root, unsigned d)
{
	char a[600], b[600];
	struct stat x, y;

	snprintf(a, sizeof(a), "%.500s%s", root, dirs[d]);
	if (stat(a, &x) < 0)
		return false;
	for (unsigned e = 0; e < d; e++) {
		snprintf(b, sizeof(b), "%.500s%s", root, dirs[e]);
		if (stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino)
			return true;
	}
	return false;
}

/* Every *.conf of the directories under root into files, each with the directory of
 * the file of its name that masks it (its own when none does): their number. */
static unsigned list_files(const char *root, struct conf *files)
{
	unsigned n = 0;
	char path[1024];

	for (unsigned d = 0; d < NDIRS; d++) {
		snprintf(path, sizeof(path), "%.500s%s", root, dirs[d]);
		DIR *dir = opendir(path);
		struct dirent *e;
		if (!dir)
			continue;
		if (same_dir_as_earlier(root, d)) {
			closedir(dir);
			continue;
		}
		while ((e = readdir(dir)) && n < FILES_MAX) {
			size_t len = strlen(e->d_name);
			if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0 ||
			    len >= sizeof(files[0].name))
				continue;
			unsigned masker = d;
			for (unsigned i = 0; i < n && masker == d; i++)
				if (strcmp(files[i].name, e->d_name) == 0)
					masker = files[i].dir;
			memcpy(files[n].name, e->d_name, len + 1);
			files[n].dir = d;
			files[n].masker = masker;
			snprintf(path, sizeof(path), "%.500s%s/%.255s", root, dirs[d], e->d_name);
			files[n++].mask = is_mask(path);
		}
		closedir(dir);
	}
	return n;
}

void vs_sysctld_resolve(const char *root, const char *key, struct vs_sysctl_source *out)
{
	static struct conf files[FILES_MAX];
	unsigned n = list_files(root, files);
	char path[1024];

	out->source[0] = 0;
	out->source_value = -1;
	out->nsources = out->more = 0;
	out->lowers = false;
	out->lowered_from[0] = 0;
	out->lowered_from_value = -1;
	qsort(files, n, sizeof(files[0]), by_name);
	long highest = VS_SYSCTL_DEFAULT; /* before the winner: the kernel's, then each file's */
	char highest_by[VS_SYSCTL_PATH_MAX] = "";
	for (unsigned i = 0; i < n; i++) {
		long v;
		const struct conf *c = &files[i];
		snprintf(path, sizeof(path), "%.500s%s/%.255s", root, dirs[c->dir], c->name);
		if (c->mask || !scan_file(path, key, &v))
			continue;
		bool masked = c->masker != c->dir;
		if (out->nsources == VS_SYSCTL_SOURCES_MAX) {
			out->more++;
		} else {
			struct vs_sysctl_file *f = &out->sources[out->nsources++];
			/* Shown without the root: the path on the host. */
			snprintf(f->path, sizeof(f->path), "%s/%.255s", dirs[c->dir], c->name);
			f->value = v;
			f->masked = masked;
			f->masked_by[0] = 0;
			if (masked)
				snprintf(f->masked_by, sizeof(f->masked_by), "%s/%.255s",
					 dirs[c->masker], c->name);
			f->package[0] = 0;
		}
		if (masked)
			continue;
		if (out->source[0] && out->source_value > highest) {
			highest = out->source_value; /* the one it overrides */
			memcpy(highest_by, out->source, sizeof(highest_by));
		}
		/* The last line wins, a value that is not a number too (systemd-sysctl's
		 * write of it fails: shown as none, with its file). */
		snprintf(out->source, sizeof(out->source), "%s/%.255s", dirs[c->dir], c->name);
		out->source_value = v;
	}
	/* The winner against the highest before it. */
	if (out->source[0] && out->source_value >= 0 && out->source_value < highest) {
		out->lowers = true;
		snprintf(out->lowered_from, sizeof(out->lowered_from), "%s", highest_by);
		out->lowered_from_value = highest;
	}
	out->running_matches =
	    out->value == (out->source[0] ? out->source_value : VS_SYSCTL_DEFAULT);
	owners(root, out);
}

void vs_sysctld_dropin(const struct vs_sysctl_source *src, char *path, size_t len, char *after,
		       size_t alen)
{
	static const char *const names[] = {"60-vmastress-max-map-count.conf",
					    "99-vmastress-max-map-count.conf",
					    "zz-vmastress-max-map-count.conf"};
	const char *base = strrchr(src->source, '/');
	unsigned k = 0;

	after[0] = 0;
	base = base ? base + 1 : src->source;
	/* The files are applied in name order: the winner sorts after every other that
	 * sets the key, and the drop-in must sort after it (unless it is the drop-in). */
	while (src->source[0] && k < 2 && strcmp(names[k], base) < 0)
		k++;
	if (src->source[0] && strcmp(names[k], base) == 0 &&
	    strncmp(src->source, "/etc/sysctl.d/", 14) == 0) {
		snprintf(path, len, "%s", src->source); /* ours already wins */
		return;
	}
	if (src->source[0] && strcmp(names[k], base) == 0 && k < 2)
		k++; /* the same name in a lower directory: sort past it */
	snprintf(path, len, "/etc/sysctl.d/%s", names[k]);
	if (src->source[0])
		snprintf(after, alen, "%s", src->source);
}
