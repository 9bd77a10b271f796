/* render_watch.c: watch mode's scan as the stats JSON and Prometheus text. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "vmastress/shapes/shape.h"
#include "vmastress/log/errnames.h"
#include "vmastress/output/render.h"
#include "vmastress/output/render_watch.h"
#include "vmastress/watch/concern.h"
#include "vmastress/output/watch_fields.h"
#include "vmastress/watch/peaks/advice.h"

/* A row of the watch's table (watch/fields.h). */
#define F(id) (&vs_watch_fields[VS_WF_##id])

const struct vs_field vs_watch_fields[VS_WF_COUNT] = {VS_WATCH_FIELDS(VS_FIELD_ROW)};

static double fill(long vmas, long limit)
{
	return limit > 0 ? (double)vmas / (double)limit : 0;
}

static void per_call(struct vs_textbuf *o, const struct vs_field *f,
		     const uint64_t n[VS_CATCH_CALL_COUNT])
{
	vs_field_key(o, f);
	vs_textbuf_put(o, "{");
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++)
		vs_textbuf_put(o, "%s\"%s\":%llu", k ? "," : "", vs_catch_call_name(k),
			       (unsigned long long)n[k]);
	vs_textbuf_put(o, "}");
}

/* How the exit hook is attached: "always" on fexit (only the hooked calls pay), as
 * configured on a tracepoint; null without BPF. */
static const char *catch_mode(const struct vs_watch_view *v)
{
	const struct vs_catch *c = v->caught->catch;

	if (!c)
		return NULL;
	return vs_catch_every_exit(c) && v->catch_mode ? v->catch_mode : "always";
}

/* A workload as {"kind", "name", "named", "why"}, from the rows of its place (named
 * and why: NULL rows, left out). */
static void workload_json(struct vs_textbuf *o, const struct vs_workload *w,
			  const struct vs_field *obj, const struct vs_field *kind,
			  const struct vs_field *name, const struct vs_field *named,
			  const struct vs_field *why)
{
	vs_field_key(o, obj);
	vs_textbuf_put(o, "{");
	vs_field_key(o, kind);
	vs_textbuf_put(o, "\"%s\"", vs_workload_kind_name(w->kind));
	vs_field_key(o, name);
	vs_textbuf_json_string(o, w->name);
	if (named) {
		vs_field_key(o, named);
		vs_textbuf_put(o, "%s", w->named ? "true" : "false");
	}
	if (why && !w->named)
		vs_field_string(o, why, w->why);
	vs_textbuf_put(o, "}");
}

static void recent_json(struct vs_textbuf *o, const struct vs_watch_catch *c)
{
	OPEN(o, recent, "[");
	/* Oldest first. */
	for (unsigned i = 0; i < c->n; i++) {
		const struct vs_watch_caught *x =
		    &c->recent[(c->head + c->kept - c->n + i) % c->kept];
		vs_textbuf_put(o, "%s{", i ? "," : "");
		NUM(o, recent_time, "%.6f", x->time);
		NUM(o, recent_pid, "%ld", x->pid);
		NUM(o, recent_tid, "%ld", x->tid);
		TEXT(o, recent_comm, x->comm);
		TEXT(o, recent_unit, x->unit);
		workload_json(o, &x->workload, F(recent_workload), F(recent_wl_kind),
			      F(recent_wl_name), F(recent_wl_named), F(recent_wl_why));
		NUM(o, recent_call, "\"%s\"", vs_catch_call_name(x->call));
		NUM(o, recent_errno, "\"%s\"", vs_errno_name(x->err));
		NUM(o, recent_map_count, "%ld", x->map_count);
		NUM(o, recent_limit, "%ld", x->limit);
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "]");
}

/* What the watch runs on, and what it caught. */
static void catch_json(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch_catch *c = v->caught;

	NUM(o, backend, "\"%s\"", c->bpf ? "bpf" : "proc");
	STR(o, backend_reason, c->bpf ? "" : c->reason);
	STR(o, attach, c->bpf ? c->attach : "");
	STR(o, catch_mode, catch_mode(v));
	BOOL(o, catch_attached, catch_mode(v) && vs_catch_hooked(c->catch));
	OPEN(o, catch, "{");
	NUM(o, dropped, "%llu", (unsigned long long)c->dropped);
	NUM(o, journal_dropped, "%llu", (unsigned long long)c->journal_dropped);
	per_call(o, F(hits), c->hits);
	per_call(o, F(other_enomem), c->other);
	recent_json(o, c);
	vs_textbuf_put(o, "}");
}

/* A kept peak's workload: its key, or the command's for a process outside units. */
static void peak_workload(const struct vs_peak *e, struct vs_workload *w)
{
	w->kind = vs_workload_kind_of(e->unit);
	w->named = true;
	w->why = NULL;
	if (e->unit[0])
		snprintf(w->name, sizeof(w->name), "%s", e->unit);
	else
		snprintf(w->name, sizeof(w->name), "comm:%s", e->comm);
}

/* The kept peaks' order, highest first: their indexes into order (at most max). */
static unsigned by_peak(const struct vs_peaks *p, unsigned order[VS_PEAKS_MAX], unsigned max)
{
	bool taken[VS_PEAKS_MAX] = {false};
	unsigned n = 0;

	for (; p && n < max && n < p->n; n++) {
		unsigned best = p->n;
		for (unsigned i = 0; i < p->n; i++)
			if (!taken[i] && (best == p->n || p->e[i].vmas > p->e[best].vmas))
				best = i;
		taken[best] = true;
		order[n] = best;
	}
	return n;
}

/* Each workload's peak and the limit it needs, and the one that sets the host's. */
static void workloads_json(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	unsigned order[VS_PEAKS_MAX], n = by_peak(v->peaks, order, VS_ADVICE_WORKLOADS);
	struct vs_workload wl;

	OPEN(o, workloads, "[");
	for (unsigned i = 0; i < n; i++) {
		const struct vs_peak *e = &v->peaks->e[order[i]];
		peak_workload(e, &wl);
		vs_textbuf_put(o, "%s{", i ? "," : "");
		NUM(o, wls_kind, "\"%s\"", vs_workload_kind_name(wl.kind));
		TEXT(o, wls_name, wl.name);
		NUM(o, wls_map_count, "%ld", e->vmas);
		NUM(o, wls_pid, "%ld", e->pid);
		TEXT(o, wls_comm, e->comm);
		NUM(o, wls_at, "%.3f", e->at);
		NUM(o, wls_limit, "%ld", vs_advice_limit(e->vmas, VS_ADVICE_HEADROOM, 0, true));
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "]");
	if (!n) {
		NUM(o, set_by, "%s", "null");
		return;
	}
	peak_workload(&v->peaks->e[order[0]], &wl);
	OPEN(o, set_by, "{");
	NUM(o, set_by_kind, "\"%s\"", vs_workload_kind_name(wl.kind));
	TEXT(o, set_by_name, wl.name);
	vs_textbuf_put(o, "}");
}

static void peak_json(struct vs_textbuf *o, const struct vs_peak *top)
{
	if (!top) {
		NUM(o, peak, "%s", "null");
		return;
	}
	OPEN(o, peak, "{");
	NUM(o, peak_map_count, "%ld", top->vmas);
	NUM(o, peak_vmas, "%ld", top->vmas);
	TEXT(o, peak_unit, top->unit);
	struct vs_workload wl;
	peak_workload(top, &wl);
	workload_json(o, &wl, F(peak_workload), F(peak_wl_kind), F(peak_wl_name), NULL, NULL);
	TEXT(o, peak_comm, top->comm);
	NUM(o, peak_pid, "%ld", top->pid);
	NUM(o, peak_at, "%.3f", top->at);
	NUM(o, peak_shape, "\"%s\"", top->shape);
	NUM(o, peak_scans80, "%llu", (unsigned long long)top->scans80);
	NUM(o, peak_scans95, "%llu", (unsigned long long)top->scans95);
	vs_textbuf_put(o, "}");
}

/* "advice": the limit to set from the highest peak kept, what it costs, the drop-in
 * and the load test that confirms it (advice.h's rules, as vmastressctl advise), and
 * what each concern adds (the raise: what it raised or could not). */
static void advice_json(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch *w = v->w;
	const struct vs_peak *top = v->peaks ? vs_peaks_top(v->peaks) : NULL;
	long limit = w->sysctl.value, peak = top ? top->vmas : 0;
	uint64_t hits = 0;
	char dropin[400], confirm[300];

	for (unsigned i = 0; v->peaks && i < v->peaks->n; i++)
		hits += v->peaks->e[i].hits;
	long rec = vs_advice_limit(peak, VS_ADVICE_HEADROOM, limit, false);
	vs_advice_dropin(dropin, sizeof(dropin), rec, peak, VS_ADVICE_HEADROOM,
			 VS_KERNEL_BYTES_PER_VMA);
	/* The peak's shape as the watch guessed it (the registry's), or its guess
	 * for a process it knows nothing of. */
	const struct vs_shape *shape = top ? vs_shape_find(top->shape) : NULL;
	if (!shape)
		shape = vs_shape_guess(0, 0, 0);
	vs_advice_confirm(confirm, sizeof(confirm), shape->name,
			  (long)((double)peak * VS_ADVICE_HEADROOM), rec, limit);
	OPEN(o, advice, "{");
	NUM(o, advice_limit, "%ld", limit);
	STR(o, advice_source, w->sysctl.source);
	peak_json(o, top);
	NUM(o, advice_hits, "%llu", (unsigned long long)hits);
	NUM(o, window_seconds, "%.0f", v->peaks ? v->now - v->peaks->since : 0);
	NUM(o, headroom, "%g", VS_ADVICE_HEADROOM);
	NUM(o, recommended_limit, "%ld", rec);
	NUM(o, recommended_kernel_bytes, "%.0f", (double)rec * VS_KERNEL_BYTES_PER_VMA);
	NUM(o, advice_bytes_per_vma, "%ld", VS_KERNEL_BYTES_PER_VMA);
	TEXT(o, dropin, dropin);
	TEXT(o, confirm_command, confirm);
	NUM(o, advice_shape, "\"%s\"", shape->name);
	STR(o, shape_advice, shape->advice);
	workloads_json(o, v);
	for (unsigned i = 0; i < v->nconcerns; i++)
		if (v->concerns[i]->advice_json)
			v->concerns[i]->advice_json(o, v->concerns[i]->state);
	vs_textbuf_put(o, "}");
}

static void top_json(struct vs_textbuf *o, const struct vs_watch *w)
{
	OPEN(o, top, "[");
	for (unsigned i = 0; i < w->ntop; i++) {
		const struct vs_watch_proc *p = &w->top[i];
		vs_textbuf_put(o, "%s{", i ? "," : "");
		NUM(o, top_pid, "%ld", p->pid);
		TEXT(o, top_comm, p->comm);
		TEXT(o, top_unit, p->unit);
		workload_json(o, &p->workload, F(top_workload), F(top_wl_kind), F(top_wl_name),
			      F(top_wl_named), F(top_wl_why));
		NUM(o, top_map_count, "%ld", p->vmas);
		NUM(o, top_vmas, "%ld", p->vmas);
		NUM(o, top_fill, "%.6f", fill(p->vmas, w->limit));
		BOOL(o, top_load, p->load);
		NUM(o, top_peak, "%ld", p->peak > p->vmas ? p->peak : p->vmas);
		NUM(o, top_peak_at, "%.3f", p->peak_at);
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "]");
}

static void scan_json(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch *w = v->w;

	OPEN(o, watch, "{");
	NUM(o, interval_seconds, "%u", v->interval);
	NUM(o, top_n, "%u", w->top_n);
	NUM(o, scans, "%llu", (unsigned long long)w->scans);
	NUM(o, scanned_at, "%.3f", w->scanned_at);
	NUM(o, scan_seconds, "%.6f", w->scan_seconds);
	NUM(o, processes, "%llu", (unsigned long long)w->processes);
	NUM(o, map_count, "%llu", (unsigned long long)w->vmas);
	NUM(o, vmas, "%llu", (unsigned long long)w->vmas);
	OPEN(o, skipped, "{");
	for (int s = 0; s < VS_WATCH_SKIP_COUNT; s++)
		vs_textbuf_put(o, "%s\"%s\":%llu", s ? "," : "", vs_watch_skip_name(s),
			       (unsigned long long)w->skipped[s]);
	vs_textbuf_put(o, "}");
	OPEN(o, above, "{");
	for (int t = 0; t < VS_WATCH_THRESHOLD_COUNT; t++)
		vs_textbuf_put(o, "%s\"%u\":%llu", t ? "," : "", vs_watch_thresholds[t],
			       (unsigned long long)w->above[t]);
	vs_textbuf_put(o, "}");
	OPEN(o, sysctl, "{");
	NUM(o, sysctl_value, "%ld", w->sysctl.value);
	STR(o, sysctl_source, w->sysctl.source);
	if (w->sysctl.source_value >= 0)
		NUM(o, sysctl_source_value, "%ld", w->sysctl.source_value);
	else
		NUM(o, sysctl_source_value, "%s", "null");
	vs_textbuf_put(o, "}");
	NUM(o, crossings_suppressed, "%llu", (unsigned long long)w->crossings_suppressed);
	top_json(o, w);
	catch_json(o, v);
	vs_textbuf_put(o, "}");
}

int vs_render_watch_json(const struct vs_watch_view *v, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};
	const struct vs_watch *w = v->w;

	if (!len)
		return -ENOBUFS;
	vs_textbuf_put(&o, "{");
	NUM(&o, version, "\"%s\"", VS_VERSION);
	NUM(&o, pid, "%ld", (long)getpid());
	NUM(&o, mode, "\"%s\"", "watch");
	NUM(&o, uptime_seconds, "%.3f", v->uptime_seconds);
	NUM(&o, max_map_count, "%ld", w->sysctl.value);
	scan_json(&o, v);
	OPEN(&o, outputs, "{");
	NUM(&o, textfile_failures, "%llu", (unsigned long long)v->textfile->failures);
	BOOL(&o, textfile_failing, v->textfile->failing);
	TEXT(&o, textfile_error, v->textfile->error);
	vs_textbuf_put(&o, "}");
	advice_json(&o, v);
	for (unsigned i = 0; i < v->nconcerns; i++)
		if (v->concerns[i]->json)
			v->concerns[i]->json(&o, v->concerns[i]->state);
	vs_textbuf_put(&o, "}\n");
	return vs_textbuf_result(&o);
}

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
	vs_field_head(o, F(skipped));
	for (int s = 0; s < VS_WATCH_SKIP_COUNT; s++) {
		vs_field_metric(o, F(skipped));
		vs_textbuf_put(o, "{reason=\"%s\"} %llu\n", vs_watch_skip_name(s),
			       (unsigned long long)w->skipped[s]);
	}
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
}

/* The advice's limit, and the peaks kept per workload: the first watch.workloads by
 * peak, the rest as "other" (the highest of them); the old per-unit series beside
 * them for this release (the first 16). */
static void prom_peaks(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_peak *top = v->peaks ? vs_peaks_top(v->peaks) : NULL;
	unsigned order[VS_PEAKS_MAX], n = by_peak(v->peaks, order, VS_PEAKS_MAX);
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
		peak_workload(e, &wl);
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
	prom_one(o, F(catch_attached), " %.0f\n",
		 c->catch && vs_catch_hooked(c->catch) ? 1 : 0);
	if (!c->bpf)
		return;
	prom_hits(o, c);
	vs_field_head(o, F(other_enomem));
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++) {
		vs_field_metric(o, F(other_enomem));
		vs_textbuf_put(o, "{call=\"%s\"} %llu\n", vs_catch_call_name(k),
			       (unsigned long long)c->other[k]);
	}
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
