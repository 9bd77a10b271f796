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
#include "svg.h"

#define PLOT_REPORTS_MAX 8
#define PANEL_GAP 46

static const char *const colours[PLOT_REPORTS_MAX] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
						      "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
/* By op (failures) and by kind of call (latency, stats.h VS_LAT_KINDS). */
static const char *const dashes[] = {"", "7 3", "2 2", "9 3 2 3"};
static const char *const lat_kinds[] = {"mmap", "mprotect", "munmap", "punch"};
#define LAT_KINDS (sizeof(lat_kinds) / sizeof(lat_kinds[0]))

struct run {
	const char *path;
	json_object *r, *samples; /* samples: NULL when the report has none */
	size_t n;
	double limit, demand, emulated, first_failure; /* NAN: none */
	double ballast; /* VMAs standing in for an emulated limit: not the load's */
	char verdict[400];
};

enum panel { P_VMAS, P_FAILURES, P_LEAKED, P_LATENCY, P_COUNT };
static const char *const panel_keys[P_COUNT] = {"vmas", "failures", "leaked", "latency"};
#define VMAS_TITLE                                                                                 \
	"the load's VMAs (dashed: the limit, dash-dot: an emulated limit, dotted: the demand; "    \
	"o: the first failure)"
static const char *const panel_titles[P_COUNT] = {
    VMAS_TITLE, "failures per second, by op", "leaked bytes", "latency p99 by call (log scale)"};

/* The failures of every errno of one op in a sample. */
static double op_failures(json_object *s, const char *op)
{
	json_object *by = vs_ctl_at(s, "failures"), *e = NULL;
	double n = 0;
	if (by && json_object_object_get_ex(by, op, &e) &&
	    json_object_is_type(e, json_type_object)) {
		json_object_object_foreach(e, k, v)
		{
			(void)k;
			n += json_object_get_double(v);
		}
	}
	return n;
}

/* The value of a series at sample i (NAN: no point). */
static double value(const struct run *r, enum panel p, unsigned which, size_t i)
{
	json_object *s = json_object_array_get_idx(r->samples, i);
	char key[64];

	switch (p) {
	case P_VMAS: /* the load's, as the emulated limit counts them */
		return vs_ctl_num(s, "vmas") - r->ballast;
	case P_LEAKED:
		return vs_ctl_num(s, "leaked_bytes");
	case P_FAILURES: {
		double t = vs_ctl_num(s, "t"), t0 = 0;
		if (i > 0)
			t0 = vs_ctl_num(json_object_array_get_idx(r->samples, i - 1), "t");
		return t > t0 ? op_failures(s, op_names[which]) / (t - t0) : NAN;
	}
	case P_LATENCY:
		snprintf(key, sizeof(key), "p99_us.%s", lat_kinds[which]);
		return vs_ctl_num(s, key);
	default:
		return NAN;
	}
}

static unsigned series_count(enum panel p)
{
	return p == P_FAILURES ? VS_OP_COUNT : p == P_LATENCY ? LAT_KINDS : 1;
}

static const char *series_name(enum panel p, unsigned which, char *buf, size_t len)
{
	if (p == P_FAILURES)
		snprintf(buf, len, "failures:%s", op_names[which]);
	else if (p == P_LATENCY)
		snprintf(buf, len, "p99:%s", lat_kinds[which]);
	else
		snprintf(buf, len, "%s", panel_keys[p]);
	return buf;
}

/* Whether a series has a point to draw (failures: any failure; leaked: a byte leaked;
 * latency: any timed call). */
static bool series_present(const struct run *r, enum panel p, unsigned which)
{
	if (!r->samples)
		return false;
	if (p == P_VMAS)
		return true;
	for (size_t i = 0; i < r->n; i++) {
		double v = value(r, p, which, i);
		if (!isnan(v) && v > 0)
			return true;
	}
	return false;
}

/* The sample where t falls: the first at or after it (the last if none). */
static size_t sample_at(const struct run *r, double t)
{
	for (size_t i = 0; i < r->n; i++)
		if (vs_ctl_num(json_object_array_get_idx(r->samples, i), "t") >= t)
			return i;
	return r->n - 1;
}

/* A panel with nothing to draw in any run is one line of text, not an empty frame. */
#define EMPTY_PANEL_H 22
static bool panel_empty(const struct run *runs, int nruns, enum panel p)
{
	for (int r = 0; r < nruns; r++)
		for (unsigned w = 0; w < series_count(p); w++)
			if (series_present(&runs[r], p, w))
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
		r, series_name(p, w, name, sizeof(name)), colours[r],
		p == P_FAILURES || p == P_LATENCY ? dashes[w % 4] : "");
	for (size_t i = 0; i < run->n; i++) {
		double t = vs_ctl_num(json_object_array_get_idx(run->samples, i), "t");
		double v = value(run, p, w, i);
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
		for (unsigned w = 0; w < series_count(p); w++)
			for (size_t i = 0; runs[r].samples && i < runs[r].n; i++) {
				double v = value(&runs[r], p, w, i);
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
			panel_keys[p], LEFT, y0 - 8, panel_none[p]);
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
	fprintf(o, "<g class=\"panel\" data-panel=\"%s\">\n", panel_keys[p]);
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
		for (unsigned w = 0; w < series_count(p); w++)
			if (series_present(run, p, w))
				series(o, &f, run, r, p, w);
		if (p == P_VMAS && run->samples && !isnan(run->first_failure)) {
			size_t i = sample_at(run, run->first_failure);
			json_object *s = json_object_array_get_idx(run->samples, i);
			fprintf(o,
				"<circle class=\"first-failure\" data-report=\"%d\" "
				"data-sample=\"%zu\" "
				"cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" stroke=\"%s\" "
				"stroke-width=\"2\"/>\n",
				r, i, vs_svg_x(&f, vs_ctl_num(s, "t")),
				vs_svg_y(&f, value(run, P_VMAS, 0, i)), colours[r]);
		}
	}
	fprintf(o, "</g>\n");
}

/* "demand 100000 VMAs NOT held under limit 65530: mprotect ENOMEM at 65529 after
 * 0.26 s", or for a run without a demand, its peak and failures. */
static void verdict_line(struct run *r)
{
	char ff[96], fails[160], seed[32];
	double unexpected = 0;
	json_object *v = vs_ctl_at(r->r, "verdict");

	vs_ctl_text(r->r, "seed", seed, sizeof(seed));
	vs_ctl_failures(r->r, fails, sizeof(fails), &unexpected);
	if (v && json_object_is_type(v, json_type_object)) {
		vs_ctl_first_failure(r->r, ff, sizeof(ff));
		snprintf(r->verdict, sizeof(r->verdict),
			 "demand %.0f VMAs %s under %slimit %.0f%s%s (seed %s)", r->demand,
			 json_object_get_boolean(vs_ctl_at(v, "held")) ? "held" : "NOT held",
			 isnan(r->emulated) ? "" : "emulated ",
			 isnan(r->emulated) ? r->limit : r->emulated,
			 strcmp(ff, "-") ? ": first failure " : "", strcmp(ff, "-") ? ff : "",
			 seed);
	} else
		snprintf(r->verdict, sizeof(r->verdict),
			 "%s, no demand: peak %.0f of %.0f VMAs, failures: %s (seed %s)",
			 vs_ctl_shape(r->r, ff, sizeof(ff)), vs_ctl_num(r->r, J(map_count_peak)),
			 r->limit, fails, seed);
}

static int load(struct run *run, const char *path)
{
	json_object *r;
	int rc;

	memset(run, 0, sizeof(*run));
	run->path = path;
	if ((rc = vs_ctl_load_report(path, &r)) != 0)
		return rc;
	/* A watch daemon's answer saved to a file: said as such, not "no timeline". */
	json_object *mode = vs_ctl_at(r, "mode");
	if (mode && json_object_is_type(mode, json_type_string) &&
	    strcmp(json_object_get_string(mode), "watch") == 0) {
		fprintf(stderr,
			"vmastressctl: %s: the stats of a watch daemon, not a load test's report: "
			"nothing of a run to plot (vmastressd --report FILE writes one)\n",
			path);
		json_object_put(r);
		return VS_EX_DATAERR;
	}
	run->r = r;
	run->samples = vs_ctl_at(r, "timeline.samples");
	if (run->samples && !json_object_is_type(run->samples, json_type_array))
		run->samples = NULL;
	run->n = run->samples ? json_object_array_length(run->samples) : 0;
	if (!run->n)
		run->samples = NULL;
	run->limit = vs_ctl_num(r, J(max_map_count));
	run->ballast = vs_ctl_num(r, "timeline.ballast_vmas");
	if (isnan(run->ballast))
		run->ballast = 0;
	run->demand = vs_ctl_num(r, "verdict.demand");
	run->emulated = vs_ctl_num(r, "verdict.emulated_limit");
	run->first_failure = vs_ctl_num(r, "verdict.first_failure.seconds");
	if (isnan(run->first_failure)) /* no demand: the earliest ENOMEM of any op */
		for (unsigned op = 0; op < VS_OP_COUNT; op++) {
			char key[64];
			snprintf(key, sizeof(key), "first_enomem_seconds.%s", op_names[op]);
			double t = vs_ctl_num(r, key);
			if (!isnan(t) && (isnan(run->first_failure) || t < run->first_failure))
				run->first_failure = t;
		}
	verdict_line(run);
	return 0;
}

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
			x, y, x + 30, y, dashes[k], x + 36, y + 4, lat_kinds[k]);
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
		rc = load(&runs[n], paths[i]);
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
