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

/* The watch daemon's stats; 0 or a sysexits code, the reason in err. */
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
	printf("; %.0f processes, %.0f VMAs; at or above 50/80/95 %%: %.0f/%.0f/%.0f; scan %.3f "
	       "s, %.0f s ago (every %.0f s)\n",
	       vs_ctl_num(s, "watch.processes"), vs_ctl_num(s, "watch.vmas"),
	       vs_ctl_num(s, "watch.above.50"), vs_ctl_num(s, "watch.above.80"),
	       vs_ctl_num(s, "watch.above.95"), vs_ctl_num(s, "watch.scan_seconds"),
	       age < 0 ? 0 : age, vs_ctl_num(s, "watch.interval_seconds"));
	printf("%8s  %-16s %-*s %10s %7s\n", "PID", "COMM", VS_CTL_UNIT_WIDTH, "UNIT", "VMAS",
	       "LIMIT%");
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(top, i);
		vs_ctl_text(p, "comm", comm, sizeof(comm));
		vs_ctl_text(p, "unit", unit, sizeof(unit));
		printf("%8.0f  %-16s %-*s %10.0f %7.1f%s\n", vs_ctl_num(p, "pid"), comm,
		       VS_CTL_UNIT_WIDTH, unit[0] ? unit : "-", vs_ctl_num(p, "vmas"),
		       100 * vs_ctl_num(p, "fill"),
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
int vs_ctl_check_watch(double warning, double critical)
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
	double fill = top ? vs_ctl_num(top, "fill") : 0, vmas = top ? vs_ctl_num(top, "vmas") : 0;
	double limit = vs_ctl_num(s, "watch.sysctl.value");
	int state = fill >= critical ? CHECK_CRITICAL : fill >= warning ? CHECK_WARNING : CHECK_OK;

	if (top)
		printf("VMASTRESS %s - most VMAs: %s (pid %.0f) %.0f of %.0f (%.1f%%)",
		       names[state], vs_ctl_text(top, "comm", comm, sizeof(comm)),
		       vs_ctl_num(top, "pid"), vmas, limit, 100 * fill);
	else
		printf("VMASTRESS %s - no process counted", names[state]);
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
