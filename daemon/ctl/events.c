/* events.c: vmastressctl events [-f] [--json]: the calls the limit refused, caught
 * host-wide by the watch (bpf), and the raise policy's raises. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"

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
	vs_ctl_workload(e, u, sizeof(u));
	printf("%s  pid %-8.0f %-16s %-*s %s %s at %.0f of %.0f VMAs\n", when, vs_ctl_num(e, "pid"),
	       vs_ctl_text(e, "comm", c, sizeof(c)), 24, u,
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
		int r = vs_ctl_fetch_watch(&s, err, sizeof(err));
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
