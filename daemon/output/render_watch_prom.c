/* render_watch_prom.c: watch mode's Prometheus text, every metric's name, TYPE and HELP
 * from the rows of output/watch_fields.h (the series both daemons write: stats.h's). */
#include <errno.h>
#include <string.h>
#include "vmastress/output/render.h"
#include "vmastress/output/render_watch.h"
#include "vmastress/output/watch_fields.h"
#include "vmastress/watch/concern.h"
#include "vmastress/watch/peaks/advice.h"

#define F(id) (&vs_watch_fields[VS_WF_##id])

static void shared_head(struct vs_textbuf *o, enum vs_stat i)
{
	vs_textbuf_prom_head(o, vs_stat_rows[i].metric, vs_stat_rows[i].type, vs_stat_rows[i].help);
}

/* The series the load daemon writes too (stats.h's shared rows, daemon="watch"), and
 * where the limit comes from. */
static void prom_shared(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch *w = v->w;

	shared_head(o, VS_STAT_version);
	vs_textbuf_put(o, "vmastress_%s{version=\"%s\",daemon=\"watch\"} 1\n",
		       vs_stat_rows[VS_STAT_version].metric, VS_VERSION);
	shared_head(o, VS_STAT_start_time_seconds);
	vs_textbuf_put(o, "vmastress_%s{daemon=\"watch\"} %.3f\n",
		       vs_stat_rows[VS_STAT_start_time_seconds].metric, v->start_time_seconds);
	shared_head(o, VS_STAT_max_map_count);
	vs_textbuf_put(o, "vmastress_%s{daemon=\"watch\"} %ld\n",
		       vs_stat_rows[VS_STAT_max_map_count].metric, w->sysctl.value);
	if (w->sysctl.source[0] && w->sysctl.source_value >= 0) {
		vs_field_head(o, F(sysctl_source_value));
		vs_field_metric(o, F(sysctl_source_value));
		vs_textbuf_put(o, "{source=\"");
		vs_textbuf_label(o, w->sysctl.source);
		vs_textbuf_put(o, "\"} %ld\n", w->sysctl.source_value);
	}
	vs_render_origin_prom(o, &w->sysctl);
	shared_head(o, VS_STAT_textfile_failing);
	vs_textbuf_put(o, "vmastress_%s{daemon=\"watch\"} %d\n",
		       vs_stat_rows[VS_STAT_textfile_failing].metric, v->textfile->failing ? 1 : 0);
}

/* A series of a row without labels: its HELP, TYPE and one value. */
static void prom_one(struct vs_textbuf *o, const struct vs_field *f, const char *fmt, double v)
{
	vs_field_head(o, f);
	vs_field_metric(o, f);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vs_textbuf_put(o, fmt, v);
#pragma GCC diagnostic pop
}

/* One listed process's series: its pid, comm and unit labels opened. */
static void proc_labels(struct vs_textbuf *o, const struct vs_field *f,
			const struct vs_watch_proc *p)
{
	vs_field_metric(o, f);
	vs_textbuf_put(o, "{pid=\"%ld\",comm=\"", p->pid);
	vs_textbuf_label(o, p->comm);
	vs_textbuf_put(o, "\",unit=\"");
	vs_textbuf_label(o, p->unit);
}

/* The last scan: its figures, the thresholds, the listed processes and their peaks. */
static void prom_scan(struct vs_textbuf *o, const struct vs_watch *w)
{
	prom_one(o, F(scans), " %.0f\n", (double)w->scans);
	prom_one(o, F(scan_seconds), " %.6f\n", w->scan_seconds);
	prom_one(o, F(processes), " %.0f\n", (double)w->processes);
	prom_one(o, F(map_count), " %.0f\n", (double)w->vmas);
	vs_field_series(o, F(skipped), "reason", vs_watch_skip_name, w->skipped,
			VS_WATCH_SKIP_COUNT);
	vs_field_head(o, F(above));
	for (int t = 0; t < VS_WATCH_THRESHOLD_COUNT; t++) {
		vs_field_metric(o, F(above));
		vs_textbuf_put(o, "{threshold=\"%u\"} %llu\n", vs_watch_thresholds[t],
			       (unsigned long long)w->above[t]);
	}
	vs_field_head(o, F(top_map_count));
	for (unsigned i = 0; i < w->ntop; i++) {
		proc_labels(o, F(top_map_count), &w->top[i]);
		vs_textbuf_put(o, "\",load=\"%s\"} %ld\n", w->top[i].load ? "true" : "false",
			       w->top[i].vmas);
	}
	vs_field_head(o, F(top_peak));
	for (unsigned i = 0; i < w->ntop; i++) {
		const struct vs_watch_proc *p = &w->top[i];
		proc_labels(o, F(top_peak), p);
		vs_textbuf_put(o, "\"} %ld\n", p->peak > p->vmas ? p->peak : p->vmas);
	}
	vs_render_soon_prom(o, w);
}

/* The advice's limit, and the peaks kept per workload: the first watch.workloads by
 * peak, the rest as "other" (the highest of them); the old per-unit series beside
 * them for this release (the first 16). */
static void prom_peaks(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_peak *top = v->peaks ? vs_peaks_top(v->peaks) : NULL;
	unsigned order[VS_PEAKS_MAX], n = vs_render_by_peak(v->peaks, order, VS_PEAKS_MAX);
	struct vs_workload wl;

	prom_one(o, F(recommended_limit), " %.0f\n",
		 (double)vs_advice_limit(top ? top->vmas : 0, VS_ADVICE_HEADROOM,
					 v->w->sysctl.value, false));
	vs_field_head(o, F(workload_peak));
	long rest = -1;
	for (unsigned i = 0; i < n; i++) {
		const struct vs_peak *e = &v->peaks->e[order[i]];
		if (i >= v->workloads) {
			rest = rest > e->vmas ? rest : e->vmas;
			continue;
		}
		vs_render_peak_workload(e, &wl);
		vs_field_metric(o, F(workload_peak));
		vs_textbuf_put(o, "{workload=\"");
		vs_textbuf_label(o, wl.name);
		vs_textbuf_put(o, "\",kind=\"%s\"} %ld\n", vs_workload_kind_name(wl.kind), e->vmas);
	}
	if (rest >= 0) {
		vs_field_metric(o, F(workload_peak));
		vs_textbuf_put(o, "{workload=\"other\",kind=\"other\"} %ld\n", rest);
	}
	vs_field_head(o, F(unit_peak));
	for (unsigned i = 0; i < n && i < 16; i++) {
		const struct vs_peak *e = &v->peaks->e[order[i]];
		vs_field_metric(o, F(unit_peak));
		vs_textbuf_put(o, "{unit=\"");
		if (e->unit[0])
			vs_textbuf_label(o, e->unit);
		else {
			vs_textbuf_put(o, "comm:");
			vs_textbuf_label(o, e->comm);
		}
		vs_textbuf_put(o, "\"} %ld\n", e->vmas);
	}
}

/* The listed processes' VMAs by workload: the first watch.workloads by VMAs, the
 * rest summed as "other". */
static void prom_workloads(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch *w = v->w;
	unsigned first[VS_WATCH_TOP_MAX], n = 0; /* a workload's first row in the list */
	long sum[VS_WATCH_TOP_MAX];

	for (unsigned i = 0; i < w->ntop; i++) {
		unsigned k = 0;
		while (k < n && strcmp(w->top[first[k]].workload.name, w->top[i].workload.name))
			k++;
		if (k == n) {
			first[n] = i;
			sum[n++] = 0;
		}
		sum[k] += w->top[i].vmas;
	}
	vs_field_head(o, F(workload_vmas));
	long rest = 0;
	bool more = false;
	for (unsigned shown = 0; shown < n; shown++) { /* by VMAs, highest first */
		unsigned best = 0;
		for (unsigned k = 1; k < n; k++)
			if (sum[k] > sum[best])
				best = k;
		if (shown >= v->workloads) {
			rest += sum[best];
			more = true;
		} else {
			const struct vs_workload *wl = &w->top[first[best]].workload;
			vs_field_metric(o, F(workload_vmas));
			vs_textbuf_put(o, "{workload=\"");
			vs_textbuf_label(o, wl->name);
			vs_textbuf_put(o, "\",kind=\"%s\"} %ld\n", vs_workload_kind_name(wl->kind),
				       sum[best]);
		}
		sum[best] = -1;
	}
	if (more) {
		vs_field_metric(o, F(workload_vmas));
		vs_textbuf_put(o, "{workload=\"other\",kind=\"other\"} %ld\n", rest);
	}
}

/* The calls refused, by call and unit: the first units seen, the rest as other. */
static void prom_hits(struct vs_textbuf *o, const struct vs_watch_catch *c)
{
	vs_field_head(o, F(hits));
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++) {
		uint64_t listed = 0;
		for (unsigned u = 0; u < c->nunits; u++) {
			if (!c->units[u].hits[k])
				continue;
			listed += c->units[u].hits[k];
			vs_field_metric(o, F(hits));
			vs_textbuf_put(o, "{call=\"%s\",unit=\"", vs_catch_call_name(k));
			vs_textbuf_label(o, c->units[u].unit[0] ? c->units[u].unit : "none");
			vs_textbuf_put(o, "\"} %llu\n", (unsigned long long)c->units[u].hits[k]);
		}
		vs_field_metric(o, F(hits));
		vs_textbuf_put(o, "{call=\"%s\",unit=\"other\"} %llu\n", vs_catch_call_name(k),
			       (unsigned long long)(c->hits[k] > listed ? c->hits[k] - listed : 0));
	}
}

/* The backend, the hook, and what the catch counted (bpf only). */
static void prom_catch(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch_catch *c = v->caught;

	vs_field_head(o, F(backend));
	vs_field_metric(o, F(backend));
	vs_textbuf_put(o, "{backend=\"%s\"} 1\n", c->bpf ? "bpf" : "proc");
	prom_one(o, F(catch_attached), " %.0f\n", c->catch && vs_catch_hooked(c->catch) ? 1 : 0);
	if (!c->bpf)
		return;
	prom_hits(o, c);
	vs_field_series(o, F(other_enomem), "call", vs_catch_call_name, c->other,
			VS_CATCH_CALL_COUNT);
	prom_one(o, F(dropped), " %.0f\n", (double)c->dropped);
}

int vs_render_watch_prom(const struct vs_watch_view *v, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};

	if (!len)
		return -ENOBUFS;
	prom_shared(&o, v);
	prom_scan(&o, v->w);
	prom_peaks(&o, v);
	prom_workloads(&o, v);
	prom_catch(&o, v);
	for (unsigned i = 0; i < v->nconcerns; i++)
		if (v->concerns[i]->prom)
			v->concerns[i]->prom(&o, v->concerns[i]->state);
	return vs_textbuf_result(&o);
}
