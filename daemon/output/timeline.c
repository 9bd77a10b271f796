/* timeline.c: the report's bounded series of the run (timeline.h). */
#include <string.h>
#include "vmastress/log/errnames.h"
#include "vmastress/output/timeline.h"
#include "vmastress/calls/counters.h"

static const char *const phase_names[VS_PHASE_COUNT] = {"build", "hold", "churn", "teardown"};

const char *vs_phase_name(enum vs_phase p)
{
	return (unsigned)p < VS_PHASE_COUNT ? phase_names[p] : "unknown";
}

void vs_timeline_init(struct vs_timeline *tl)
{
	memset(tl, 0, sizeof(*tl));
	tl->interval_usec = VS_TIMELINE_FIRST_USEC;
}

/* Pairs of neighbours into one: failures add up; the count, the leaks and the
 * phase are the later one's (where the run was); latency the higher. */
static void halve(struct vs_timeline *tl)
{
	for (size_t i = 0; 2 * i + 1 < tl->n; i++) {
		struct vs_timeline_sample m = tl->s[2 * i + 1];
		const struct vs_timeline_sample *a = &tl->s[2 * i];
		for (unsigned op = 0; op < VS_OP_COUNT; op++)
			for (unsigned e = 0; e < VS_ERRNO_SLOTS; e++)
				m.failures[op][e] += a->failures[op][e];
		for (unsigned k = 0; k < VS_LAT_KIND_COUNT; k++) {
			if (a->p50_us[k] > m.p50_us[k])
				m.p50_us[k] = a->p50_us[k];
			if (a->p99_us[k] > m.p99_us[k])
				m.p99_us[k] = a->p99_us[k];
		}
		tl->s[i] = m;
	}
	if (tl->n % 2) /* the odd last one stays as it is */
		tl->s[tl->n / 2] = tl->s[tl->n - 1];
	tl->n = (tl->n + 1) / 2;
	tl->interval_usec *= 2;
}

uint64_t vs_timeline_add(struct vs_timeline *tl, const struct vs_snapshot *s, enum vs_phase phase)
{
	if (tl->n == VS_TIMELINE_MAX)
		halve(tl);
	struct vs_timeline_sample *x = &tl->s[tl->n++];
	const struct vs_totals *t = &s->t;

	memset(x, 0, sizeof(*x));
	x->t = s->uptime_seconds;
	x->vmas = s->map_count;
	x->leaked_bytes = t->leaked_bytes;
	x->phase = (uint8_t)phase;
	tl->ballast = s->ballast_vmas;
	for (unsigned op = 0; op < VS_OP_COUNT; op++)
		for (unsigned e = 0; e < VS_ERRNO_SLOTS; e++) {
			uint64_t now = t->failures[op][e];
			x->failures[op][e] = (uint32_t)(now - tl->prev_failures[op][e]);
			tl->prev_failures[op][e] = now;
		}
	for (unsigned k = 0; k < VS_LAT_KIND_COUNT; k++) {
		uint64_t d[VS_LAT_BUCKETS + 1], max_ns = 0;
		for (unsigned b = 0; b <= VS_LAT_BUCKETS; b++) {
			uint64_t now = 0;
			for (unsigned f = 0; f < VS_FILL_COUNT; f++)
				now += t->lat[k][f][b];
			d[b] = now - tl->prev_lat[k][b];
			tl->prev_lat[k][b] = now;
		}
		for (unsigned f = 0; f < VS_FILL_COUNT; f++)
			if (t->lat_max_ns[k][f] > max_ns)
				max_ns = t->lat_max_ns[k][f];
		double p50 = vs_lat_quantile(d, max_ns, 0.5),
		       p99 = vs_lat_quantile(d, max_ns, 0.99);
		x->p50_us[k] = p50 < 0 ? -1.0f : (float)(p50 * 1e6);
		x->p99_us[k] = p99 < 0 ? -1.0f : (float)(p99 * 1e6);
	}
	return tl->interval_usec;
}

static void latency(struct vs_textbuf *o, const char *key, const float *us)
{
	const char *sep = "";

	vs_textbuf_put(o, ",\"%s\":{", key);
	for (unsigned k = 0; k < VS_LAT_KIND_COUNT; k++)
		if (us[k] >= 0) {
			vs_textbuf_put(o, "%s\"%s\":%.3f", sep, vs_lat_kind_name(k), us[k]);
			sep = ",";
		}
	vs_textbuf_put(o, "}");
}

void vs_render_timeline(struct vs_textbuf *o, const struct vs_timeline *tl)
{
	if (!tl)
		return;
	vs_textbuf_put(o,
		       ",\"timeline\":{\"max_samples\":%d,\"interval_seconds\":%.3f,"
		       "\"ballast_map_count\":%ld,\"ballast_vmas\":%ld,\"samples\":[",
		       VS_TIMELINE_MAX, (double)tl->interval_usec / 1e6, tl->ballast, tl->ballast);
	for (size_t i = 0; i < tl->n; i++) {
		const struct vs_timeline_sample *x = &tl->s[i];
		const char *sep = "";
		vs_textbuf_put(o,
			       /* map_count; vmas, its old name, beside it for this release */
			       "%s{\"t\":%.3f,\"map_count\":%ld,\"vmas\":%ld,\"leaked_bytes\":%llu,"
			       "\"phase\":\"%s\"",
			       i ? "," : "", x->t, x->vmas, x->vmas,
			       (unsigned long long)x->leaked_bytes, vs_phase_name(x->phase));
		vs_textbuf_put(o, ",\"failures\":{");
		for (unsigned op = 0; op < VS_OP_COUNT; op++) {
			const char *esep = "";
			bool any = false;
			for (unsigned e = 0; e < VS_ERRNO_SLOTS; e++)
				any |= x->failures[op][e] != 0;
			if (!any)
				continue;
			vs_textbuf_put(o, "%s\"%s\":{", sep, vs_op_name(op));
			for (unsigned e = 0; e < VS_ERRNO_SLOTS; e++)
				if (x->failures[op][e]) {
					vs_textbuf_put(o, "%s\"%s\":%u", esep,
						       vs_errno_slot_name(e), x->failures[op][e]);
					esep = ",";
				}
			vs_textbuf_put(o, "}");
			sep = ",";
		}
		vs_textbuf_put(o, "}");
		latency(o, "p50_us", x->p50_us);
		latency(o, "p99_us", x->p99_us);
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "]}");
}
