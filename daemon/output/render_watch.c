/* render_watch.c: watch mode's stats JSON (its metrics: render_watch_prom.c), every name
 * from the rows of output/watch_fields.h. */
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

static double fill(long vmas, long limit)
{
	return limit > 0 ? (double)vmas / (double)limit : 0;
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
		vs_render_workload_json(o, &x->workload, F(recent_workload), F(recent_wl_kind),
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
	vs_field_counts(o, F(hits), vs_catch_call_name, c->hits, VS_CATCH_CALL_COUNT);
	vs_field_counts(o, F(other_enomem), vs_catch_call_name, c->other, VS_CATCH_CALL_COUNT);
	recent_json(o, c);
	vs_textbuf_put(o, "}");
}

/* A kept peak's workload: its key, or the command's for a process outside units. */
void vs_render_peak_workload(const struct vs_peak *e, struct vs_workload *w)
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
unsigned vs_render_by_peak(const struct vs_peaks *p, unsigned order[VS_PEAKS_MAX], unsigned max)
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
	unsigned order[VS_PEAKS_MAX], n = vs_render_by_peak(v->peaks, order, VS_ADVICE_WORKLOADS);
	struct vs_workload wl;

	OPEN(o, workloads, "[");
	for (unsigned i = 0; i < n; i++) {
		const struct vs_peak *e = &v->peaks->e[order[i]];
		vs_render_peak_workload(e, &wl);
		vs_textbuf_put(o, "%s{", i ? "," : "");
		NUM(o, wls_kind, "\"%s\"", vs_workload_kind_name(wl.kind));
		TEXT(o, wls_name, wl.name);
		NUM(o, wls_map_count, "%ld", e->vmas);
		NUM(o, wls_pid, "%ld", e->pid);
		TEXT(o, wls_comm, e->comm);
		NUM(o, wls_at, "%.3f", e->at);
		if (e->rate > 0)
			NUM(o, wls_rate, "%.1f", e->rate);
		else
			NUM(o, wls_rate, "%s", "null");
		NUM(o, wls_limit, "%ld", vs_advice_limit(e->vmas, VS_ADVICE_HEADROOM, 0, true));
		vs_textbuf_put(o, "}");
	}
	vs_textbuf_put(o, "]");
	if (!n) {
		NUM(o, set_by, "%s", "null");
		return;
	}
	vs_render_peak_workload(&v->peaks->e[order[0]], &wl);
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
	vs_render_peak_workload(top, &wl);
	vs_render_workload_json(o, &wl, F(peak_workload), F(peak_wl_kind), F(peak_wl_name), NULL,
				NULL);
	TEXT(o, peak_comm, top->comm);
	NUM(o, peak_pid, "%ld", top->pid);
	NUM(o, peak_at, "%.3f", top->at);
	NUM(o, peak_shape, "\"%s\"", top->shape);
	NUM(o, peak_scans80, "%llu", (unsigned long long)top->scans80);
	NUM(o, peak_scans95, "%llu", (unsigned long long)top->scans95);
	if (top->rate > 0)
		NUM(o, peak_rate, "%.1f", top->rate);
	else
		NUM(o, peak_rate, "%s", "null");
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
	char dropin[600], confirm[300], dropin_path[VS_SYSCTL_PATH_MAX], after[VS_SYSCTL_PATH_MAX];

	for (unsigned i = 0; v->peaks && i < v->peaks->n; i++)
		hits += v->peaks->e[i].hits;
	long rec = vs_advice_limit(peak, VS_ADVICE_HEADROOM, limit, false);
	vs_sysctld_dropin(&w->sysctl, dropin_path, sizeof(dropin_path), after, sizeof(after));
	vs_advice_dropin(dropin, sizeof(dropin), dropin_path, after, rec, peak, VS_ADVICE_HEADROOM,
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
	if (top && top->rate > 0)
		NUM(o, recommended_lasts, "%.0f", (double)(rec - peak) / top->rate);
	else
		NUM(o, recommended_lasts, "%s", "null");
	NUM(o, advice_bytes_per_vma, "%ld", VS_KERNEL_BYTES_PER_VMA);
	TEXT(o, dropin, dropin);
	TEXT(o, dropin_path, dropin_path);
	STR(o, dropin_after, after);
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
		vs_render_workload_json(o, &p->workload, F(top_workload), F(top_wl_kind),
					F(top_wl_name), F(top_wl_named), F(top_wl_why));
		NUM(o, top_map_count, "%ld", p->vmas);
		NUM(o, top_vmas, "%ld", p->vmas);
		NUM(o, top_fill, "%.6f", fill(p->vmas, w->limit));
		BOOL(o, top_load, p->load);
		NUM(o, top_peak, "%ld", p->peak > p->vmas ? p->peak : p->vmas);
		NUM(o, top_peak_at, "%.3f", p->peak_at);
		vs_render_forecast_row(o, p);
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
	vs_field_counts(o, F(skipped), vs_watch_skip_name, w->skipped, VS_WATCH_SKIP_COUNT);
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
	vs_render_origin_json(o, &w->sysctl);
	vs_textbuf_put(o, "}");
	NUM(o, crossings_suppressed, "%llu", (unsigned long long)w->crossings_suppressed);
	vs_render_soon_json(o, w);
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
