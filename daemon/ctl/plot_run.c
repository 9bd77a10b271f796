/* plot_run.c: a report as a run to plot: its timeline's series, panel by panel, and
 * the line that says its verdict. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plot.h"

const char *const vs_plot_panel_keys[P_COUNT] = {"vmas", "failures", "leaked", "latency"};
const char *const vs_plot_lat_kinds[4] = {"mmap", "mprotect", "munmap", "punch"};

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

double vs_plot_value(const struct run *r, enum panel p, unsigned which, size_t i)
{
	json_object *s = json_object_array_get_idx(r->samples, i);
	char key[64];

	switch (p) {
	case P_VMAS: /* the load's, as the emulated limit counts them */
		return vs_ctl_map_count(s) - r->ballast;
	case P_LEAKED:
		return vs_ctl_num(s, "leaked_bytes");
	case P_FAILURES: {
		double t = vs_ctl_num(s, "t"), t0 = 0;
		if (i > 0)
			t0 = vs_ctl_num(json_object_array_get_idx(r->samples, i - 1), "t");
		return t > t0 ? op_failures(s, op_names[which]) / (t - t0) : NAN;
	}
	case P_LATENCY:
		snprintf(key, sizeof(key), "p99_us.%s", vs_plot_lat_kinds[which]);
		return vs_ctl_num(s, key);
	default:
		return NAN;
	}
}

unsigned vs_plot_series_count(enum panel p)
{
	return p == P_FAILURES ? VS_OP_COUNT : p == P_LATENCY ? LAT_KINDS : 1;
}

const char *vs_plot_series_name(enum panel p, unsigned which, char *buf, size_t len)
{
	if (p == P_FAILURES)
		snprintf(buf, len, "failures:%s", op_names[which]);
	else if (p == P_LATENCY)
		snprintf(buf, len, "p99:%s", vs_plot_lat_kinds[which]);
	else
		snprintf(buf, len, "%s", vs_plot_panel_keys[p]);
	return buf;
}

bool vs_plot_series_present(const struct run *r, enum panel p, unsigned which)
{
	if (!r->samples)
		return false;
	if (p == P_VMAS)
		return true;
	for (size_t i = 0; i < r->n; i++) {
		double v = vs_plot_value(r, p, which, i);
		if (!isnan(v) && v > 0)
			return true;
	}
	return false;
}

size_t vs_plot_sample_at(const struct run *r, double t)
{
	for (size_t i = 0; i < r->n; i++)
		if (vs_ctl_num(json_object_array_get_idx(r->samples, i), "t") >= t)
			return i;
	return r->n - 1;
}

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

int vs_plot_load(struct run *run, const char *path)
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
