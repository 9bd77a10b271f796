/* advise.c: vmastressctl advise: the limit to set from the peaks the watch kept. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"
#include "vmastress/watch/peaks/advice.h"

/* advise [--headroom F] [--allow-lower] [--json]: the limit to set from the peaks the
 * watch kept, what it costs, the drop-in, and the load test that confirms it. Exit
 * 0: the limit holds the peak with the headroom; 1: raising it is advised; 2: calls
 * the limit refused were caught. */
/* advise's options into headroom, allow_lower and json; -1 when good, else the exit. */
static int advise_options(int argc, char **argv, double *headroom, bool *allow_lower, bool *json)
{
	static const struct option opts[] = {{"headroom", required_argument, NULL, 'h'},
					     {"allow-lower", no_argument, NULL, 'l'},
					     {"json", no_argument, NULL, 'j'},
					     {0}};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'l')
			*allow_lower = true;
		else if (c == 'j')
			*json = true;
		else if (c == 'h') {
			if (!vs_ctl_number(optarg, headroom) || *headroom < 1 || *headroom > 100) {
				fprintf(stderr,
					"vmastressctl: advise: --headroom: \"%s\" is not a factor "
					"from 1 to 100 (2 is twice the peak)\n",
					optarg);
				return VS_EX_USAGE;
			}
		} else {
			fprintf(stderr,
				"vmastressctl: advise: %s %s (advise [--headroom F] "
				"[--allow-lower] [--json])\n",
				argv[optind - 1], c == ':' ? "needs a value" : "is not an option");
			return VS_EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmastressctl: advise: unexpected argument \"%s\"\n", argv[optind]);
		return VS_EX_USAGE;
	}
	return -1;
}

/* What advise tells, from the watch's "advice" and the options. */
struct advice {
	long limit, peak, rec;
	double hits, per, headroom, window;
	bool allow_lower;
	int code;
	char unit[VS_CTL_UNIT_WIDTH + 1], comm[40], shape[16], src[300], dropin[800], confirm[300];
	char dropin_path[300], dropin_after[300];
	double rate, lasts;  /* the peak's climb, VMAs a second, and the advice's time; NAN */
	json_object *sysctl; /* "watch.sysctl": where the limit comes from; NULL: none */
	char shape_advice[300];
	char raise_refused[300]; /* the raise policy's last refused step; "-" none */
	json_object *workloads;	 /* each workload's peak ("advice.workloads"); NULL: none */
};

/* Each workload's need at the headroom asked for: its "recommended_limit" set again. */
static void workloads_needs(struct advice *v)
{
	size_t n = json_object_is_type(v->workloads, json_type_array)
		       ? json_object_array_length(v->workloads)
		       : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(v->workloads, i);
		long need = vs_advice_limit((long)vs_ctl_num(w, "map_count"), v->headroom, 0, true);
		json_object_object_add(w, "recommended_limit", json_object_new_int64(need));
	}
}

static void workloads_text(const struct advice *v)
{
	size_t n = json_object_is_type(v->workloads, json_type_array)
		       ? json_object_array_length(v->workloads)
		       : 0;
	char name[VS_CTL_UNIT_WIDTH + 1], kind[16], comm[40];

	if (!n)
		return;
	printf("\nBy workload (the highest peak kept, and the limit it needs at %g x):\n",
	       v->headroom);
	printf("  %-*s %-9s %-16s %10s %12s\n", VS_CTL_UNIT_WIDTH, "WORKLOAD", "KIND", "COMM",
	       "PEAK", "NEEDS");
	for (size_t i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(v->workloads, i);
		printf("  %-*s %-9s %-16s %10.0f %12.0f\n", VS_CTL_UNIT_WIDTH,
		       vs_ctl_text(w, "name", name, sizeof(name)),
		       vs_ctl_text(w, "kind", kind, sizeof(kind)),
		       vs_ctl_text(w, "comm", comm, sizeof(comm)), vs_ctl_num(w, "map_count"),
		       vs_ctl_num(w, "recommended_limit"));
	}
}

/* Every sysctl.d file that sets the limit, in the order applied; the winner; a
 * winner that lowers what an earlier file (or the kernel) set: the OpenSearch case. */
static void origin_text(const struct advice *v)
{
	json_object *src = v->sysctl ? vs_ctl_at(v->sysctl, "sources") : NULL;
	size_t n = json_object_is_type(src, json_type_array) ? json_object_array_length(src) : 0;
	char path[300], pkg[80], by[300], winner[300], from[300];

	if (!v->sysctl)
		return;
	vs_ctl_text(v->sysctl, "winner", winner, sizeof(winner));
	if (n)
		printf("\nSet by (the order systemd-sysctl applies them; the last wins):\n");
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(src, i);
		vs_ctl_text(f, "path", path, sizeof(path));
		vs_ctl_text(f, "package", pkg, sizeof(pkg));
		printf("  %-48s %12.0f  %s%s", path, vs_ctl_num(f, "value"),
		       strcmp(pkg, "-") ? "package " : "no package", strcmp(pkg, "-") ? pkg : "");
		if (json_object_get_boolean(vs_ctl_at(f, "masked")))
			printf("; masked by %s", vs_ctl_text(f, "masked_by", by, sizeof(by)));
		else if (!strcmp(path, winner))
			printf("; wins");
		printf("\n");
	}
	if (json_object_get_boolean(vs_ctl_at(v->sysctl, "lowers"))) {
		vs_ctl_text(v->sysctl, "lowered_from.path", from, sizeof(from));
		printf("Warning:     %s sets %.0f, lower than %.0f set by %s: it sorts later and "
		       "wins. Remove its line, or write the drop-in below.\n",
		       winner, vs_ctl_num(v->sysctl, "source_value"),
		       vs_ctl_num(v->sysctl, "lowered_from.value"),
		       strcmp(from, "-") ? from : "the kernel's default");
	}
	json_object *m = vs_ctl_at(v->sysctl, "running_matches");
	if (m && !json_object_get_boolean(m))
		printf(
		    "Running:     %ld is not what the files set at boot (%s): a sysctl -w or the "
		    "raise policy since; it is lost at the next boot\n",
		    v->limit, strcmp(winner, "-") ? winner : "the kernel's default 65530");
}

static void advise_text(const struct advice *v)
{
	char over[24];

	printf("A process may hold at most vm.max_map_count memory mappings (VMAs); at the "
	       "limit its\nallocations fail and memory it frees stays in use.\n\n");
	printf("Now:         vm.max_map_count = %ld (%s)\n", v->limit,
	       strcmp(v->src, "-") ? v->src : "the kernel's default: no sysctl.d file sets it");
	if (v->peak)
		printf("Most seen:   %ld mappings, %s (%s), over the last %s: it sets the "
		       "recommendation\n",
		       v->peak, strcmp(v->unit, "-") && v->unit[0] ? v->unit : "no unit", v->comm,
		       vs_ctl_duration(v->window, over, sizeof(over)));
	else
		printf("Most seen:   nothing yet (the watch keeps the peaks it sees)\n");
	if (v->hits > 0)
		printf("Refused:     %.0f calls were refused by the limit: raise it\n", v->hits);
	if (strcmp(v->raise_refused, "-"))
		printf("Not raised:  the raise policy did not: %s\n", v->raise_refused);
	printf("Recommended: vm.max_map_count = %ld (%g x the most seen, rounded up%s)\n", v->rec,
	       v->headroom,
	       v->rec == v->limit && !v->allow_lower ? "; never below the running limit" : "");
	printf("Its cost:    one process at it may pin %.0f MiB of kernel memory (%.0f B a "
	       "mapping)\n",
	       (double)v->rec * v->per / 1048576.0, v->per);
	if (!isnan(v->rate)) {
		char lasts[24];
		printf("Its climb:   %.0f VMAs a second at most", v->rate);
		if (!isnan(v->lasts))
			printf("; at that pace the recommended limit lasts %s past the peak",
			       vs_ctl_duration(v->lasts, lasts, sizeof(lasts)));
		printf("\n");
	}
	origin_text(v);
	printf("\nTo set it, write %s:\n%s\n", v->dropin_path, v->dropin);
	printf("To confirm it, run the load test of the same shape (%s) and demand:\n  %s\n",
	       v->shape, v->confirm);
	if (v->shape_advice[0] && strcmp(v->shape_advice, "-"))
		printf("\n%s\n", v->shape_advice);
	workloads_text(v);
	printf("\n%s\n", v->code == 2	? "exit 2: calls were refused at the limit"
			 : v->code == 1 ? "exit 1: raising the limit is advised"
					: "exit 0: the limit holds the peak with the headroom");
}

static void advise_json(json_object *a, const struct advice *v)
{
	json_object_object_add(a, "headroom", json_object_new_double(v->headroom));
	json_object_object_add(a, "recommended_limit", json_object_new_int64(v->rec));
	json_object_object_add(a, "recommended_kernel_bytes",
			       json_object_new_double((double)v->rec * v->per));
	json_object_object_add(a, "dropin", json_object_new_string(v->dropin));
	json_object_object_add(a, "dropin_path", json_object_new_string(v->dropin_path));
	json_object_object_add(a, "recommended_lasts_seconds",
			       isnan(v->lasts) ? NULL : json_object_new_double(v->lasts));
	if (v->sysctl)
		json_object_object_add(a, "sysctl", json_object_get(v->sysctl));
	json_object_object_add(a, "confirm_command", json_object_new_string(v->confirm));
	json_object_object_add(a, "exit", json_object_new_int(v->code));
	printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY));
}

int vs_ctl_advise(int argc, char **argv)
{
	struct advice v = {.headroom = VS_ADVICE_HEADROOM};
	bool json = false;
	char err[512];
	json_object *s;
	int c = advise_options(argc, argv, &v.headroom, &v.allow_lower, &json);

	if (c >= 0)
		return c;
	if ((c = vs_ctl_fetch_watch(&s, err, sizeof(err)))) {
		fprintf(stderr, "vmastressctl: %s\n", err);
		return c;
	}
	json_object *a = vs_ctl_at(s, "advice");
	if (!json_object_is_type(a, json_type_object)) {
		fprintf(stderr, "vmastressctl: advise: the watch daemon gives no advice (an older "
				"version?)\n");
		json_object_put(s);
		return VS_EX_DATAERR;
	}
	v.limit = (long)vs_ctl_num(a, "limit");
	json_object *peak = vs_ctl_at(a, "peak");
	double peakn = peak ? vs_ctl_map_count(peak) : NAN;
	v.hits = vs_ctl_num(a, "hits");
	v.peak = isnan(peakn) ? 0 : (long)peakn;
	v.per = vs_ctl_num(a, "bytes_per_vma");
	v.window = vs_ctl_num(a, "window_seconds");
	/* The workload that sets it (a daemon before workloads: the peak's unit). */
	if (!strcmp(vs_ctl_text(a, "set_by.name", v.unit, sizeof(v.unit)), "-"))
		vs_ctl_text(a, "peak.unit", v.unit, sizeof(v.unit));
	v.workloads = vs_ctl_at(a, "workloads");
	workloads_needs(&v);
	vs_ctl_text(a, "peak.comm", v.comm, sizeof(v.comm));
	vs_ctl_text(a, "shape", v.shape, sizeof(v.shape));
	if (!strcmp(v.shape, "-")) /* a daemon before advice.shape */
		vs_ctl_text(a, "peak.shape", v.shape, sizeof(v.shape));
	vs_ctl_text(a, "shape_advice", v.shape_advice, sizeof(v.shape_advice));
	vs_ctl_text(a, "source", v.src, sizeof(v.src));
	vs_ctl_text(a, "raise_refused", v.raise_refused, sizeof(v.raise_refused));
	v.rec = vs_advice_limit(v.peak, v.headroom, v.limit, v.allow_lower);
	v.sysctl = vs_ctl_at(s, "watch.sysctl");
	if (!json_object_is_type(vs_ctl_at(v.sysctl, "sources"), json_type_array))
		v.sysctl = NULL; /* a daemon before the origin */
	if (!strcmp(vs_ctl_text(a, "dropin_path", v.dropin_path, sizeof(v.dropin_path)), "-"))
		snprintf(v.dropin_path, sizeof(v.dropin_path), "%s", VS_ADVICE_DROPIN);
	vs_ctl_text(a, "dropin_after", v.dropin_after, sizeof(v.dropin_after));
	vs_advice_dropin(v.dropin, sizeof(v.dropin), v.dropin_path,
			 strcmp(v.dropin_after, "-") ? v.dropin_after : "", v.rec, v.peak,
			 v.headroom, v.per);
	v.rate = peak ? vs_ctl_num(peak, "rate_per_s") : NAN;
	v.lasts = !isnan(v.rate) && v.rate > 0 && v.peak ? (double)(v.rec - v.peak) / v.rate : NAN;
	vs_advice_confirm(v.confirm, sizeof(v.confirm), v.shape,
			  (long)((double)v.peak * v.headroom), v.rec, v.limit);
	v.code = v.hits > 0 ? 2 : v.rec > v.limit ? 1 : 0;
	if (json)
		advise_json(a, &v);
	else
		advise_text(&v);
	json_object_put(s);
	return v.code;
}
