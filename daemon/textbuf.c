/* textbuf.c: bounded appends for the renderers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "vmastress/textbuf.h"

void vs_textbuf_put(struct vs_textbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used)
		o->overflow = true;
	else
		o->used += (size_t)n;
}

int vs_textbuf_result(const struct vs_textbuf *o)
{
	return o->overflow ? -ENOBUFS : (int)o->used;
}
