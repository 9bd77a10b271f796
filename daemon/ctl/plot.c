/* plot.c: `vmastressctl plot REPORT... -o FILE.svg`: a run over time from the reports'
 * "timeline", as one self-contained SVG (no script, no external font or file). Panels
 * on one time axis: the VMAs against the limit, failures per second by op, leaked
 * bytes, latency p99 by op; reports overlaid in colours, ops told apart by dashes. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctl.h"
#include "plot.h"
#include "svg.h"

#define PANEL_GAP 46

static const char *const colours[PLOT_REPORTS_MAX] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
						      "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
/* By op (failures) and by kind of call (latency, stats.h VS_LAT_KINDS). */
static const char *const dashes[] = {"", "7 3", "2 2", "9 3 2 3"};

#define VMAS_TITLE                                                                                 \
	"the load's VMAs (dashed: the limit, dash-dot: an emulated limit, dotted: the demand; "    \
	"o: the first failure)"
static const char *const panel_titles[P_COUNT] = {
    VMAS_TITLE, "failures per second, by op", "leaked bytes", "latency p99 by call (log scale)"};

/* A panel with nothing to draw in any run is one line of text, not an empty frame. */
#define EMPTY_PANEL_H 22
static bool panel_empty(const struct run *runs, int nruns, enum panel p)
{
	for (int r = 0; r < nruns; r++)
		for (unsigned w = 0; w < vs_plot_series_count(p); w++)
			if (vs_plot_series_present(&runs[r], p, w))
				return false;
	return true;
}

static double panel_height(const struct run *runs, int nruns, enum panel p)
{
	return panel_empty(runs, nruns, p) ? EMPTY_PANEL_H : PANEL_H + PANEL_GAP;
}

/* What an empty panel says instead. */
static const char *const panel_none[P_COUNT] = {"no VMAs", "failures: none, no call failed",
						"leaked bytes: no leaks", "latency: no call timed"};

/* The VMA panel's top: the counts, the demand and an emulated limit, what the picture
 * is about; the kernel's limit only where it is near them (a host at 1048576 would
 * squash a 65530 story into the bottom fifth). A limit left out is marked at the
 * panel's top edge with its value. */
#define LIMIT_ON_SCALE 1.25
static double vmas_top(const struct run *runs, int nruns, double data_hi)
{
	double hi = data_hi;

	for (int r = 0; r < nruns; r++)
		for (int k = 0; k < 2; k++) {
			double v = k ? runs[r].demand : runs[r].emulated;
			if (!isnan(v) && v > hi)
				hi = v;
		}
	for (int r = 0; r < nruns; r++) {
		double v = runs[r].limit;
		if (isnan(runs[r].emulated) && !isnan(v) && v > hi && v <= LIMIT_ON_SCALE * hi)
			hi = v;
	}
	return hi;
}

static void limit_off_scale(FILE *o, const struct vs_svg_frame *f, const struct run *run, int r,
			    int nth)
{
	char text[64];

	if (!isnan(run->emulated) || isnan(run->limit) || run->limit <= f->hi)
		return;
	snprintf(text, sizeof(text), "limit %.0f above the scale \u2191", run->limit);
	fprintf(o,
		"<text class=\"limit-off-scale\" data-report=\"%d\" x=\"%d\" y=\"%.1f\" "
		"text-anchor=\"end\" fill=\"%s\">",
		r, WIDTH - RIGHT - 4, f->y0 + 14 + 14.0 * nth, colours[r]);
	vs_svg_text(o, text);
	fprintf(o, "</text>\n");
}

/* One series of one run as a path; a gap where it has no point. */
static void series(FILE *o, const struct vs_svg_frame *f, const struct run *run, int r,
		   enum panel p, unsigned w)
{
	char name[64];
	bool pen = false;

	fprintf(o,
		"<path class=\"series\" data-report=\"%d\" data-series=\"%s\" "
		"fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" "
		"stroke-dasharray=\"%s\" d=\"",
		r, vs_plot_series_name(p, w, name, sizeof(name)), colours[r],
		p == P_FAILURES || p == P_LATENCY ? dashes[w % 4] : "");
	for (size_t i = 0; i < run->n; i++) {
		double t = vs_ctl_num(json_object_array_get_idx(run->samples, i), "t");
		double v = vs_plot_value(run, p, w, i);
		if (isnan(v) || (f->log && v <= 0)) {
			pen = false;
			continue;
		}
		fprintf(o, "%s%.1f %.1f ", pen ? "L" : "M", vs_svg_x(f, t), vs_svg_y(f, v));
		pen = true;
	}
	fprintf(o, "\"/>\n");
}

static void panel(FILE *o, struct run *runs, int nruns, enum panel p, double y0, double tmax)
{
	struct vs_svg_frame f = {.y0 = y0, .tmax = tmax, .lo = 0, .hi = 0, .log = p == P_LATENCY};

	if (f.log)
		f.lo = INFINITY;
	for (int r = 0; r < nruns; r++) {
		for (unsigned w = 0; w < vs_plot_series_count(p); w++)
			for (size_t i = 0; runs[r].samples && i < runs[r].n; i++) {
				double v = vs_plot_value(&runs[r], p, w, i);
				if (isnan(v) || (f.log && v <= 0))
					continue;
				f.hi = v > f.hi ? v : f.hi;
				f.lo = f.log && v < f.lo ? v : f.lo;
			}
	}
	if (p == P_VMAS)
		f.hi = vmas_top(runs, nruns, f.hi);
	if (panel_empty(runs, nruns, p)) {
		fprintf(o,
			"<g class=\"panel\" data-panel=\"%s\"><text class=\"empty\" x=\"%d\" "
			"y=\"%.1f\" fill=\"#777777\">%s</text></g>\n",
			vs_plot_panel_keys[p], LEFT, y0 - 8, panel_none[p]);
		return;
	}
	if (f.log) {
		if (!isfinite(f.lo))
			f.lo = 1, f.hi = 10;
		f.lo = pow(10, floor(log10(f.lo)));
		f.hi = pow(10, ceil(log10(f.hi > f.lo ? f.hi : f.lo * 10)));
	} else { /* up to the next round step, with room above the highest point */
		double top = f.hi > 0 ? f.hi * 1.04 : 1, step = vs_svg_step(top, 5);
		f.hi = ceil(top / step) * step;
	}
	fprintf(o, "<g class=\"panel\" data-panel=\"%s\">\n", vs_plot_panel_keys[p]);
	vs_svg_axes(o, &f, panel_titles[p], p == P_LATENCY ? " µs" : "");
	for (int r = 0, off = 0; r < nruns; r++) {
		const struct run *run = &runs[r];
		if (p == P_VMAS) {
			/* Emulated: the kernel's limit less the ballast is the emulated one. */
			if (isnan(run->emulated) && run->limit <= f.hi)
				vs_svg_hline(o, &f, run->limit, "limit", colours[r], "8 4", r);
			else if (isnan(run->emulated))
				limit_off_scale(o, &f, run, r, off++);
			vs_svg_hline(o, &f, run->demand, "demand", colours[r], "2 3", r);
			vs_svg_hline(o, &f, run->emulated, "emulated-limit", colours[r], "8 3 2 3",
				     r);
		}
		for (unsigned w = 0; w < vs_plot_series_count(p); w++)
			if (vs_plot_series_present(run, p, w))
				series(o, &f, run, r, p, w);
		if (p == P_VMAS && run->samples && !isnan(run->first_failure)) {
			size_t i = vs_plot_sample_at(run, run->first_failure);
			json_object *s = json_object_array_get_idx(run->samples, i);
			fprintf(o,
				"<circle class=\"first-failure\" data-report=\"%d\" "
				"data-sample=\"%zu\" "
				"cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" stroke=\"%s\" "
				"stroke-width=\"2\"/>\n",
				r, i, vs_svg_x(&f, vs_ctl_num(s, "t")),
				vs_svg_y(&f, vs_plot_value(run, P_VMAS, 0, i)), colours[r]);
		}
	}
	fprintf(o, "</g>\n");
}

/* "demand 100000 VMAs NOT held under limit 65530: mprotect ENOMEM at 65529 after
 * 0.26 s", or for a run without a demand, its peak and failures. */
static int write_svg(FILE *o, struct run *runs, int n)
{
	double tmax = 0;
	char host[96], line[1024];

	for (int r = 0; r < n; r++)
		if (runs[r].samples) {
			double t = vs_ctl_num(
			    json_object_array_get_idx(runs[r].samples, runs[r].n - 1), "t");
			tmax = t > tmax ? t : tmax;
		}
	double title_h = 24 + 18.0 * n;
	double panels_h = 0;
	for (int p = 0; p < P_COUNT; p++)
		panels_h += panel_height(runs, n, (enum panel)p);
	double legend_y = title_h + panels_h + 10;
	double height = legend_y + 18.0 * n + 60;
	fprintf(o,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<title>vmastress: %d run%s over time</title>\n"
		"<rect width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
		WIDTH, height, WIDTH, height, n, n == 1 ? "" : "s", WIDTH, height);
	fprintf(o, "<g class=\"title\">\n");
	for (int r = 0; r < n; r++) {
		if (n > 1)
			snprintf(line, sizeof(line), "%c: %s", 'A' + r, runs[r].verdict);
		else
			snprintf(line, sizeof(line), "%s", runs[r].verdict);
		fprintf(o, "<text x=\"%d\" y=\"%.0f\" font-size=\"%d\" fill=\"%s\">", LEFT / 3,
			22 + 18.0 * r, n > 1 ? 13 : 15, n > 1 ? colours[r] : "#000000");
		vs_svg_text(o, line);
		fprintf(o, "</text>\n");
	}
	fprintf(o, "</g>\n");
	double y0 = title_h + 24;
	for (int p = 0; p < P_COUNT; p++) {
		panel(o, runs, n, (enum panel)p, y0, tmax);
		y0 += panel_height(runs, n, (enum panel)p);
	}
	fprintf(o, "<g class=\"legend\">\n");
	for (int r = 0; r < n; r++) {
		double y = legend_y + 18.0 * r;
		vs_ctl_text(runs[r].r, "host", host, sizeof(host));
		char limit[96];
		if (isnan(runs[r].emulated))
			snprintf(limit, sizeof(limit), "limit %.0f", runs[r].limit);
		else
			snprintf(limit, sizeof(limit), "limit %.0f emulated on a host at %.0f",
				 runs[r].emulated, runs[r].limit);
		json_object *held = vs_ctl_at(runs[r].r, "verdict.held");
		const char *base =
		    strrchr(runs[r].path, '/'); /* the file's name, not where it lay */
		snprintf(line, sizeof(line), "%c: %s: %s, %s, %s%s", 'A' + r,
			 base ? base + 1 : runs[r].path, host, limit,
			 held ? (json_object_get_boolean(held) ? "held" : "NOT held") : "no demand",
			 runs[r].samples ? ""
					 : " - no timeline in this report (an older vmastressd): "
					   "not drawn");
		fprintf(o,
			"<g class=\"legend-entry\" data-report=\"%d\"><rect x=\"%d\" y=\"%.0f\" "
			"width=\"14\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%.0f\">",
			r, LEFT, y - 9, colours[r], LEFT + 20, y);
		vs_svg_text(o, line);
		fprintf(o, "</text></g>\n");
	}
	double y = legend_y + 18.0 * n + 8;
	fprintf(o, "<g class=\"legend-ops\">");
	for (unsigned k = 0; k < LAT_KINDS; k++) {
		double x = LEFT + 150.0 * k;
		fprintf(o,
			"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333333\" "
			"stroke-width=\"1.6\" stroke-dasharray=\"%s\"/><text x=\"%.0f\" "
			"y=\"%.0f\">%s</text>",
			x, y, x + 30, y, dashes[k], x + 36, y + 4, vs_plot_lat_kinds[k]);
	}
	fprintf(o, "</g>\n</g>\n</svg>\n");
	return ferror(o) ? -EIO : 0;
}

int vs_ctl_plot_files(char *const *paths, int count, const char *out)
{
	struct run runs[PLOT_REPORTS_MAX];
	int n = 0, rc = 0, with = 0;

	if (count > PLOT_REPORTS_MAX) {
		fprintf(stderr, "vmastressctl: plot: at most %d reports in one picture, got %d\n",
			PLOT_REPORTS_MAX, count);
		return VS_EX_USAGE;
	}
	for (int i = 0; i < count && rc == 0; i++) {
		rc = vs_plot_load(&runs[n], paths[i]);
		if (rc == 0) {
			with += runs[n].samples != NULL;
			if (!runs[n].samples)
				fprintf(stderr,
					"vmastressctl: plot: %s: no timeline (a report of an older "
					"vmastressd): in the legend, not drawn\n",
					paths[i]);
			n++;
		}
	}
	if (rc == 0 && !with) {
		fprintf(stderr, "vmastressctl: plot: no report has a timeline: nothing to plot\n");
		rc = VS_EX_DATAERR;
	}
	if (rc == 0) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp", out);
		FILE *o = fopen(tmp, "we");
		if (!o) {
			fprintf(stderr, "vmastressctl: plot: %s: %s\n", tmp, strerror(errno));
			rc = VS_EX_NOPERM;
		} else {
			int w = write_svg(o, runs, n);
			if (fclose(o) != 0 || w < 0 || rename(tmp, out) < 0) {
				fprintf(stderr, "vmastressctl: plot: cannot write %s: %s\n", out,
					strerror(errno ? errno : EIO));
				unlink(tmp);
				rc = VS_EX_NOPERM;
			}
		}
	}
	for (int i = 0; i < n; i++)
		json_object_put(runs[i].r);
	return rc;
}

int vs_ctl_plot(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {NULL, 0, NULL, 0}};
	const char *out = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c != 'o') {
			fprintf(stderr,
				"vmastressctl: plot: unknown option %s (plot REPORT.json... "
				"-o FILE.svg)\n",
				argv[optind - 1]);
			return VS_EX_USAGE;
		}
		out = optarg;
	}
	if (!out || optind >= argc) {
		fprintf(stderr, "vmastressctl: plot: %s (plot REPORT.json... -o FILE.svg)\n",
			!out ? "needs -o FILE.svg" : "needs at least one report");
		return VS_EX_USAGE;
	}
	return vs_ctl_plot_files(argv + optind, argc - optind, out);
}
