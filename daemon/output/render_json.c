/* render_json.c: snapshot -> the stats JSON and the report, from the rows of stats.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vmastress/log/errnames.h"
#include "vmastress/output/render.h"

#define FAMILY_JSON(id, json, ...) json,
static const char *const family_json[VS_FAMILY_COUNT] = {VS_STAT_FAMILIES(FAMILY_JSON)};

static void value(struct vs_textbuf *o, const struct vs_snapshot *s, const struct vs_stat_row *r)
{
	const void *v = (const char *)s + r->offset;

	switch (r->format) {
	case VS_FMT_U64:
		vs_textbuf_put(o, "%llu", (unsigned long long)*(const uint64_t *)v);
		break;
	case VS_FMT_LONG:
		vs_textbuf_put(o, "%ld", *(const long *)v);
		break;
	case VS_FMT_DOUBLE:
		vs_textbuf_put(o, "%.3f", *(const double *)v);
		break;
	case VS_FMT_BOOL:
		vs_textbuf_put(o, "%s", *(const bool *)v ? "true" : "false");
		break;
	case VS_FMT_HEX:
		vs_textbuf_put(o, "\"%016llx\"", (unsigned long long)*(const uint64_t *)v);
		break;
	case VS_FMT_STRING: /* profile names and the version: nothing to escape */
		vs_textbuf_put(o, "\"%s\"", (const char *)v);
		break;
	}
}

/* The rows with a JSON key, a dotted path's group opened and closed around its rows. */
static void scalars(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	const char *sep = "", *group = NULL;
	size_t glen = 0;

	for (int i = 0; i < VS_STAT_COUNT; i++) {
		const struct vs_stat_row *r = &vs_stat_rows[i];
		const char *dot, *key;

		if (!r->json)
			continue;
		dot = strchr(r->json, '.');
		key = dot ? dot + 1 : r->json;
		if (group && (!dot || (size_t)(dot - r->json) != glen ||
			      strncmp(r->json, group, glen) != 0)) {
			vs_textbuf_put(o, "}");
			group = NULL;
		}
		if (dot && !group) {
			group = r->json;
			glen = (size_t)(dot - r->json);
			vs_textbuf_put(o, "%s\"%.*s\":{", sep, (int)glen, group);
			sep = "";
		}
		vs_textbuf_put(o, "%s\"%s\":", sep, key);
		value(o, s, r);
		sep = ",";
	}
	if (group)
		vs_textbuf_put(o, "}");
}

/* {"mmap":..,"mprotect":..,"munmap":..} */
static void per_op(struct vs_textbuf *o, const uint64_t v[VS_OP_COUNT])
{
	for (int op = 0; op < VS_OP_COUNT; op++)
		vs_textbuf_put(o, "%s\"%s\":%llu", op ? "," : "{", vs_op_name(op),
			       (unsigned long long)v[op]);
	vs_textbuf_put(o, "}");
}

static void families(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	const struct vs_totals *t = &s->t;

	vs_textbuf_put(o, ",\"%s\":", family_json[VS_FAMILY_OPS]);
	per_op(o, t->ops);
	/* by errno name: ENOMEM always, others when non-zero */
	vs_textbuf_put(o, ",\"%s\":{", family_json[VS_FAMILY_FAILURES]);
	for (int op = 0; op < VS_OP_COUNT; op++) {
		vs_textbuf_put(o, "%s\"%s\":{", op ? "," : "", vs_op_name(op));
		for (unsigned e = 0, first = 1; e < VS_ERRNO_SLOTS; e++) {
			if (e != 0 && !t->failures[op][e])
				continue;
			vs_textbuf_put(o, "%s\"%s\":%llu", first ? "" : ",", vs_errno_slot_name(e),
				       (unsigned long long)t->failures[op][e]);
			first = 0;
		}
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "},\"%s\":{", family_json[VS_FAMILY_ENOMEM]);
	for (int c = 0; c < VS_CAUSE_COUNT; c++) {
		vs_textbuf_put(o, "%s\"%s\":", c ? "," : "", vs_enomem_cause_name(c));
		per_op(o, t->enomem[c]);
	}
	vs_textbuf_put(o, "},\"%s\":{", family_json[VS_FAMILY_FIRST_ENOMEM]);
	for (int op = 0; op < VS_OP_COUNT; op++) {
		vs_textbuf_put(o, "%s\"%s\":", op ? "," : "", vs_op_name(op));
		if (s->first_enomem[op] >= 0)
			vs_textbuf_put(o, "%.6f", s->first_enomem[op]);
		else
			vs_textbuf_put(o, "null");
	}
	vs_textbuf_put(o, "}");
}

static void members(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	scalars(o, s);
	families(o, s);
}

int vs_render_json(const struct vs_snapshot *s, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};

	if (!len)
		return -ENOBUFS;
	vs_textbuf_put(&o, "{");
	members(&o, s);
	vs_textbuf_put(&o, "}\n");
	return vs_textbuf_result(&o);
}

void vs_render_report(struct vs_textbuf *o, const struct vs_snapshot *s, bool final,
		      vs_leak_next_fn next, void *userdata)
{
	struct vs_leaked_region r;
	const char *sep = "";

	vs_textbuf_put(o, "{");
	members(o, s);
	vs_textbuf_put(o, ",\"final\":%s,\"leaked_regions\":[", final ? "true" : "false");
	while (next(userdata, &r)) {
		vs_textbuf_put(o, "%s{\"worker\":%u,\"addr\":%lu,\"length\":%zu,\"bytes\":%zu}",
			       sep, r.worker, (unsigned long)r.addr, r.length, r.bytes);
		sep = ",";
	}
	vs_textbuf_put(o, "]}\n");
}
