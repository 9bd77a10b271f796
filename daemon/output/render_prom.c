/* render_prom.c: snapshot -> Prometheus text format, every metric with HELP and TYPE. */
#include <errno.h>
#include <stdio.h>
#include "vmastress/log/errnames.h"
#include "vmastress/output/render.h"

struct family {
	const char *metric, *help;
};
#define FAMILY(id, json, metric, flags, help) {metric, help},
static const struct family family[VS_FAMILY_COUNT] = {VS_STAT_FAMILIES(FAMILY)};

static void scalar(struct vs_textbuf *o, const struct vs_snapshot *s, const struct vs_stat_row *r)
{
	const void *v = (const char *)s + r->offset;

	vs_textbuf_prom_head(o, r->metric, r->type, r->help);
	vs_textbuf_put(o, "vmastress_%s", r->metric);
	if (r->format != VS_FMT_STRING && r->flags & VS_STAT_SHARED)
		vs_textbuf_put(o, "{daemon=\"load\"}");
	switch (r->format) {
	case VS_FMT_U64:
	case VS_FMT_HEX:
		vs_textbuf_put(o, " %llu\n", (unsigned long long)*(const uint64_t *)v);
		break;
	case VS_FMT_LONG:
		vs_textbuf_put(o, " %ld\n", *(const long *)v);
		break;
	case VS_FMT_DOUBLE:
		vs_textbuf_put(o, " %.17g\n", *(const double *)v);
		break;
	case VS_FMT_BOOL:
		vs_textbuf_put(o, " %d\n", *(const bool *)v ? 1 : 0);
		break;
	case VS_FMT_STRING: /* an info metric: the value as a label */
		vs_textbuf_put(o, "{%s=\"", r->json);
		vs_textbuf_label(o, (const char *)v);
		vs_textbuf_put(o,
			       r->flags & VS_STAT_SHARED ? "\",daemon=\"load\"} 1\n" : "\"} 1\n");
		break;
	}
}

static void families(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	const struct vs_totals *t = &s->t;
	const struct family *f = &family[VS_FAMILY_OPS];

	vs_textbuf_prom_head(o, f->metric, "counter", f->help);
	for (int op = 0; op < VS_OP_COUNT; op++)
		vs_textbuf_put(o, "vmastress_%s{op=\"%s\"} %llu\n", f->metric, vs_op_name(op),
			       (unsigned long long)t->ops[op]);
	f = &family[VS_FAMILY_FAILURES];
	vs_textbuf_prom_head(o, f->metric, "counter", f->help);
	for (int op = 0; op < VS_OP_COUNT; op++)
		for (unsigned e = 0; e < VS_ERRNO_SLOTS; e++)
			if (e == 0 || t->failures[op][e])
				vs_textbuf_put(o, "vmastress_%s{op=\"%s\",errno=\"%s\"} %llu\n",
					       f->metric, vs_op_name(op), vs_errno_slot_name(e),
					       (unsigned long long)t->failures[op][e]);
	f = &family[VS_FAMILY_ENOMEM];
	vs_textbuf_prom_head(o, f->metric, "counter", f->help);
	for (int op = 0; op < VS_OP_COUNT; op++)
		for (int c = 0; c < VS_CAUSE_COUNT; c++)
			vs_textbuf_put(o, "vmastress_%s{op=\"%s\",cause=\"%s\"} %llu\n", f->metric,
				       vs_op_name(op), vs_enomem_cause_name(c),
				       (unsigned long long)t->enomem[c][op]);
	f = &family[VS_FAMILY_CALLS];
	for (int k = 0, named = 0; k < VS_CALLS_MAX; k++) {
		if (!s->call_names[k])
			continue;
		if (!named++)
			vs_textbuf_prom_head(o, f->metric, "counter", f->help);
		vs_textbuf_put(o, "vmastress_%s{call=\"%s\"} %llu\n", f->metric, s->call_names[k],
			       (unsigned long long)t->call_failures[k]);
	}
}

/* One histogram row's series, by fill band: those that have seen a call. */
static void histogram_row(struct vs_textbuf *o, const struct vs_totals *t, unsigned row,
			  const char *metric, const char *label, const char *value)
{
	for (int f = 0; f < VS_FILL_COUNT; f++) {
		const char *fill = vs_fill_band_name(f);
		uint64_t n = 0, cum = 0;
		for (int i = 0; i <= VS_LAT_BUCKETS; i++)
			n += t->lat[row][f][i];
		if (!n)
			continue;
		for (int i = 0; i < VS_LAT_BUCKETS; i++) {
			cum += t->lat[row][f][i];
			vs_textbuf_put(
			    o, "vmastress_%s_bucket{%s=\"%s\",fill=\"%s\",le=\"%.9g\"} %llu\n",
			    metric, label, value, fill,
			    (double)((uint64_t)VS_LAT_FIRST_NS << i) / 1e9,
			    (unsigned long long)cum);
		}
		vs_textbuf_put(o,
			       "vmastress_%s_bucket{%s=\"%s\",fill=\"%s\",le=\"+Inf\"} %llu\n"
			       "vmastress_%s_sum{%s=\"%s\",fill=\"%s\"} %.9f\n"
			       "vmastress_%s_count{%s=\"%s\",fill=\"%s\"} %llu\n",
			       metric, label, value, fill, (unsigned long long)n, metric, label,
			       value, fill, (double)t->lat_sum_ns[row][f] / 1e9, metric, label,
			       value, fill, (unsigned long long)n);
	}
}

/* vmastress_op_duration_seconds{op,fill}, and the same calls by the shape's name
 * for them in vmastress_call_duration_seconds{call,fill} (a metric of its own, so
 * that a sum over either counts every call once). */
static void histograms(struct vs_textbuf *o, const struct vs_snapshot *s)
{
	vs_textbuf_prom_head(
	    o, "op_duration_seconds", "histogram",
	    "Duration of the calls, by kind and by how full the limit was (low < 50 %, mid "
	    "50-90 %, high >= 90 %).");
	for (int k = 0; k < VS_LAT_KIND_COUNT; k++)
		histogram_row(o, &s->t, (unsigned)k, "op_duration_seconds", "op",
			      vs_lat_kind_name(k));
	for (int c = 0, named = 0; c < VS_CALLS_MAX; c++)
		if (s->call_names[c]) {
			if (!named++)
				vs_textbuf_prom_head(
				    o, "call_duration_seconds", "histogram",
				    "Duration of the calls by what they are to the shape's "
				    "consumer, by fill band.");
			histogram_row(o, &s->t, VS_LAT_KIND_COUNT + (unsigned)c,
				      "call_duration_seconds", "call", s->call_names[c]);
		}
}

int vs_render_prom(const struct vs_snapshot *s, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};

	if (!len)
		return -ENOBUFS;
	for (int i = 0; i < VS_STAT_COUNT; i++)
		if (vs_stat_rows[i].metric)
			scalar(&o, s, &vs_stat_rows[i]);
	families(&o, s);
	histograms(&o, s);
	if (s->kernel.known) {
		const char *source = vs_kmem_source_name(s->kernel.source);
		vs_textbuf_prom_head(
		    &o, "kernel_vma_bytes", "gauge",
		    "Kernel memory the daemon's VMAs pin since start (memcg: its own cgroup's, "
		    "exact; slabinfo: the host's VMA caches; meminfo: SUnreclaim, an estimate).");
		vs_textbuf_put(&o, "vmastress_kernel_vma_bytes{source=\"%s\"} %llu\n", source,
			       (unsigned long long)s->kernel.vma_bytes);
		if (s->kernel.bytes_per_vma >= 0) {
			vs_textbuf_prom_head(&o, "kernel_bytes_per_vma", "gauge",
					     "Kernel memory per VMA, measured at the peak.");
			vs_textbuf_put(&o, "vmastress_kernel_bytes_per_vma{source=\"%s\"} %.0f\n",
				       source, s->kernel.bytes_per_vma);
		}
	}
	return vs_textbuf_result(&o);
}
