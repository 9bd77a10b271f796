/* config_text.c: the config file's bytes, and integers read back from them. */
#include "vmastress/config/config_text.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_FILE_MAX (1 << 20)

int vs_config_read_text(const char *path, char **out, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		snprintf(err, errlen, "%s:0: file: not a regular file under 1 MiB", path);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n < 0) {
		free(buf);
		return -errno;
	}
	buf[n] = 0;
	if (strlen(buf) != (size_t)n) {
		free(buf);
		snprintf(err, errlen, "%s:0: file: contains a NUL byte", path);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/* Start of line `line` (1-based) in text, or NULL. */
static const char *line_start(const char *text, int line)
{
	const char *p = text;

	for (int l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return p;
}

/*
 * libconfig 1.5 wraps integers above 2^31 without an L suffix (4294967297 reads
 * as 1), so read the literal again from the source line: find `name` as a whole
 * word followed by '=' or ':' and parse what follows with strtoll.
 */
int vs_config_raw_integer(const char *text, int line, const char *name, unsigned long long *out,
			  bool *negative)
{
	const char *p = line_start(text, line), *end;
	size_t n = strlen(name);

	if (!p)
		return -ENOENT;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	for (const char *q = p; q + n <= end; q++) {
		if (strncmp(q, name, n) != 0 ||
		    (q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '_')))
			continue;
		const char *v = q + n;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v >= end || (*v != '=' && *v != ':'))
			continue;
		v++;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		char *stop;
		*negative = *v == '-';
		if (*negative) {
			*out = 0;
			return 0;
		}
		errno = 0;
		*out = strtoull(v, &stop, 0);
		if (errno == ERANGE)
			return -ERANGE;
		return stop == v ? -EINVAL : 0;
	}
	return -ENOENT;
}
