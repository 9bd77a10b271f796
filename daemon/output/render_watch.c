/* render_watch.c: watch mode's scan as the stats JSON and Prometheus text. */
#include <errno.h>
#include <unistd.h>
#include "vmastress/shapes/shape.h"
#include "vmastress/log/errnames.h"
#include "vmastress/output/render.h"
#include "vmastress/output/render_watch.h"
#include "vmastress/watch/advice.h"

#define VS_WATCH_JSON_NUM(o, key, fmt, v) vs_textbuf_put(o, ",\"" key "\":" fmt, v)

static double fill(long vmas, long limit)
{
	return limit > 0 ? (double)vmas / (double)limit : 0;
}

static void per_call(struct vs_textbuf *o, const char *key, const uint64_t n[VS_CATCH_CALL_COUNT])
{
	vs_textbuf_put(o, ",\"%s\":{", key);
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++)
		vs_textbuf_put(o, "%s\"%s\":%llu", k ? "," : "", vs_catch_call_name(k),
			       (unsigned long long)n[k]);
	vs_textbuf_put(o, "}");
}

/* How the exit hook is attached: "always" on fexit (only the hooked calls pay), as
 * configured on a tracepoint; null without BPF. */
static const char *catch_mode(const struct vs_watch_view *v)
{
	const struct vs_watch *w = v->w;

	if (!w->catch)
		return NULL;
	return vs_catch_every_exit(w->catch) && v->catch_mode ? v->catch_mode : "always";
}

/* "backend", "backend_reason", "attach", "catch_mode", "catch_attached", "catch": what the
 * watch runs on and caught. */
static void catch_json(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch *w = v->w;
	const struct vs_watch_catch *c = &w->caught;

	vs_textbuf_put(o, ",\"backend\":\"%s\",\"backend_reason\":", c->bpf ? "bpf" : "proc");
	if (c->bpf)
		vs_textbuf_put(o, "null,\"attach\":\"%s\"", c->attach);
	else {
		vs_textbuf_json_string(o, c->reason);
		vs_textbuf_put(o, ",\"attach\":null");
	}
	if (catch_mode(v))
		vs_textbuf_put(o, ",\"catch_mode\":\"%s\",\"catch_attached\":%s", catch_mode(v),
			       vs_catch_hooked(w->catch) ? "true" : "false");
	else
		vs_textbuf_put(o, ",\"catch_mode\":null,\"catch_attached\":false");
	vs_textbuf_put(o, ",\"catch\":{");
	vs_textbuf_put(o, "\"dropped\":%llu,\"journal_dropped\":%llu",
		       (unsigned long long)c->dropped, (unsigned long long)c->journal_dropped);
	per_call(o, "hits", c->hits);
	per_call(o, "other_enomem", c->other);
	vs_textbuf_put(o, ",\"recent\":[");
	/* Oldest first. */
	for (unsigned i = 0; i < c->n; i++) {
		const struct vs_watch_caught *x =
		    &c->recent[(c->head + c->kept - c->n + i) % c->kept];
		vs_textbuf_put(o,
			       "%s{\"time\":%.6f,\"pid\":%ld,\"tid\":%ld,\"comm\":", i ? "," : "",
			       x->time, x->pid, x->tid);
		vs_textbuf_json_string(o, x->comm);
		vs_textbuf_put(o, ",\"unit\":");
		vs_textbuf_json_string(o, x->unit);
		vs_textbuf_put(
		    o, ",\"call\":\"%s\",\"errno\":\"%s\",\"map_count\":%ld,\"limit\":%ld}",
		    vs_catch_call_name(x->call), vs_errno_name(x->err), x->map_count, x->limit);
	}
	vs_textbuf_put(o, "]}");
}

/* "advice": the limit to set from the highest peak kept, what it costs, the drop-in
 * and the load test that confirms it (advice.h's rules, as vmastressctl advise). */
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
	vs_textbuf_put(o, ",\"advice\":{\"limit\":%ld,\"source\":", limit);
	if (w->sysctl.source[0])
		vs_textbuf_json_string(o, w->sysctl.source);
	else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(o, ",\"peak\":");
	if (top) {
		/* map_count; vmas, its old name, beside it for this release */
		vs_textbuf_put(o, "{\"map_count\":%ld,\"vmas\":%ld,\"unit\":", top->vmas,
			       top->vmas);
		vs_textbuf_json_string(o, top->unit);
		vs_textbuf_put(o, ",\"comm\":");
		vs_textbuf_json_string(o, top->comm);
		vs_textbuf_put(o,
			       ",\"pid\":%ld,\"at\":%.3f,\"shape\":\"%s\",\"scans80\":%llu,"
			       "\"scans95\":%llu}",
			       top->pid, top->at, top->shape, (unsigned long long)top->scans80,
			       (unsigned long long)top->scans95);
	} else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(o,
		       ",\"hits\":%llu,\"window_seconds\":%.0f,\"headroom\":%g,"
		       "\"recommended_limit\":%ld,\"recommended_kernel_bytes\":%.0f,"
		       "\"bytes_per_vma\":%ld,\"dropin\":",
		       (unsigned long long)hits, v->peaks ? v->now - v->peaks->since : 0,
		       VS_ADVICE_HEADROOM, rec, (double)rec * VS_KERNEL_BYTES_PER_VMA,
		       VS_KERNEL_BYTES_PER_VMA);
	vs_textbuf_json_string(o, dropin);
	vs_textbuf_put(o, ",\"confirm_command\":");
	vs_textbuf_json_string(o, confirm);
	vs_textbuf_put(o, ",\"shape\":\"%s\",\"shape_advice\":", shape->name);
	if (shape->advice)
		vs_textbuf_json_string(o, shape->advice);
	else
		vs_textbuf_put(o, "null");
	/* A raise the policy could not make: the budget or the ceiling said so. */
	/* What the policy raised (the fleet's summary lists it). */
	const struct vs_raise *r = v->raise;
	if (r && !r->dry_run && r->raises[VS_RAISE_FILL] + r->raises[VS_RAISE_REFUSAL] > 0)
		vs_textbuf_put(
		    o, ",\"raised\":{\"from\":%ld,\"to\":%ld,\"raises\":%llu}", r->found, r->known,
		    (unsigned long long)(r->raises[VS_RAISE_FILL] + r->raises[VS_RAISE_REFUSAL]));
	else
		vs_textbuf_put(o, ",\"raised\":null");
	vs_textbuf_put(o, ",\"raise_refused\":");
	if (v->raise && v->raise->refusal[0])
		vs_textbuf_json_string(o, v->raise->refusal);
	else
		vs_textbuf_put(o, "null");
	vs_textbuf_put(o, "}");
}

int vs_render_watch_json(const struct vs_watch_view *v, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};
	const struct vs_watch *w = v->w;

	if (!len)
		return -ENOBUFS;
	vs_textbuf_put(&o, "{\"version\":\"%s\",\"pid\":%ld,\"mode\":\"watch\"", VS_VERSION,
		       (long)getpid());
	VS_WATCH_JSON_NUM(&o, "uptime_seconds", "%.3f", v->uptime_seconds);
	VS_WATCH_JSON_NUM(&o, "max_map_count", "%ld", w->sysctl.value);
	vs_textbuf_put(&o, ",\"watch\":{\"interval_seconds\":%u,\"top_n\":%u,\"scans\":%llu",
		       v->interval, w->top_n, (unsigned long long)w->scans);
	VS_WATCH_JSON_NUM(&o, "scanned_at", "%.3f", w->scanned_at);
	VS_WATCH_JSON_NUM(&o, "scan_seconds", "%.6f", w->scan_seconds);
	VS_WATCH_JSON_NUM(&o, "processes", "%llu", (unsigned long long)w->processes);
	/* The host's VMAs: map_count; vmas, its old name, beside it for this release. */
	VS_WATCH_JSON_NUM(&o, "map_count", "%llu", (unsigned long long)w->vmas);
	VS_WATCH_JSON_NUM(&o, "vmas", "%llu", (unsigned long long)w->vmas);
	vs_textbuf_put(&o, ",\"skipped\":{");
	for (int s = 0; s < VS_WATCH_SKIP_COUNT; s++)
		vs_textbuf_put(&o, "%s\"%s\":%llu", s ? "," : "", vs_watch_skip_name(s),
			       (unsigned long long)w->skipped[s]);
	vs_textbuf_put(&o, "},\"above\":{");
	for (int t = 0; t < VS_WATCH_THRESHOLD_COUNT; t++)
		vs_textbuf_put(&o, "%s\"%u\":%llu", t ? "," : "", vs_watch_thresholds[t],
			       (unsigned long long)w->above[t]);
	vs_textbuf_put(&o, "},\"sysctl\":{\"value\":%ld,\"source\":", w->sysctl.value);
	if (w->sysctl.source[0])
		vs_textbuf_json_string(&o, w->sysctl.source);
	else
		vs_textbuf_put(&o, "null");
	if (w->sysctl.source_value >= 0)
		vs_textbuf_put(&o, ",\"source_value\":%ld}", w->sysctl.source_value);
	else
		vs_textbuf_put(&o, ",\"source_value\":null}");
	vs_textbuf_put(&o, ",\"crossings_suppressed\":%llu,\"top\":[",
		       (unsigned long long)w->crossings_suppressed);
	for (unsigned i = 0; i < w->ntop; i++) {
		const struct vs_watch_proc *p = &w->top[i];
		vs_textbuf_put(&o, "%s{\"pid\":%ld,\"comm\":", i ? "," : "", p->pid);
		vs_textbuf_json_string(&o, p->comm);
		vs_textbuf_put(&o, ",\"unit\":");
		vs_textbuf_json_string(&o, p->unit);
		vs_textbuf_put(
		    /* map_count, the kernel's name, as every other JSON says it; "vmas", its
		     * old name here, is served beside it for one release */
		    &o,
		    ",\"map_count\":%ld,\"vmas\":%ld,\"fill\":%.6f,\"load\":%s,\"peak\":%ld,"
		    "\"peak_at\":%.3f}",
		    p->vmas, p->vmas, fill(p->vmas, w->limit), p->load ? "true" : "false",
		    p->peak > p->vmas ? p->peak : p->vmas, p->peak_at);
	}
	vs_textbuf_put(&o, "]");
	catch_json(&o, v);
	vs_textbuf_put(&o,
		       "},\"outputs\":{\"textfile_failures\":%llu,\"textfile_failing\":%s,"
		       "\"textfile_error\":",
		       (unsigned long long)v->textfile->failures,
		       v->textfile->failing ? "true" : "false");
	vs_textbuf_json_string(&o, v->textfile->error);
	vs_textbuf_put(&o, "}");
	advice_json(&o, v);
	if (v->raise)
		vs_render_raise_json(&o, v->raise, w->catch ? "bpf" : "scan");
	vs_textbuf_put(&o, "}\n");
	return vs_textbuf_result(&o);
}

static void shared_head(struct vs_textbuf *o, enum vs_stat i)
{
	vs_textbuf_prom_head(o, vs_stat_rows[i].metric, vs_stat_rows[i].type, vs_stat_rows[i].help);
}

/* The series the load daemon writes too (the same HELP, daemon="watch"), and the limit. */
static void prom_shared(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_watch *w = v->w;

	shared_head(o, VS_STAT_version);
	vs_textbuf_put(o, "vmastress_build_info{version=\"%s\",daemon=\"watch\"} 1\n", VS_VERSION);
	shared_head(o, VS_STAT_start_time_seconds);
	vs_textbuf_put(o, "vmastress_start_time_seconds{daemon=\"watch\"} %.3f\n",
		       v->start_time_seconds);
	shared_head(o, VS_STAT_max_map_count);
	vs_textbuf_put(o, "vmastress_vma_limit{daemon=\"watch\"} %ld\n", w->sysctl.value);
	if (w->sysctl.source[0] && w->sysctl.source_value >= 0) {
		vs_textbuf_prom_head(o, "watch_sysctl_source_value", "gauge",
				     "vm.max_map_count as the sysctl.d file that wins sets it.");
		vs_textbuf_put(o, "vmastress_watch_sysctl_source_value{source=\"");
		vs_textbuf_label(o, w->sysctl.source);
		vs_textbuf_put(o, "\"} %ld\n", w->sysctl.source_value);
	}
	shared_head(o, VS_STAT_textfile_failing);
	vs_textbuf_put(o, "vmastress_textfile_failing{daemon=\"watch\"} %d\n",
		       v->textfile->failing ? 1 : 0);
}

/* One listed process's labels: pid, comm, unit. */
static void proc_labels(struct vs_textbuf *o, const char *name, const struct vs_watch_proc *p)
{
	vs_textbuf_put(o, "vmastress_%s{pid=\"%ld\",comm=\"", name, p->pid);
	vs_textbuf_label(o, p->comm);
	vs_textbuf_put(o, "\",unit=\"");
	vs_textbuf_label(o, p->unit);
}

/* The last scan: its figures, the thresholds, the listed processes and their peaks. */
static void prom_scan(struct vs_textbuf *o, const struct vs_watch *w)
{
	vs_textbuf_prom_head(o, "watch_scans_total", "counter", "Scans of every process's VMAs.");
	vs_textbuf_put(o, "vmastress_watch_scans_total %llu\n", (unsigned long long)w->scans);
	vs_textbuf_prom_head(o, "watch_scan_seconds", "gauge", "Duration of the last scan.");
	vs_textbuf_put(o, "vmastress_watch_scan_seconds %.6f\n", w->scan_seconds);
	vs_textbuf_prom_head(o, "watch_processes", "gauge", "Processes counted by the last scan.");
	vs_textbuf_put(o, "vmastress_watch_processes %llu\n", (unsigned long long)w->processes);
	vs_textbuf_prom_head(o, "watch_vmas", "gauge", "VMAs of every process counted, in all.");
	vs_textbuf_put(o, "vmastress_watch_vmas %llu\n", (unsigned long long)w->vmas);
	vs_textbuf_prom_head(o, "watch_skipped", "gauge",
			     "Processes the last scan could not count, by reason.");
	for (int s = 0; s < VS_WATCH_SKIP_COUNT; s++)
		vs_textbuf_put(o, "vmastress_watch_skipped{reason=\"%s\"} %llu\n",
			       vs_watch_skip_name(s), (unsigned long long)w->skipped[s]);
	vs_textbuf_prom_head(o, "watch_processes_above", "gauge",
			     "Processes at or above a threshold (percent) of vm.max_map_count.");
	for (int t = 0; t < VS_WATCH_THRESHOLD_COUNT; t++)
		vs_textbuf_put(o, "vmastress_watch_processes_above{threshold=\"%u\"} %llu\n",
			       vs_watch_thresholds[t], (unsigned long long)w->above[t]);
	vs_textbuf_prom_head(
	    o, "watch_top_vmas", "gauge",
	    "VMAs of the processes with the most (watch.top of them); load=\"true\": a "
	    "vmastress load daemon, near the limit on purpose.");
	for (unsigned i = 0; i < w->ntop; i++) {
		proc_labels(o, "watch_top_vmas", &w->top[i]);
		vs_textbuf_put(o, "\",load=\"%s\"} %ld\n", w->top[i].load ? "true" : "false",
			       w->top[i].vmas);
	}
	vs_textbuf_prom_head(
	    o, "watch_peak_vmas", "gauge",
	    "The most VMAs each listed process held (the kernel's high-water mark between "
	    "scans with bpf).");
	for (unsigned i = 0; i < w->ntop; i++) {
		const struct vs_watch_proc *p = &w->top[i];
		proc_labels(o, "watch_peak_vmas", p);
		vs_textbuf_put(o, "\"} %ld\n", p->peak > p->vmas ? p->peak : p->vmas);
	}
}

/* The advice's limit, and the peaks kept per unit (the first 16 by peak). */
static void prom_peaks(struct vs_textbuf *o, const struct vs_watch_view *v)
{
	const struct vs_peak *top = v->peaks ? vs_peaks_top(v->peaks) : NULL;
	bool shown[VS_PEAKS_MAX] = {false};

	vs_textbuf_prom_head(
	    o, "advice_recommended_limit", "gauge",
	    "vm.max_map_count to set: the highest peak kept times 2, rounded up to 65530 or "
	    "a power of two, never below the running limit.");
	vs_textbuf_put(
	    o, "vmastress_advice_recommended_limit %ld\n",
	    vs_advice_limit(top ? top->vmas : 0, VS_ADVICE_HEADROOM, v->w->sysctl.value, false));
	vs_textbuf_prom_head(
	    o, "unit_peak_vmas", "gauge",
	    "The highest VMA count kept per unit (or command outside units), the first "
	    "16 by peak.");
	for (unsigned n = 0; v->peaks && n < 16 && n < v->peaks->n; n++) {
		unsigned best = v->peaks->n;
		for (unsigned i = 0; i < v->peaks->n; i++)
			if (!shown[i] &&
			    (best == v->peaks->n || v->peaks->e[i].vmas > v->peaks->e[best].vmas))
				best = i;
		shown[best] = true;
		const struct vs_peak *e = &v->peaks->e[best];
		vs_textbuf_put(o, "vmastress_unit_peak_vmas{unit=\"");
		if (e->unit[0])
			vs_textbuf_label(o, e->unit);
		else {
			vs_textbuf_put(o, "comm:");
			vs_textbuf_label(o, e->comm);
		}
		vs_textbuf_put(o, "\"} %ld\n", e->vmas);
	}
}

/* The backend, the hook, and what the catch counted (bpf only). */
static void prom_catch(struct vs_textbuf *o, const struct vs_watch *w)
{
	const struct vs_watch_catch *c = &w->caught;

	vs_textbuf_prom_head(
	    o, "watch_backend", "gauge",
	    "1 for the backend the watch runs on: bpf (the kernel's counts, every refused "
	    "call caught) or proc (the /proc scan).");
	vs_textbuf_put(o, "vmastress_watch_backend{backend=\"%s\"} 1\n", c->bpf ? "bpf" : "proc");
	vs_textbuf_prom_head(
	    o, "watch_catch_attached", "gauge",
	    "1 while the catch's exit hook is attached (watch.catch = near on a tracepoint: only "
	    "while a process is near the limit; fexit: always).");
	vs_textbuf_put(o, "vmastress_watch_catch_attached %d\n",
		       w->catch && vs_catch_hooked(w->catch) ? 1 : 0);
	if (!c->bpf)
		return;
	vs_textbuf_prom_head(
	    o, "watch_limit_hits_total", "counter",
	    "Calls the VMA limit refused, host-wide, by call and unit (the first units seen; "
	    "the rest as other).");
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++) {
		uint64_t listed = 0;
		for (unsigned u = 0; u < c->nunits; u++) {
			if (!c->units[u].hits[k])
				continue;
			listed += c->units[u].hits[k];
			vs_textbuf_put(o, "vmastress_watch_limit_hits_total{call=\"%s\",unit=\"",
				       vs_catch_call_name(k));
			vs_textbuf_label(o, c->units[u].unit[0] ? c->units[u].unit : "none");
			vs_textbuf_put(o, "\"} %llu\n", (unsigned long long)c->units[u].hits[k]);
		}
		vs_textbuf_put(
		    o, "vmastress_watch_limit_hits_total{call=\"%s\",unit=\"other\"} %llu\n",
		    vs_catch_call_name(k),
		    (unsigned long long)(c->hits[k] > listed ? c->hits[k] - listed : 0));
	}
	vs_textbuf_prom_head(
	    o, "watch_other_enomem_total", "counter",
	    "Calls that failed with ENOMEM for another reason than the VMA limit.");
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++)
		vs_textbuf_put(o, "vmastress_watch_other_enomem_total{call=\"%s\"} %llu\n",
			       vs_catch_call_name(k), (unsigned long long)c->other[k]);
	vs_textbuf_prom_head(
	    o, "watch_events_dropped_total", "counter",
	    "Refused calls whose details the ring buffer had no room for (still counted).");
	vs_textbuf_put(o, "vmastress_watch_events_dropped_total %llu\n",
		       (unsigned long long)c->dropped);
}

int vs_render_watch_prom(const struct vs_watch_view *v, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};

	if (!len)
		return -ENOBUFS;
	prom_shared(&o, v);
	prom_scan(&o, v->w);
	prom_peaks(&o, v);
	prom_catch(&o, v->w);
	if (v->raise)
		vs_render_raise_prom(&o, v->raise);
	return vs_textbuf_result(&o);
}
