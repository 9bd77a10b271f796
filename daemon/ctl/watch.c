/* watch.c: the client's watch-mode commands: top, and check --watch. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"
#include "vmastress/watch/advice.h"

/* The watch daemon's stats; 0 or a sysexits code, the reason in err. */
/* A listed process's VMA count: map_count, or "vmas" from a watch of the last release. */
static double map_count_of(json_object *p)
{
	double n = vs_ctl_num(p, "map_count");
	return isnan(n) ? vs_ctl_num(p, "vmas") : n;
}

static int fetch_watch(json_object **out, char *err, size_t errlen)
{
	static char buf[VS_CTL_ANSWER_MAX];
	int r = vs_ctl_query("stats", buf, sizeof(buf), err, errlen);

	if (r)
		return r;
	*out = vs_ctl_parse(buf, strlen(buf), err, errlen);
	if (!*out)
		return VS_EX_DATAERR;
	if (!json_object_is_type(vs_ctl_at(*out, "watch"), json_type_object)) {
		snprintf(err, errlen,
			 "the daemon at the socket is not in watch mode (vmastressd --watch; its "
			 "socket is " VS_DEFAULT_WATCH_SOCKET ")");
		json_object_put(*out);
		return VS_EX_DATAERR;
	}
	return 0;
}

void vs_ctl_print_top(json_object *s)
{
	char src[300], sv[24], comm[40], unit[VS_CTL_UNIT_WIDTH + 1];
	double limit = vs_ctl_num(s, "watch.sysctl.value");
	json_object *top = vs_ctl_at(s, "watch.top");
	size_t n = json_object_is_type(top, json_type_array) ? json_object_array_length(top) : 0;

	printf("vm.max_map_count %.0f", limit);
	if (strcmp(vs_ctl_text(s, "watch.sysctl.source", src, sizeof(src)), "-") != 0)
		printf(" (%s sets %s)", src,
		       vs_ctl_text(s, "watch.sysctl.source_value", sv, sizeof(sv)));
	else
		printf(" (no sysctl.d file sets it)");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double age =
	    (double)now.tv_sec + (double)now.tv_nsec / 1e9 - vs_ctl_num(s, "watch.scanned_at");
	char ago[24], every[24];
	printf("; %.0f processes, %.0f VMAs; at or above 50/80/95 %%: %.0f/%.0f/%.0f; scan %.3f "
	       "s, %s ago (every %s)\n",
	       vs_ctl_num(s, "watch.processes"), vs_ctl_num(s, "watch.vmas"),
	       vs_ctl_num(s, "watch.above.50"), vs_ctl_num(s, "watch.above.80"),
	       vs_ctl_num(s, "watch.above.95"), vs_ctl_num(s, "watch.scan_seconds"),
	       vs_ctl_duration(age, ago, sizeof(ago)),
	       vs_ctl_duration(vs_ctl_num(s, "watch.interval_seconds"), every, sizeof(every)));
	char backend[16], why[200];
	vs_ctl_text(s, "watch.backend", backend, sizeof(backend));
	if (strcmp(backend, "proc") == 0)
		printf("backend: /proc scan (%s)\n",
		       vs_ctl_text(s, "watch.backend_reason", why, sizeof(why)));
	else {
		json_object *hits = vs_ctl_at(s, "watch.catch.hits");
		double refused = 0;
		if (json_object_is_type(hits, json_type_object)) {
			json_object_object_foreach(hits, k, v)
			{
				(void)k;
				refused += json_object_get_double(v);
			}
		}
		printf("backend: bpf (%s): %.0f calls refused at the limit caught host-wide "
		       "(vmastressctl events)\n",
		       vs_ctl_text(s, "watch.attach", why, sizeof(why)), refused);
	}
	printf("%8s  %-16s %-*s %10s %7s %10s\n", "PID", "COMM", VS_CTL_UNIT_WIDTH, "UNIT", "VMAS",
	       "LIMIT%", "PEAK");
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(top, i);
		vs_ctl_text(p, "comm", comm, sizeof(comm));
		vs_ctl_text(p, "unit", unit, sizeof(unit));
		double peak = vs_ctl_num(p, "peak");
		printf("%8.0f  %-16s %-*s %10.0f %7.1f %10.0f%s\n", vs_ctl_num(p, "pid"), comm,
		       VS_CTL_UNIT_WIDTH, unit[0] ? unit : "-", map_count_of(p),
		       100 * vs_ctl_num(p, "fill"), isnan(peak) ? map_count_of(p) : peak,
		       json_object_get_boolean(vs_ctl_at(p, "load")) ? "  load test" : "");
	}
}

int vs_ctl_top(int argc, char **argv)
{
	double every = 0;
	char err[512], *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt(argc, argv, ":n:")) != -1) {
		if (c == ':' || c == '?') {
			fprintf(stderr, "vmastressctl: top: %s %s\n", argv[optind - 1],
				c == ':' ? "needs a value" : "is not an option (top [-n SECONDS])");
			return VS_EX_USAGE;
		}
		errno = 0;
		every = strtod(optarg, &end);
		if (end == optarg || *end || errno || !isfinite(every) || every < 0.1 ||
		    every > 86400) {
			fprintf(stderr,
				"vmastressctl: top: -n: \"%s\" is not a number of seconds "
				"(0.1..86400)\n",
				optarg);
			return VS_EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmastressctl: top: unexpected argument \"%s\"\n", argv[optind]);
		return VS_EX_USAGE;
	}
	for (bool tty = isatty(STDOUT_FILENO);;) {
		json_object *s;
		int r = fetch_watch(&s, err, sizeof(err));
		if (r) {
			fprintf(stderr, "vmastressctl: %s\n", err);
			return r;
		}
		if (every && tty)
			printf("\033[H\033[2J");
		vs_ctl_print_top(s);
		json_object_put(s);
		if (!every)
			return 0;
		if (!tty)
			printf("\n");
		fflush(stdout);
		struct timespec ts = {(time_t)every, (long)((every - (double)(time_t)every) * 1e9)};
		nanosleep(&ts, NULL);
	}
}

/* check --watch [--warning F] [--critical F]: the process nearest the limit. */
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

int vs_ctl_check_watch(double warning, double critical, double window)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	char err[512], comm[40];
	json_object *s;

	if (fetch_watch(&s, err, sizeof(err))) {
		printf("VMASTRESS UNKNOWN - %s\n", err);
		return CHECK_UNKNOWN;
	}
	/* The nearest process that is not a vmastress load daemon (near on purpose). */
	json_object *rows = vs_ctl_at(s, "watch.top"), *top = NULL;
	size_t n = json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;
	for (size_t i = 0; i < n && !top; i++)
		if (!json_object_get_boolean(vs_ctl_at(json_object_array_get_idx(rows, i), "load")))
			top = json_object_array_get_idx(rows, i);
	double fill = top ? vs_ctl_num(top, "fill") : 0, vmas = top ? map_count_of(top) : 0;
	double limit = vs_ctl_num(s, "watch.sysctl.value");
	int state = fill >= critical ? CHECK_CRITICAL : fill >= warning ? CHECK_WARNING : CHECK_OK;
	/* A raise the policy could not make (the budget, the ceiling): at least a warning. */
	char refused[300];
	vs_ctl_text(s, "advice.raise_refused", refused, sizeof(refused));
	bool not_raised = strcmp(refused, "-") != 0;
	if (not_raised && state < CHECK_WARNING)
		state = CHECK_WARNING;
	json_object *newest;
	unsigned caught = caught_within(s, window, &newest);
	if (caught) { /* a process was refused by the limit: the failure itself */
		char c[40], call[24], u[VS_CTL_UNIT_WIDTH + 1];
		char last[24];
		printf("VMASTRESS CRITICAL - %u calls refused at the VMA limit in the last %s, "
		       "the last: %s (pid %.0f, %s) %s at %.0f VMAs",
		       caught, vs_ctl_duration(window, last, sizeof(last)), vs_ctl_text(newest, "comm", c, sizeof(c)),
		       vs_ctl_num(newest, "pid"),
		       vs_ctl_text(newest, "unit", u, sizeof(u))[0] ? u : "no unit",
		       vs_ctl_text(newest, "call", call, sizeof(call)),
		       vs_ctl_num(newest, "map_count"));
		if (not_raised)
			printf("; not raised: %s", refused);
		printf(" | caught=%u;;1;0\n", caught);
		json_object_put(s);
		return CHECK_CRITICAL;
	}

	if (top)
		printf("VMASTRESS %s - most VMAs: %s (pid %.0f) %.0f of %.0f (%.1f%%)",
		       names[state], vs_ctl_text(top, "comm", comm, sizeof(comm)),
		       vs_ctl_num(top, "pid"), vmas, limit, 100 * fill);
	else
		printf("VMASTRESS %s - no process counted", names[state]);
	if (not_raised)
		printf(", not raised: %s", refused);
	printf(", %.0f at or above 80 %%, %.0f at or above 95 %% | max_fill=%.4f;%g;%g;0;1 "
	       "max_vmas=%.0f;;;0;%.0f above_50=%.0f above_80=%.0f above_95=%.0f processes=%.0f "
	       "vmas=%.0f\n",
	       vs_ctl_num(s, "watch.above.80"), vs_ctl_num(s, "watch.above.95"), fill, warning,
	       critical, vmas, limit, vs_ctl_num(s, "watch.above.50"),
	       vs_ctl_num(s, "watch.above.80"), vs_ctl_num(s, "watch.above.95"),
	       vs_ctl_num(s, "watch.processes"), vs_ctl_num(s, "watch.vmas"));
	json_object_put(s);
	return state;
}

/* events [-f] [--json]: the calls the limit refused, caught host-wide (bpf). */
static void print_event(json_object *e, bool json)
{
	char c[40], call[24], err[16], u[VS_CTL_UNIT_WIDTH + 1], when[32];
	time_t t = (time_t)vs_ctl_num(e, "time");
	struct tm tm;

	if (json) {
		printf("%s\n", json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
		return;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
	vs_ctl_text(e, "unit", u, sizeof(u));
	printf("%s  pid %-8.0f %-16s %-*s %s %s at %.0f of %.0f VMAs\n", when, vs_ctl_num(e, "pid"),
	       vs_ctl_text(e, "comm", c, sizeof(c)), 24, strcmp(u, "") ? u : "-",
	       vs_ctl_text(e, "call", call, sizeof(call)),
	       vs_ctl_text(e, "errno", err, sizeof(err)), vs_ctl_num(e, "map_count"),
	       vs_ctl_num(e, "limit"));
}

int vs_ctl_events(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"follow", no_argument, NULL, 'f'}, {"json", no_argument, NULL, 'j'}, {0}};
	bool follow = false, json = false;
	double last = 0, last_raise = 0;
	char err[512];
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f", opts, NULL)) != -1) {
		if (c == 'f')
			follow = true;
		else if (c == 'j')
			json = true;
		else {
			fprintf(stderr,
				"vmastressctl: events: %s is not an option (events [-f] "
				"[--json])\n",
				argv[optind - 1]);
			return VS_EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmastressctl: events: unexpected argument \"%s\"\n", argv[optind]);
		return VS_EX_USAGE;
	}
	for (bool first = true;; first = false) {
		json_object *s;
		int r = fetch_watch(&s, err, sizeof(err));
		if (r) {
			fprintf(stderr, "vmastressctl: %s\n", err);
			return r;
		}
		char backend[16], why[200];
		if (first &&
		    strcmp(vs_ctl_text(s, "watch.backend", backend, sizeof(backend)), "bpf") != 0) {
			fprintf(stderr,
				"vmastressctl: events: the watch runs the /proc scan (%s): it "
				"catches no failure\n",
				vs_ctl_text(s, "watch.backend_reason", why, sizeof(why)));
			json_object_put(s);
			return VS_EX_UNAVAILABLE;
		}
		json_object *recent = vs_ctl_at(s, "watch.catch.recent");
		size_t n = json_object_is_type(recent, json_type_array)
			       ? json_object_array_length(recent)
			       : 0;
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(recent, i);
			if (vs_ctl_num(e, "time") > last) {
				print_event(e, json);
				last = vs_ctl_num(e, "time");
			}
		}
		unsigned raised = vs_ctl_print_raises(s, &last_raise, json);
		if (first && !n && !raised && !json && !follow)
			printf("no call refused at the VMA limit since the watch started\n");
		json_object_put(s);
		if (!follow)
			return 0;
		fflush(stdout);
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
}

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
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'l')
			*allow_lower = true;
		else if (c == 'j')
			*json = true;
		else if (c == 'h') {
			errno = 0;
			*headroom = strtod(optarg, &end);
			if (end == optarg || *end || errno || !isfinite(*headroom) ||
			    *headroom < 1 || *headroom > 100) {
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
	char unit[VS_CTL_UNIT_WIDTH + 1], comm[40], shape[16], src[300], dropin[400], confirm[300];
	char shape_advice[300];
	char raise_refused[300]; /* the raise policy's last refused step; "-" none */
};

static void advise_text(const struct advice *v)
{
	char over[24];

	printf("A process may hold at most vm.max_map_count memory mappings (VMAs); at the "
	       "limit its\nallocations fail and memory it frees stays in use.\n\n");
	printf("Now:         vm.max_map_count = %ld (%s)\n", v->limit,
	       strcmp(v->src, "-") ? v->src : "the kernel's default: no sysctl.d file sets it");
	if (v->peak)
		printf("Most seen:   %ld mappings, %s (%s), over the last %s\n", v->peak,
		       strcmp(v->unit, "-") && v->unit[0] ? v->unit : "no unit", v->comm,
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
	printf("\nTo set it, write %s:\n%s\n", VS_ADVICE_DROPIN, v->dropin);
	printf("To confirm it, run the load test of the same shape (%s) and demand:\n  %s\n",
	       v->shape, v->confirm);
	if (v->shape_advice[0] && strcmp(v->shape_advice, "-"))
		printf("\n%s\n", v->shape_advice);
	printf("\n%s\n", v->code == 2   ? "exit 2: calls were refused at the limit"
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
	if ((c = fetch_watch(&s, err, sizeof(err)))) {
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
	double peakn = vs_ctl_num(a, "peak.vmas");
	v.hits = vs_ctl_num(a, "hits");
	v.peak = isnan(peakn) ? 0 : (long)peakn;
	v.per = vs_ctl_num(a, "bytes_per_vma");
	v.window = vs_ctl_num(a, "window_seconds");
	vs_ctl_text(a, "peak.unit", v.unit, sizeof(v.unit));
	vs_ctl_text(a, "peak.comm", v.comm, sizeof(v.comm));
	vs_ctl_text(a, "shape", v.shape, sizeof(v.shape));
	if (!strcmp(v.shape, "-")) /* a daemon before advice.shape */
		vs_ctl_text(a, "peak.shape", v.shape, sizeof(v.shape));
	vs_ctl_text(a, "shape_advice", v.shape_advice, sizeof(v.shape_advice));
	vs_ctl_text(a, "source", v.src, sizeof(v.src));
	vs_ctl_text(a, "raise_refused", v.raise_refused, sizeof(v.raise_refused));
	v.rec = vs_advice_limit(v.peak, v.headroom, v.limit, v.allow_lower);
	vs_advice_dropin(v.dropin, sizeof(v.dropin), v.rec, v.peak, v.headroom, v.per);
	vs_advice_confirm(v.confirm, sizeof(v.confirm), v.shape, (long)((double)v.peak * v.headroom),
			  v.rec, v.limit);
	v.code = v.hits > 0 ? 2 : v.rec > v.limit ? 1 : 0;
	if (json)
		advise_json(a, &v);
	else
		advise_text(&v);
	json_object_put(s);
	return v.code;
}
