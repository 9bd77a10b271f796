/* textbuf.h: printf into a caller's fixed buffer, remembering overflow (no allocation). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct vs_textbuf {
	char *buf;
	size_t len, used;
	bool overflow;
};

void vs_textbuf_put(struct vs_textbuf *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Length written, or -ENOBUFS if anything did not fit. */
int vs_textbuf_result(const struct vs_textbuf *o);
