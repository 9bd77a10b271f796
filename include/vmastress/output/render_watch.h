/* render_watch.h: watch mode's stats JSON and Prometheus text (no allocation). */
#pragma once
#include <stddef.h>
#include "vmastress/output/report.h"
#include "vmastress/watch/peaks.h"
#include "vmastress/watch/raise.h"
#include "vmastress/watch/watch.h"

struct vs_watch_view {
	const struct vs_watch *w;
	double uptime_seconds;
	double start_time_seconds; /* since the epoch */
	unsigned interval;	   /* watch.interval, seconds */
	const struct vs_output_state *textfile;
	const struct vs_peaks *peaks; /* NULL: none kept */
	double now;		      /* realtime seconds */
	const char *catch_mode;	      /* watch.catch: "near" or "always" */
	const struct vs_raise *raise; /* the raise policy (NULL: none, a report) */
};

int vs_render_watch_json(const struct vs_watch_view *v, char *buf, size_t len);
int vs_render_watch_prom(const struct vs_watch_view *v, char *buf, size_t len);

struct vs_textbuf;
/* The stats JSON's "raise" (with its leading comma) and the vmastress_raise_*
 * metrics (render_raise.c). trigger: "bpf" or "scan". */
void vs_render_raise_json(struct vs_textbuf *o, const struct vs_raise *r, const char *trigger);
void vs_render_raise_prom(struct vs_textbuf *o, const struct vs_raise *r);
