/* render_json.c: snapshot -> the stats JSON and the report, from the rows of stats.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vmastress/log/errnames.h"
#include "vmastress/output/render.h"
#include "vmastress/output/timeline.h"

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
	case VS_FMT_STRING: /* host names and error messages too: escaped */
		vs_textbuf_json_string(o, (const char *)v);
		break;
	}
}

/* A JSON string: config paths may hold any byte but NUL. */
#define string vs_textbuf_json_string

/* Members with dotted paths ("leaks.bytes"): a group's object opened before its
 * first member and closed after its last (a group's members are consecutive). */
struct members {
	struct vs_textbuf *o;
	const char *sep, *group;
	size_t glen;
};

static void member(struct members *m, const char *path)
{
	const char *dot = strchr(path, '.');

	if (m->group &&
	    (!dot || (size_t)(dot - path) != m->glen || strncmp(path, m->group, m->glen) != 0)) {
		vs_textbuf_put(m->o, "}");
		m->group = NULL;
	}
	if (dot && !m->group) {
		m->group = path;
		m->glen = (size_t)(dot - path);
		vs_textbuf_put(m->o, "%s\"%.*s\":{", m->sep, (int)m->glen, path);
		m->sep = "";
	}
	vs_textbuf_put(m->o, "%s\"%s\":", m->sep, dot ? dot + 1 : path);
	m->sep = ",";
}

static void members_end(struct members *m)
{
	if (m->group)
		vs_textbuf_put(m->o, "}");
}

static void scalars(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	struct members m = {.o = o, .sep = ""};

	for (int i = 0; i < VS_STAT_COUNT; i++) {
		if (!vs_stat_rows[i].json)
			continue;
		member(&m, vs_stat_rows[i].json);
		value(o, s, &vs_stat_rows[i]);
	}
	members_end(&m);
}

/* "config": every key of the effective configuration, grouped as in the file. */
static void config(struct vs_textbuf *o, const struct vs_config *cfg)
{
	struct members m = {.o = o, .sep = ""};

	vs_textbuf_put(o, ",\"config\":{");
	const struct vs_config_key_info *ki;
	for (unsigned k = 0; (ki = vs_config_key(k)); k++) {
		const void *v = vs_config_value(cfg, ki);

		member(&m, ki->path);
		switch (ki->type) {
		case VS_KEY_UINT:
			vs_textbuf_put(o, "%u", *(const unsigned *)v);
			break;
		case VS_KEY_SEED:
			vs_textbuf_put(o, "%llu", (unsigned long long)*(const uint64_t *)v);
			break;
		case VS_KEY_FILL:
			vs_textbuf_put(o, "%.6g", *(const double *)v);
			break;
		case VS_KEY_STRING:
			string(o, v);
			break;
		}
	}
	members_end(&m);
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
	vs_textbuf_put(o, "},\"%s\":{", family_json[VS_FAMILY_CALLS]);
	for (int k = 0, first = 1; k < VS_CALLS_MAX; k++)
		if (s->call_names[k]) {
			vs_textbuf_put(o, "%s", first ? "" : ",");
			string(o, s->call_names[k]);
			vs_textbuf_put(o, ":%llu", (unsigned long long)t->call_failures[k]);
			first = 0;
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

/* "verdict": null without a demand. */
static void verdict(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	const struct vs_verdict *v = &s->verdict;

	if (!s->demand_vmas) {
		vs_textbuf_put(o, ",\"verdict\":null");
		return;
	}
	vs_textbuf_put(o, ",\"verdict\":{\"demand\":%ld,\"limit\":%ld,\"emulated_limit\":",
		       s->demand_vmas, v->limit);
	if (s->emulated_limit)
		vs_textbuf_put(o, "%ld", s->emulated_limit);
	else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(o, ",\"held\":%s,\"headroom\":%ld,\"first_failure\":",
		       s->demand_held ? "true" : "false", v->headroom);
	if (v->has_first_failure)
		vs_textbuf_put(o,
			       /* map_count, as every JSON says it; vmas, its old name,
				* beside it for this release */
			       "{\"map_count\":%ld,\"vmas\":%ld,\"op\":\"%s\",\"call\":\"%s\","
			       "\"errno\":\"%s\",\"seconds\":%.6f}",
			       v->first_failure_vmas, v->first_failure_vmas,
			       vs_op_name(v->first_failure_op), v->first_failure_call,
			       vs_errno_name(v->first_failure_errno), v->first_failure_seconds);
	else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(o, ",\"time_to_demand_seconds\":");
	if (v->time_to_demand_seconds >= 0)
		vs_textbuf_put(o, "%.6f", v->time_to_demand_seconds);
	else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(o, ",\"reached_limit\":%s}", v->reached_limit ? "true" : "false");
}

/* "limit_unreachable": null, or why the run cannot reach the limit and the bound. */
static void unreachable(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	const struct vs_limit_unreachable *u = &s->unreachable;

	if (u->why == VS_REACHABLE)
		vs_textbuf_put(o, ",\"limit_unreachable\":null");
	else if (u->why == VS_UNREACHABLE_MEMCG)
		vs_textbuf_put(o,
			       ",\"limit_unreachable\":{\"reason\":\"memory cgroup limit %llu MiB: "
			       "the VMAs' kernel memory is charged to it\",\"bound\":%ld}",
			       (unsigned long long)(u->memcg_bytes >> 20), u->bound);
	else
		vs_textbuf_put(o,
			       ",\"limit_unreachable\":{\"reason\":\"region table full: %ld "
			       "regions\",\"bound\":%ld}",
			       u->bound, u->bound);
}

/* One histogram row as {fill: {p50, p99, max (seconds), count}}, nulls where none. */
static void latency_row(struct vs_textbuf *o, const struct vs_totals *t, unsigned row)
{
	vs_textbuf_put(o, "{");
	for (int f = 0; f < VS_FILL_COUNT; f++) {
		const uint64_t *b = t->lat[row][f];
		uint64_t n = 0, max = t->lat_max_ns[row][f];
		for (int i = 0; i <= VS_LAT_BUCKETS; i++)
			n += b[i];
		vs_textbuf_put(o, "%s\"%s\":", f ? "," : "", vs_fill_band_name(f));
		if (!n)
			vs_textbuf_put(o, "{\"p50\":null,\"p99\":null,\"max\":null,\"count\":0}");
		else
			vs_textbuf_put(o, "{\"p50\":%.9f,\"p99\":%.9f,\"max\":%.9f,\"count\":%llu}",
				       vs_lat_quantile(b, max, 0.50), vs_lat_quantile(b, max, 0.99),
				       (double)max / 1e9, (unsigned long long)n);
	}
	vs_textbuf_put(o, "}");
}

/* "latency": {kind: row}; "call_latency": {the shape's name of a call: row}, the
 * same calls filed by what they are to the consumer ("guard page mprotect"). */
static void latency(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	vs_textbuf_put(o, ",\"latency\":{");
	for (int k = 0; k < VS_LAT_KIND_COUNT; k++) {
		vs_textbuf_put(o, "%s\"%s\":", k ? "," : "", vs_lat_kind_name(k));
		latency_row(o, &s->t, (unsigned)k);
	}
	vs_textbuf_put(o, "},\"call_latency\":{");
	const char *sep = "";
	for (int c = 0; c < VS_CALLS_MAX; c++) {
		if (!s->call_names[c])
			continue;
		vs_textbuf_put(o, "%s", sep);
		string(o, s->call_names[c]);
		vs_textbuf_put(o, ":");
		latency_row(o, &s->t, VS_LAT_KIND_COUNT + (unsigned)c);
		sep = ",";
	}
	vs_textbuf_put(o, "}");
}

/* ,"key":v, or null when negative (not known). */
static void maybe(struct vs_textbuf *o, const char *key, double v)
{
	vs_textbuf_put(o, ",");
	vs_textbuf_json_number(o, key, "%.0f", v);
}

/* "kernel": what the VMAs pin; null when neither /proc file could be read. */
static void kernel(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	const struct vs_kernel_cost *k = &s->kernel;

	if (!k->known) {
		vs_textbuf_put(o, ",\"kernel\":null");
		return;
	}
	vs_textbuf_put(o,
		       ",\"kernel\":{\"source\":\"%s\",\"estimate\":%s,\"host_wide\":%s,"
		       "\"vma_bytes\":%llu,\"vma_bytes_peak\":%llu",
		       vs_kmem_source_name(k->source),
		       /* a host-wide figure is an estimate: other processes' VMAs move
			* it, and slab caches left warm absorb ours without growing */
		       k->source == VS_KMEM_MEMCG ? "false" : "true",
		       k->source == VS_KMEM_MEMCG ? "false" : "true",
		       (unsigned long long)k->vma_bytes, (unsigned long long)k->vma_bytes_peak);
	maybe(o, "bytes_per_vma", k->bytes_per_vma);
	maybe(o, "at_limit_bytes", k->at_limit_bytes);
	vs_textbuf_put(o, "}");
}

static void members(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	scalars(o, s);
	families(o, s);
	verdict(o, s);
	unreachable(o, s);
	kernel(o, s);
	latency(o, s);
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

void vs_render_report(struct vs_textbuf *o, const struct vs_snapshot *s,
		      const struct vs_config *cfg, const struct vs_timeline *tl, bool final,
		      vs_leak_next_fn next, void *userdata)
{
	struct vs_leaked_region r;
	const char *sep = "";

	vs_textbuf_put(o, "{");
	members(o, s);
	config(o, cfg);
	vs_render_timeline(o, tl);
	vs_textbuf_put(o, ",\"final\":%s,\"leaked_regions\":[", final ? "true" : "false");
	while (next(userdata, &r)) {
		vs_textbuf_put(o, "%s{\"worker\":%u,\"addr\":%lu,\"length\":%zu,\"bytes\":%zu}",
			       sep, r.worker, (unsigned long)r.addr, r.length, r.bytes);
		sep = ",";
	}
	vs_textbuf_put(o, "]}\n");
}
