/* check.c: vmastressctl check, a monitoring plugin (monitoring-plugins' convention):
 * the load daemon's fill, leaks and outputs, its demand (--demand), or the watch
 * daemon's processes (--watch). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ctl.h"

static const char *const check_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

/* check --demand: OK held, WARNING not built yet, CRITICAL a call failed on the way. */
static int check_demand(json_object *s)
{
	char ff[64], demand[24];
	double vmas = vs_ctl_num(s, J(map_count)) - vs_ctl_num(s, J(ballast_vmas));
	double headroom = vs_ctl_num(s, VS_VERDICT ".headroom");
	json_object *v = vs_ctl_at(s, VS_VERDICT);
	int state;

	if (!json_object_is_type(v, json_type_object)) {
		printf("VMASTRESS UNKNOWN - the daemon runs without a demand (pressure.demand)\n");
		return CHECK_UNKNOWN;
	}
	vs_ctl_text(s, VS_VERDICT ".demand", demand, sizeof(demand));
	vs_ctl_first_failure(s, ff, sizeof(ff));
	if (json_object_get_boolean(vs_ctl_at(s, VS_VERDICT ".held")))
		state = CHECK_OK, printf("VMASTRESS OK - demand %s VMAs held", demand);
	else if (strcmp(ff, "-") != 0)
		state = CHECK_CRITICAL,
		printf("VMASTRESS CRITICAL - demand %s VMAs NOT held: first failure %s", demand,
		       ff);
	else
		state = CHECK_WARNING,
		printf("VMASTRESS WARNING - demand %s VMAs not reached yet", demand);
	printf(", %.0f VMAs, headroom %.0f | vmas=%.0f;;;0 demand=%s headroom=%.0f\n", vmas,
	       headroom, vmas, demand, headroom);
	return state;
}

/* check's options: the thresholds and which daemon to ask. */
struct check_args {
	bool demand, watch, warning_set, critical_set, within_set;
	double max_leaked, max_fill, warning, critical, window, within;
};

/* The options into a; -1 when they are good, else the exit status (UNKNOWN, said). */
static int check_options(int argc, char **argv, struct check_args *a)
{
	static const struct option opts[] = {{"max-leaked-bytes", required_argument, NULL, 'l'},
					     {"max-fill", required_argument, NULL, 'f'},
					     {"demand", no_argument, NULL, 'd'},
					     {"watch", no_argument, NULL, 'W'},
					     {"warning", required_argument, NULL, 'w'},
					     {"critical", required_argument, NULL, 'c'},
					     {"window", required_argument, NULL, 'n'},
					     {"within", required_argument, NULL, 'i'},
					     {0}};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'd' || c == 'W') {
			*(c == 'd' ? &a->demand : &a->watch) = true;
			continue;
		}
		double *v = c == 'l'   ? &a->max_leaked
			    : c == 'f' ? &a->max_fill
			    : c == 'w' ? &a->warning
			    : c == 'n' ? &a->window
			    : c == 'i' ? &a->within
				       : &a->critical;
		const char *name = c == 'l'   ? "--max-leaked-bytes"
				   : c == 'f' ? "--max-fill"
				   : c == 'w' ? "--warning"
				   : c == 'n' ? "--window"
				   : c == 'i' ? "--within"
					      : "--critical";
		if (c == ':')
			return printf("VMASTRESS UNKNOWN - check: %s needs a value\n",
				      argv[optind - 1]),
			       CHECK_UNKNOWN;
		if (!strchr("lfwcni", c))
			return printf("VMASTRESS UNKNOWN - check: unknown option %s\n",
				      argv[optind - 1]),
			       CHECK_UNKNOWN;
		a->warning_set |= c == 'w';
		a->critical_set |= c == 'c';
		a->within_set |= c == 'i';
		if (!vs_ctl_number(optarg, v))
			return printf("VMASTRESS UNKNOWN - check: %s: \"%s\" is not a number\n",
				      name, optarg),
			       CHECK_UNKNOWN;
		if (c == 'l' ? *v < 0 : *v <= 0)
			return printf("VMASTRESS UNKNOWN - check: %s: %s must be %s\n", name,
				      optarg, c == 'l' ? ">= 0" : "> 0"),
			       CHECK_UNKNOWN;
		/* A fill is a fraction of the limit: a process holds at most limit + 1. */
		if (c == 'f' && *v > 1)
			return printf("VMASTRESS UNKNOWN - check: --max-fill: %s is a fill of the "
				      "limit, 0 < F <= 1 (0.95 is 95 %%)\n",
				      optarg),
			       CHECK_UNKNOWN;
	}
	if (optind < argc)
		return printf("VMASTRESS UNKNOWN - check: unexpected argument \"%s\"\n",
			      argv[optind]),
		       CHECK_UNKNOWN;
	if (a->watch && a->demand)
		return printf("VMASTRESS UNKNOWN - check: --watch and --demand ask different "
			      "daemons: one at a time\n"),
		       CHECK_UNKNOWN;
	if (!a->watch && (a->warning_set || a->critical_set || a->within_set))
		return printf("VMASTRESS UNKNOWN - check: --warning, --critical and --within go "
			      "with --watch "
			      "(the load daemon's check takes --max-fill)\n"),
		       CHECK_UNKNOWN;
	return -1;
}

/* The load daemon's check: its fill, leaks, textfile and unexpected failures. */
static int check_load(json_object *s, const struct check_args *a)
{
	const char *const *names = check_names;
	char k[96], output_error[VS_SNAP_STRING_MAX], fails[256];
	double unexpected;

	vs_ctl_family_key(k, sizeof(k), VS_FAMILY_FAILURES, op_names[VS_OP_MUNMAP], "ENOMEM");
	double limit = vs_ctl_num(s, J(max_map_count)), vmas = vs_ctl_num(s, J(map_count));
	double leaked = vs_ctl_num(s, J(leaked_bytes)), enomem = vs_ctl_num(s, k);
	bool output_failing = json_object_get_boolean(vs_ctl_at(s, J(textfile_failing)));
	vs_ctl_text(s, J(textfile_error), output_error, sizeof(output_error));
	vs_ctl_failures(s, fails, sizeof(fails), &unexpected);
	if (isnan(vmas) || isnan(leaked) || limit <= 0) {
		printf("VMASTRESS UNKNOWN - the answer is not the stats JSON\n");
		return CHECK_UNKNOWN;
	}
	double fill = vmas / limit;
	/* --max-fill 1: the whole limit, and the one VMA mmap may map past it. */
	bool over = a->max_fill < 1 ? fill > a->max_fill : vmas > limit + 1;
	int state = leaked > a->max_leaked		       ? CHECK_CRITICAL
		    : over || output_failing || unexpected > 0 ? CHECK_WARNING
							       : CHECK_OK;
	printf("VMASTRESS %s - %.0f/%.0f VMAs (%.1f%%), leaked %.0f bytes, munmap ENOMEM %.0f%s%s",
	       names[state], vmas, limit, 100 * fill, leaked, enomem,
	       output_failing ? ", textfile FAILING: " : "", output_failing ? output_error : "");
	if (unexpected > 0) /* the limit refuses with ENOMEM only: anything else is not the load */
		printf(", %.0f failures not ENOMEM (%s)", unexpected, fails);
	printf(" | vmas=%.0f;;;0;%.0f fill=%.4f;%g leaked_bytes=%.0fB;;%.0f munmap_enomem=%.0fc "
	       "unexpected_failures=%.0fc\n",
	       vmas, limit, fill, a->max_fill, leaked, a->max_leaked, enomem, unexpected);
	return state;
}

int vs_ctl_check(int argc, char **argv)
{
	struct check_args a = {.max_fill = 0.95, .warning = 0.8, .critical = 0.95, .window = 300};
	char err[512];
	json_object *s;
	int c = check_options(argc, argv, &a);

	if (c >= 0)
		return c;
	if (a.watch) {
		vs_ctl_default_socket(VS_DEFAULT_WATCH_SOCKET);
		return vs_ctl_check_watch(a.warning, a.critical, a.window,
					  a.within_set ? a.within : -1);
	}
	vs_ctl_default_socket(VS_DEFAULT_SOCKET);
	if (vs_ctl_fetch_stats(&s, err, sizeof(err))) {
		printf("VMASTRESS UNKNOWN - %s\n", err);
		return CHECK_UNKNOWN;
	}
	c = a.demand ? check_demand(s) : check_load(s, &a);
	json_object_put(s);
	return c;
}

/* Refused calls caught in the last `window` seconds (the recent list), and the newest. */
static unsigned caught_within(json_object *s, double window, json_object **newest)
{
	json_object *recent = vs_ctl_at(s, "watch.catch.recent");
	size_t n =
	    json_object_is_type(recent, json_type_array) ? json_object_array_length(recent) : 0;
	struct timespec now;
	unsigned k = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	*newest = NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(recent, i);
		if ((double)now.tv_sec - vs_ctl_num(e, "time") <= window) {
			k++;
			*newest = e;
		}
	}
	return k;
}

/* The watch's state line, when no call was refused: the soonest (named first when it
 * is within --within), the nearest, a lowering sysctl.d file, and the perfdata. */
static void watch_line(json_object *s, const char *state, json_object *top, double fill,
		       double vmas, double limit, json_object *soon, double eta, bool near_eta,
		       bool lowered, const char *refused, bool not_raised, double warning,
		       double critical, double within)
{
	char comm[40];
	char left[24], u[VS_CTL_UNIT_WIDTH + 1];
	if (near_eta)
		printf("VMASTRESS %s - %s (pid %.0f, %s) reaches the limit in %s at %.0f VMAs a "
		       "second (%.0f of %.0f now); ",
		       state, vs_ctl_text(soon, "comm", comm, sizeof(comm)),
		       vs_ctl_num(soon, "pid"), vs_ctl_workload(soon, u, sizeof(u)),
		       vs_ctl_duration(eta, left, sizeof(left)), vs_ctl_num(soon, "rate_per_s"),
		       vs_ctl_num(soon, "map_count"), limit);
	else
		printf("VMASTRESS %s - ", state);
	if (top)
		printf("most VMAs: %s (pid %.0f) %.0f of %.0f (%.1f%%)",
		       vs_ctl_text(top, "comm", comm, sizeof(comm)), vs_ctl_num(top, "pid"), vmas,
		       limit, 100 * fill);
	else
		printf("no process counted");
	if (soon && !near_eta)
		printf(", soonest at the limit: %s (pid %.0f) in %s",
		       vs_ctl_text(soon, "comm", comm, sizeof(comm)), vs_ctl_num(soon, "pid"),
		       vs_ctl_duration(eta, left, sizeof(left)));
	if (lowered) {
		char winner[300], from[300];
		printf(", the limit is lowered: %s sets %.0f, below %.0f set by %s",
		       vs_ctl_text(s, "watch.sysctl.winner", winner, sizeof(winner)),
		       vs_ctl_num(s, "watch.sysctl.source_value"),
		       vs_ctl_num(s, "watch.sysctl.lowered_from.value"),
		       vs_ctl_text(s, "watch.sysctl.lowered_from.path", from, sizeof(from)));
	}
	if (not_raised)
		printf(", not raised: %s", refused);
	printf(", %.0f at or above 80 %%, %.0f at or above 95 %% | max_fill=%.4f;%g;%g;0;1 "
	       "max_vmas=%.0f;;;0;%.0f above_50=%.0f above_80=%.0f above_95=%.0f processes=%.0f "
	       "vmas=%.0f",
	       vs_ctl_num(s, "watch.above.80"), vs_ctl_num(s, "watch.above.95"), fill, warning,
	       critical, vmas, limit, vs_ctl_num(s, "watch.above.50"),
	       vs_ctl_num(s, "watch.above.80"), vs_ctl_num(s, "watch.above.95"),
	       vs_ctl_num(s, "watch.processes"), vs_ctl_num(s, "watch.vmas"));
	if (!isnan(eta))
		printf(" seconds_to_limit=%.1fs;;%g;0", eta, within >= 0 ? within : 0);
	printf("\n");
}

/* The climbing process soonest at the limit (watch.soon's first), or NULL. */
static json_object *soonest(json_object *s)
{
	json_object *soon = vs_ctl_at(s, "watch.soon");

	if (!json_object_is_type(soon, json_type_array) || !json_object_array_length(soon))
		return NULL;
	return json_object_array_get_idx(soon, 0);
}

int vs_ctl_check_watch(double warning, double critical, double window, double within)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	char err[512];
	json_object *s;

	if (vs_ctl_fetch_watch(&s, err, sizeof(err))) {
		printf("VMASTRESS UNKNOWN - %s\n", err);
		return CHECK_UNKNOWN;
	}
	/* The nearest process that is not a vmastress load daemon (near on purpose). */
	json_object *rows = vs_ctl_at(s, "watch.top"), *top = NULL;
	size_t n = json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;
	for (size_t i = 0; i < n && !top; i++)
		if (!json_object_get_boolean(vs_ctl_at(json_object_array_get_idx(rows, i), "load")))
			top = json_object_array_get_idx(rows, i);
	double fill = top ? vs_ctl_num(top, "fill") : 0, vmas = top ? vs_ctl_map_count(top) : 0;
	double limit = vs_ctl_num(s, "watch.sysctl.value");
	int state = fill >= critical ? CHECK_CRITICAL : fill >= warning ? CHECK_WARNING : CHECK_OK;
	/* A raise the policy could not make (the budget, the ceiling): at least a warning. */
	char refused[300];
	vs_ctl_text(s, "advice.raise_refused", refused, sizeof(refused));
	bool not_raised = strcmp(refused, "-") != 0;
	if (not_raised && state < CHECK_WARNING)
		state = CHECK_WARNING;
	/* --within: a process that reaches the limit at its climb within that many seconds. */
	json_object *soon = soonest(s);
	double eta = soon ? vs_ctl_num(soon, "seconds_to_limit") : NAN;
	bool near_eta = within >= 0 && !isnan(eta) && eta <= within;
	if (near_eta)
		state = CHECK_CRITICAL;
	/* The winning sysctl.d file lowers the limit an earlier one (or the kernel) set. */
	bool lowered = json_object_get_boolean(vs_ctl_at(s, "watch.sysctl.lowers"));
	if (lowered && state < CHECK_WARNING)
		state = CHECK_WARNING;
	json_object *newest;
	unsigned caught = caught_within(s, window, &newest);
	if (caught) { /* a process was refused by the limit: the failure itself */
		char c[40], call[24], u[VS_CTL_UNIT_WIDTH + 1];
		char last[24];
		printf("VMASTRESS CRITICAL - %u calls refused at the VMA limit in the last %s, "
		       "the last: %s (pid %.0f, %s) %s at %.0f VMAs",
		       caught, vs_ctl_duration(window, last, sizeof(last)),
		       vs_ctl_text(newest, "comm", c, sizeof(c)), vs_ctl_num(newest, "pid"),
		       vs_ctl_workload(newest, u, sizeof(u)),
		       vs_ctl_text(newest, "call", call, sizeof(call)),
		       vs_ctl_num(newest, "map_count"));
		if (not_raised)
			printf("; not raised: %s", refused);
		printf(" | caught=%u;;1;0\n", caught);
		json_object_put(s);
		return CHECK_CRITICAL;
	}

	watch_line(s, names[state], top, fill, vmas, limit, soon, eta, near_eta, lowered, refused,
		   not_raised, warning, critical, within);
	json_object_put(s);
	return state;
}
