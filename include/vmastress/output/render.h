/* render.h: snapshot -> the stats JSON, the report JSON and Prometheus text, driven by
 * the tables of stats.h, into the caller's bounded buffer (no allocation). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/work/snapshot.h"

/* printf into a fixed buffer; with `flush` set, a full buffer is handed to it and
 * emptied (streaming), else overflow is remembered. */
struct vs_textbuf {
	char *buf;
	size_t len, used;
	bool overflow;
	char last; /* the last character written ("" none) */
	int (*flush)(struct vs_textbuf *o); /* 0 or -errno; NULL: bounded */
	void *userdata;
};
void vs_textbuf_put(struct vs_textbuf *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A JSON string, quoted and escaped. */
void vs_textbuf_json_string(struct vs_textbuf *o, const char *v);
/* A Prometheus label value, escaped (backslash, double quote, newline). */
void vs_textbuf_label(struct vs_textbuf *o, const char *v);
/* A metric's HELP and TYPE lines: vmastress_NAME. */
void vs_textbuf_prom_head(struct vs_textbuf *o, const char *name, const char *type,
			  const char *help);
/* "key":v in printf's fmt (one double), or "key":null when v is negative (not known). */
void vs_textbuf_json_number(struct vs_textbuf *o, const char *key, const char *fmt, double v);
/* Length written, or -ENOBUFS if anything did not fit. */
int vs_textbuf_result(const struct vs_textbuf *o);

/* Where a row of VS_STATS lives in struct vs_snapshot, and how it is shown. */
struct vs_stat_row {
	const char *field, *json, *metric, *type, *help;
	enum vs_stat_format format;
	unsigned flags;
	size_t offset;
};
extern const struct vs_stat_row vs_stat_rows[VS_STAT_COUNT];

/* The stats JSON; returns its length (without NUL), or -ENOBUFS. */
int vs_render_json(const struct vs_snapshot *s, char *buf, size_t len);
/* Prometheus text exposition format 0.0.4; length or -ENOBUFS. */
int vs_render_prom(const struct vs_snapshot *s, char *buf, size_t len);

struct vs_timeline;
/* The report: the stats JSON's members, "config" (every key of cfg), "timeline"
 * (tl; none for NULL), "final" and "leaked_regions", into o
 * (streamed through o->flush: the list has no bound but the limit). */
void vs_render_report(struct vs_textbuf *o, const struct vs_snapshot *s,
		      const struct vs_config *cfg, const struct vs_timeline *tl, bool final,
		      vs_leak_next_fn next, void *userdata);
