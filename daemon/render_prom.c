/* render_prom.c: snapshot -> Prometheus text format, every metric with HELP and TYPE. */
#include <errno.h>
#include <stdio.h>
#include "vmastress/errnames.h"
#include "vmastress/textbuf.h"
#include "vmastress/render_prom.h"

static void head(struct vs_textbuf *o, const char *name, const char *type, const char *help)
{
	vs_textbuf_put(o, "# HELP vmastress_%s %s\n# TYPE vmastress_%s %s\n", name, help, name,
		       type);
}

static void gauge(struct vs_textbuf *o, const char *name, const char *help, double v)
{
	head(o, name, "gauge", help);
	vs_textbuf_put(o, "vmastress_%s %.17g\n", name, v);
}

static void counter(struct vs_textbuf *o, const char *name, const char *help, unsigned long long v)
{
	head(o, name, "counter", help);
	vs_textbuf_put(o, "vmastress_%s %llu\n", name, v);
}

int vs_render_prom(const struct vs_snapshot *s, char *buf, size_t len)
{
	struct vs_textbuf o = {.buf = buf, .len = len};
	const struct vs_totals *t = &s->t;

	if (!len)
		return -ENOBUFS;
	head(&o, "build_info", "gauge", "Build information; always 1.");
	vs_textbuf_put(&o, "vmastress_build_info{version=\"%s\"} 1\n", VS_VERSION);
	gauge(&o, "start_time_seconds", "Start time of the workers, seconds since the epoch.",
	      s->start_time);
	gauge(&o, "workers", "Worker threads running.", s->workers);
	gauge(&o, "vma_limit", "vm.max_map_count as last read.", (double)s->max_map_count);
	gauge(&o, "vmas", "VMAs of the daemon, last read from /proc/self/maps.",
	      (double)s->map_count);
	gauge(&o, "vmas_predicted", "VMAs of the daemon by the internal exact count.",
	      (double)s->map_count_predicted);
	gauge(&o, "vmas_peak", "Highest VMA count reached.", (double)s->map_count_peak);
	gauge(&o, "mappings", "Regions currently mapped by the workers (not leaked).",
	      (double)t->mappings);
	gauge(&o, "mapped_bytes", "Bytes currently mapped by the workers (not leaked).",
	      (double)t->mapped_bytes);
	head(&o, "ops_total", "counter", "Calls made, by operation.");
	for (int op = 0; op < VS_OP_COUNT; op++)
		vs_textbuf_put(&o, "vmastress_ops_total{op=\"%s\"} %llu\n", vs_op_name(op),
			       (unsigned long long)t->ops[op]);
	head(&o, "failures_total", "counter", "Failed calls, by operation and errno.");
	for (int op = 0; op < VS_OP_COUNT; op++)
		for (unsigned e = 0; e < VS_ERRNO_SLOTS; e++)
			if (e == 0 || t->failures[op][e])
				vs_textbuf_put(
				    &o, "vmastress_failures_total{op=\"%s\",errno=\"%s\"} %llu\n",
				    vs_op_name(op), vs_errno_slot_name(e),
				    (unsigned long long)t->failures[op][e]);
	head(&o, "enomem_total", "counter",
	     "ENOMEM failures by operation and cause (map_count: the VMA limit; memory).");
	for (int op = 0; op < VS_OP_COUNT; op++) {
		vs_textbuf_put(&o, "vmastress_enomem_total{op=\"%s\",cause=\"map_count\"} %llu\n",
			       vs_op_name(op), (unsigned long long)t->enomem_map_count[op]);
		vs_textbuf_put(&o, "vmastress_enomem_total{op=\"%s\",cause=\"memory\"} %llu\n",
			       vs_op_name(op), (unsigned long long)t->enomem_memory[op]);
	}
	gauge(&o, "leaked_mappings", "Regions whose munmap failed and that are still mapped.",
	      (double)t->leaked_mappings);
	gauge(&o, "leaked_bytes", "Bytes still mapped because munmap failed.",
	      (double)t->leaked_bytes);
	counter(&o, "leak_reclaimed_bytes_total", "Leaked bytes unmapped by a later retry.",
		t->reclaimed_bytes);
	counter(&o, "vmas_created_total", "VMAs added by the workers' calls (how hard they churn).",
		t->vmas_created);
	counter(&o, "verifications_total", "Comparisons of the internal count with /proc.",
		s->verifications);
	gauge(&o, "vmas_drift", "/proc minus predicted VMAs at the last verification.",
	      (double)s->drift_last);
	counter(&o, "regions_table_full_total",
		"Maps not made because the preallocated region table or arena was full.",
		t->table_full);
	counter(&o, "clients_rejected_total",
		"Stats clients turned away: busy, too long, silent or bad requests.",
		s->clients_rejected);
	counter(&o, "log_events_dropped_total", "Per-event log entries over the rate limit.",
		t->events_dropped + s->log_dropped);
	return vs_textbuf_result(&o);
}
