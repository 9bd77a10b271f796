/* top.c: vmastressctl top [-n SECONDS]: the processes nearest the limit, from the watch. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"
#include "vmastress/keys.h"

struct urgency {
	json_object *p;
	double eta;
	size_t order;
};

static int by_urgency(const void *a, const void *b)
{
	const struct urgency *x = a, *y = b;

	if (x->eta != y->eta)
		return x->eta < y->eta ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
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
	printf("%8s  %-16s %-*s %10s %7s %10s %8s %9s\n", "PID", "COMM", VS_CTL_UNIT_WIDTH,
	       "WORKLOAD", "VMAS", "LIMIT%", "PEAK", "RATE/S", "TO LIMIT");
	/* The listed processes and the climbing ones (watch.soon), by urgency: the
	 * sooner one reaches the limit at its climb, the higher, whatever its share;
	 * the rest as the watch lists them, by VMAs. */
	struct urgency rows[2 * VS_WATCH_TOP_KEEP];
	size_t nrows = 0;
	json_object *soon = vs_ctl_at(s, "watch.soon");
	size_t ns = json_object_is_type(soon, json_type_array) ? json_object_array_length(soon) : 0;
	for (size_t i = 0; i < n + ns && nrows < sizeof(rows) / sizeof(rows[0]); i++) {
		json_object *p = i < n ? json_object_array_get_idx(top, i)
				       : json_object_array_get_idx(soon, i - n);
		bool listed = false;
		for (size_t k = 0; i >= n && k < n && !listed; k++)
			listed = vs_ctl_num(json_object_array_get_idx(top, k), "pid") ==
				 vs_ctl_num(p, "pid");
		if (listed)
			continue;
		double eta = vs_ctl_num(p, "seconds_to_limit");
		rows[nrows++] = (struct urgency){p, isnan(eta) ? INFINITY : eta, i};
	}
	qsort(rows, nrows, sizeof(rows[0]), by_urgency);
	for (size_t i = 0; i < nrows; i++) {
		json_object *p = rows[i].p;
		char rate[16] = "-", eta[24] = "-";
		vs_ctl_text(p, "comm", comm, sizeof(comm));
		vs_ctl_workload(p, unit, sizeof(unit));
		double peak = vs_ctl_num(p, "peak"), r = vs_ctl_num(p, "rate_per_s");
		if (!isnan(r))
			snprintf(rate, sizeof(rate), "%.0f", r);
		if (isfinite(rows[i].eta))
			vs_ctl_duration(rows[i].eta, eta, sizeof(eta));
		printf("%8.0f  %-16s %-*s %10.0f %7.1f %10.0f %8s %9s%s\n", vs_ctl_num(p, "pid"),
		       comm, VS_CTL_UNIT_WIDTH, unit, vs_ctl_map_count(p),
		       100 * vs_ctl_num(p, "fill"), isnan(peak) ? vs_ctl_map_count(p) : peak, rate,
		       eta, json_object_get_boolean(vs_ctl_at(p, "load")) ? "  load test" : "");
	}
}

int vs_ctl_top(int argc, char **argv)
{
	double every = 0;
	char err[512];
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt(argc, argv, ":n:")) != -1) {
		if (c == ':' || c == '?') {
			fprintf(stderr, "vmastressctl: top: %s %s\n", argv[optind - 1],
				c == ':' ? "needs a value" : "is not an option (top [-n SECONDS])");
			return VS_EX_USAGE;
		}
		if (!vs_ctl_number(optarg, &every) || every < 0.1 || every > 86400) {
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
		int r = vs_ctl_fetch_watch(&s, err, sizeof(err));
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
