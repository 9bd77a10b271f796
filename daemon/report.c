/* report.c: the --report file, written at exit (and at the test hold point).
 * No stdio and no allocation: at the VMA limit a malloc may need a mapping the
 * kernel refuses, so the report goes through a static buffer and write(2). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "vmastress/log.h"
#include "vmastress/render_json.h"
#include "vmastress/report.h"

struct writer {
	int fd, err;
	size_t used;
	char buf[1 << 16];
};

static void flush(struct writer *w)
{
	for (size_t off = 0; off < w->used && !w->err;) {
		ssize_t n = write(w->fd, w->buf + off, w->used - off);
		if (n < 0 && errno != EINTR)
			w->err = errno;
		else if (n > 0)
			off += (size_t)n;
	}
	w->used = 0;
}

static void emit(const char *s, size_t n, void *userdata)
{
	struct writer *w = userdata;

	if (w->used + n > sizeof(w->buf))
		flush(w);
	if (n > sizeof(w->buf)) {
		w->err = ENOBUFS;
		return;
	}
	memcpy(w->buf + w->used, s, n);
	w->used += n;
}

int vs_report_write(const struct vs_answer_ctx *c, const char *path, bool final)
{
	static char json[8192];
	static struct writer w;
	struct vs_snapshot s;
	char tail[64];
	int n, k;

	vs_answer_snapshot(c, &s);
	n = vs_render_json(&s, json, sizeof(json));
	if (n < 2)
		return -ENOBUFS;
	w.err = 0;
	w.used = 0;
	w.fd = strcmp(path, "-") == 0 ? STDOUT_FILENO
				      : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w.fd < 0)
		return vs_log_errno(LOG_ERR, errno, "cannot write report %s", path);
	emit(json, (size_t)n - 2, &w); /* without the closing "}\n" */
	k = snprintf(tail, sizeof(tail),
		     ",\"final\":%s,\"leaked_regions\":", final ? "true" : "false");
	emit(tail, (size_t)k, &w);
	vs_engine_write_leaks(c->eng, emit, &w);
	emit("}\n", 2, &w);
	flush(&w);
	if (w.fd != STDOUT_FILENO && close(w.fd) < 0 && !w.err)
		w.err = errno;
	if (w.err)
		return vs_log_errno(LOG_ERR, w.err, "cannot write report %s", path);
	return 0;
}
