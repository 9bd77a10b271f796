/* sysctld.c: which sysctl.d file sets a key, by systemd-sysctl's rule. */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmastress/watch/limit/sysctld.h"

/* In priority order: a file name here hides the same name in the later ones. */
static const char *const dirs[] = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
				   "/usr/lib/sysctl.d"};
#define FILES_MAX 512

struct conf {
	char name[256];
	unsigned dir;
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
		long n = strtol(v, &end, 10);
		*value = *v && !*end && n >= 0 ? n : -1;
		found = true;
	}
	fclose(f);
	return found;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct conf *)a)->name, ((const struct conf *)b)->name);
}

void vs_sysctld_resolve(const char *root, const char *key, struct vs_sysctl_source *out)
{
	static struct conf files[FILES_MAX];
	unsigned n = 0;
	char path[1024];

	out->source[0] = 0;
	out->source_value = -1;
	for (unsigned d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(path, sizeof(path), "%.500s%s", root, dirs[d]);
		DIR *dir = opendir(path);
		struct dirent *e;
		if (!dir)
			continue;
		while ((e = readdir(dir)) && n < FILES_MAX) {
			size_t len = strlen(e->d_name);
			if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0 ||
			    len >= sizeof(files[0].name))
				continue;
			bool hidden = false;
			for (unsigned i = 0; i < n && !hidden; i++)
				hidden = strcmp(files[i].name, e->d_name) == 0;
			if (hidden)
				continue;
			memcpy(files[n].name, e->d_name, len + 1);
			files[n++].dir = d;
		}
		closedir(dir);
	}
	qsort(files, n, sizeof(files[0]), by_name);
	for (unsigned i = 0; i < n; i++) {
		long v;
		snprintf(path, sizeof(path), "%.500s%s/%.255s", root, dirs[files[i].dir], files[i].name);
		if (scan_file(path, key, &v)) {
			/* Shown without the root: the path on the host. */
			snprintf(out->source, sizeof(out->source), "%s/%.255s", dirs[files[i].dir],
				 files[i].name);
			out->source_value = v;
		}
	}
}
