/* report.c: the --report file (at exit, and at the test hold point) and the textfile.
 * No stdio and no allocation: at the VMA limit a malloc may need a mapping the
 * kernel refuses, so both go through static buffers and write(2). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "vmastress/log/log.h"
#include "vmastress/output/report.h"

#define REPORT_BUFFER_BYTES (1 << 16)

static int write_all(int fd, const char *p, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, p + off, len - off);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			off += (size_t)n;
	}
	return 0;
}

struct sink {
	int fd, err;
};

static int flush_to_fd(struct vs_textbuf *o)
{
	struct sink *k = o->userdata;
	int r = k->err ? -k->err : write_all(k->fd, o->buf, o->used);

	if (r < 0)
		k->err = -r;
	return r;
}

int vs_report_write(const char *path, const struct vs_snapshot *s, bool final, vs_leak_next_fn next,
		    void *userdata)
{
	static char buf[REPORT_BUFFER_BYTES];
	struct sink k = {.fd = -1};
	struct vs_textbuf o = {
	    .buf = buf, .len = sizeof(buf), .flush = flush_to_fd, .userdata = &k};

	k.fd = strcmp(path, "-") == 0 ? STDOUT_FILENO
				      : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (k.fd < 0)
		return vs_log_errno(LOG_ERR, errno, "cannot write report %s", path);
	vs_render_report(&o, s, final, next, userdata);
	if (!o.overflow)
		flush_to_fd(&o);
	else if (!k.err)
		k.err = ENOBUFS;
	if (k.fd != STDOUT_FILENO && close(k.fd) < 0 && !k.err)
		k.err = errno;
	if (k.err)
		return vs_log_errno(LOG_ERR, k.err, "cannot write report %s", path);
	return 0;
}

int vs_textfile_write(const char *path, const char *text, size_t len)
{
	char tmp[VS_TEXTFILE_MAX + sizeof(".tmp")];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, text, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}
