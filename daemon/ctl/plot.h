/* plot.h: vmastressctl plot's parts: a report as a run over time (plot_run.c: its
 * series, panel by panel, and its verdict line) and its drawing (plot.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "ctl.h"

#define PLOT_REPORTS_MAX 8

struct run {
	const char *path;
	json_object *r, *samples; /* samples: NULL when the report has none */
	size_t n;
	double limit, demand, emulated, first_failure; /* NAN: none */
	double ballast; /* VMAs standing in for an emulated limit: not the load's */
	char verdict[400];
};

enum panel { P_VMAS, P_FAILURES, P_LEAKED, P_LATENCY, P_COUNT };
/* A panel's name in the SVG (data-panel), and the kinds of call in the latency panel. */
extern const char *const vs_plot_panel_keys[P_COUNT];
extern const char *const vs_plot_lat_kinds[4];
#define LAT_KINDS (sizeof(vs_plot_lat_kinds) / sizeof(vs_plot_lat_kinds[0]))

/* A report into run (its timeline, limits, demand, verdict line); 0 or the exit. */
int vs_plot_load(struct run *run, const char *path);
/* The value of a series at sample i (NAN: no point). */
double vs_plot_value(const struct run *r, enum panel p, unsigned which, size_t i);
unsigned vs_plot_series_count(enum panel p);
const char *vs_plot_series_name(enum panel p, unsigned which, char *buf, size_t len);
/* Whether a series has a point to draw (failures: any failure; leaked: a byte leaked;
 * latency: any timed call). */
bool vs_plot_series_present(const struct run *r, enum panel p, unsigned which);
/* The sample where t falls: the first at or after it (the last if none). */
size_t vs_plot_sample_at(const struct run *r, double t);
