/* report.c: the --report file (at exit, and at the test hold point) and the textfile.
 * No stdio and no allocation: at the VMA limit a malloc may need a mapping the
 * kernel refuses, so both go through static buffers and write(2). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* Writers never leave half a file at `path`: they write PATH.tmp, fsync it and
 * rename it over PATH (a kill leaves the old file, or none, and the .tmp). A
 * path that is there and not a regular file (/dev/null, a FIFO, a terminal) is
 * written in place: renaming over it would replace the device with a file. */
struct atomic_file {
	char tmp[PATH_MAX];
	int fd;
	bool direct;
};

static int atomic_open(struct atomic_file *f, const char *path)
{
	struct stat st;

	f->direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
	if (f->direct) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		f->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		return f->fd < 0 ? -errno : 0;
	}
	if (snprintf(f->tmp, sizeof(f->tmp), "%s.tmp", path) >= (int)sizeof(f->tmp))
		return -ENAMETOOLONG;
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return f->fd < 0 ? -errno : 0;
}

/* r: the writer's result so far; on success the file replaces path. */
static int atomic_close(struct atomic_file *f, const char *path, int r)
{
	if (f->direct) {
		if (close(f->fd) < 0 && r == 0)
			r = -errno;
		return r;
	}
	if (r == 0 && fsync(f->fd) < 0)
		r = -errno;
	if (close(f->fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(f->tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(f->tmp);
	return r;
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

int vs_report_write(const char *path, const struct vs_snapshot *s, const struct vs_config *cfg,
		    const struct vs_timeline *tl, bool final, vs_leak_next_fn next, void *userdata)
{
	static char buf[REPORT_BUFFER_BYTES];
	struct atomic_file file;
	struct sink k = {.fd = STDOUT_FILENO};
	struct vs_textbuf o = {
	    .buf = buf, .len = sizeof(buf), .flush = flush_to_fd, .userdata = &k};
	bool to_stdout = strcmp(path, "-") == 0;
	int r;

	if (!to_stdout) {
		if ((r = atomic_open(&file, path)) < 0)
			return vs_log_errno(LOG_ERR, r, "cannot write report %s", path);
		k.fd = file.fd;
	}
	vs_render_report(&o, s, cfg, tl, final, next, userdata);
	if (!o.overflow)
		flush_to_fd(&o);
	else if (!k.err)
		k.err = ENOBUFS;
	r = to_stdout ? -k.err : atomic_close(&file, path, -k.err);
	if (r < 0)
		return vs_log_errno(LOG_ERR, r, "cannot write report %s", path);
	return 0;
}

int vs_textfile_write(const char *path, const char *text, size_t len)
{
	struct atomic_file file;
	int r = atomic_open(&file, path);

	if (r < 0)
		return r;
	/* Readable by node_exporter's user whatever the umask (the units' UMask=0077
	 * would leave it -rw-------). */
	if (!file.direct && fchmod(file.fd, 0644) < 0)
		return atomic_close(&file, path, -errno);
	return atomic_close(&file, path, write_all(file.fd, text, len));
}

void vs_textfile_remove(const char *path, const char *why)
{
	struct stat st;

	if (!path[0] || (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)))
		return; /* only a file of ours: never a device, a FIFO or a link */
	if (unlink(path) == 0)
		vs_log(LOG_INFO, "textfile %s removed (%s)", path, why);
	else if (errno != ENOENT)
		vs_log_errno(LOG_WARNING, -errno, "cannot remove textfile %s (%s)", path, why);
}
