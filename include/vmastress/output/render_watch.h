/* render_watch.h: watch mode's stats JSON and Prometheus text (no allocation). */
#pragma once
#include <stddef.h>
#include "vmastress/output/report.h"
#include "vmastress/watch/peaks/peaks.h"
#include "vmastress/watch/catch/caught.h"
#include "vmastress/watch/concern.h"
#include "vmastress/watch/watch.h"

struct vs_watch_view {
	const struct vs_watch *w;
	double uptime_seconds;
	double start_time_seconds; /* since the epoch */
	unsigned interval;	   /* watch.interval, seconds */
	const struct vs_output_state *textfile;
	const struct vs_peaks *peaks;	     /* NULL: none kept */
	double now;			     /* realtime seconds */
	const char *catch_mode;		     /* watch.catch: "near" or "always" */
	unsigned workloads;		     /* watch.workloads: labelled in the metrics */
	const struct vs_watch_catch *caught; /* the catch's state */
	/* The concerns (the raise policy): their fields and metrics in their place. */
	const struct vs_watch_concern *const *concerns;
	unsigned nconcerns;
};

/* Workloads listed in the stats' advice, by peak. */
#define VS_ADVICE_WORKLOADS 32

/* The stats JSON (render_watch.c) and the metrics (render_watch_prom.c). */
int vs_render_watch_json(const struct vs_watch_view *v, char *buf, size_t len);
int vs_render_watch_prom(const struct vs_watch_view *v, char *buf, size_t len);

/* Shared by both: a kept peak's workload (its key; the command's outside units), and
 * the kept peaks' indexes into order, highest first (at most max); the number. */
void vs_render_peak_workload(const struct vs_peak *e, struct vs_workload *w);
unsigned vs_render_by_peak(const struct vs_peaks *p, unsigned order[VS_PEAKS_MAX], unsigned max);

/* A workload as {"kind", "name", "named", "why"}, from the rows of its place (named
 * and why: NULL rows, left out). */
struct vs_textbuf;
struct vs_field;
void vs_render_workload_json(struct vs_textbuf *o, const struct vs_workload *w,
			     const struct vs_field *obj, const struct vs_field *kind,
			     const struct vs_field *name, const struct vs_field *named,
			     const struct vs_field *why);

/* The forecast and the limit's origin (render_foresight.c): a top row's forecast
 * fields; watch.warn_within_seconds .. watch.soon; the soonest's metric. */
void vs_render_forecast_row(struct vs_textbuf *o, const struct vs_watch_proc *p);
void vs_render_soon_json(struct vs_textbuf *o, const struct vs_watch *w);
void vs_render_soon_prom(struct vs_textbuf *o, const struct vs_watch *w);
/* watch.sysctl's sources .. lowered_from; the lowering's metric. */
void vs_render_origin_json(struct vs_textbuf *o, const struct vs_sysctl_source *src);
void vs_render_origin_prom(struct vs_textbuf *o, const struct vs_sysctl_source *src);
