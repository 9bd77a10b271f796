/* textbuf.c: bounded appends for the renderers; the rows of stats.h located in the snapshot. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "vmastress/output/render.h"

#define OFFSET_SNAP(f) offsetof(struct vs_snapshot, f)
#define OFFSET_SUM(f) offsetof(struct vs_snapshot, t.f)
#define OFFSET_XOR(f) offsetof(struct vs_snapshot, t.f)
#define ROW(f, src, fmt, json, metric, type, flags, help)                                          \
	[VS_STAT_##f] = {#f, json, metric, #type, help, VS_FMT_##fmt, flags, OFFSET_##src(f)},
const struct vs_stat_row vs_stat_rows[VS_STAT_COUNT] = {VS_STATS(ROW)};

static int try_put(struct vs_textbuf *o, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static int try_put(struct vs_textbuf *o, const char *fmt, va_list ap)
{
	int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);

	if (n < 0 || (size_t)n >= o->len - o->used)
		return -1;
	o->used += (size_t)n;
	if (n)
		o->last = o->buf[o->used - 1];
	return 0;
}

void vs_textbuf_put(struct vs_textbuf *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	r = try_put(o, fmt, ap);
	va_end(ap);
	if (r == 0)
		return;
	/* Streaming: hand over what is there and try once more in the empty buffer. */
	if (o->flush && o->flush(o) == 0) {
		o->used = 0;
		va_start(ap, fmt);
		r = try_put(o, fmt, ap);
		va_end(ap);
		if (r == 0)
			return;
	}
	o->overflow = true;
}

int vs_textbuf_result(const struct vs_textbuf *o)
{
	return o->overflow ? -ENOBUFS : (int)o->used;
}

void vs_textbuf_json_string(struct vs_textbuf *o, const char *v)
{
	vs_textbuf_put(o, "\"");
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\')
			vs_textbuf_put(o, "\\%c", c);
		else if (c < 0x20)
			vs_textbuf_put(o, "\\u%04x", c);
		else
			vs_textbuf_put(o, "%c", c);
	}
	vs_textbuf_put(o, "\"");
}

void vs_textbuf_label(struct vs_textbuf *o, const char *v)
{
	for (; *v; v++)
		if (*v == '"' || *v == '\\')
			vs_textbuf_put(o, "\\%c", *v);
		else if (*v == '\n')
			vs_textbuf_put(o, "\\n");
		else
			vs_textbuf_put(o, "%c", *v);
}

void vs_textbuf_prom_head(struct vs_textbuf *o, const char *name, const char *type,
			  const char *help)
{
	vs_textbuf_put(o, "# HELP vmastress_%s %s\n# TYPE vmastress_%s %s\n", name, help, name,
		       type);
}

void vs_textbuf_json_number(struct vs_textbuf *o, const char *key, const char *fmt, double v)
{
	vs_textbuf_put(o, "\"%s\":", key);
	if (v < 0) {
		vs_textbuf_put(o, "null");
		return;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vs_textbuf_put(o, fmt, v);
#pragma GCC diagnostic pop
}
