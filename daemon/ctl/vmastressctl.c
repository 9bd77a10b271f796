/* vmastressctl.c: the client's main: the command line, raw commands, status, and the
 * dispatch to check, top, events, advise, compare, summary and plot. The socket is
 * socket.c's, the JSON json.c's; every key it reads comes from stats.h. */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: vmastressctl [--socket PATH] stats|metrics|ping|version\n"
	    "       vmastressctl [--socket PATH] status\n"
	    "       vmastressctl [--socket PATH] check [--max-leaked-bytes N] [--max-fill F]\n"
	    "       vmastressctl [--socket PATH] check --demand\n"
	    "       vmastressctl [--socket PATH] top [-n SECONDS]\n"
	    "       vmastressctl [--socket PATH] check --watch [--warning F] [--critical F]\n"
	    "                                       [--window SECONDS] [--within SECONDS]\n"
	    "       vmastressctl [--socket PATH] events [-f] [--json]\n"
	    "       vmastressctl [--socket PATH] advise [--headroom F] [--allow-lower] "
	    "[--json]\n"
	    "       vmastressctl compare A.json B.json [--plot FILE.svg]\n"
	    "       vmastressctl summary [--json|--csv] [--plot FILE.svg] REPORT.json...\n"
	    "       vmastressctl plot REPORT.json... -o FILE.svg\n"
	    "       vmastressctl -h|--help | -V|--version\n"
	    "\ntop, events, advise and check --watch ask the watch daemon (" VS_DEFAULT_WATCH_SOCKET
	    "), the\n"
	    "others the load daemon (" VS_DEFAULT_SOCKET ").\n"
	    "\nExit status: 0 ok, %d usage, %d bad answer or file, %d missing file,\n"
	    "%d daemon not reachable, %d permission denied; check: 0 OK, 1 WARNING,\n"
	    "2 CRITICAL, 3 UNKNOWN.\n",
	    VS_EX_USAGE, VS_EX_DATAERR, VS_EX_NOINPUT, VS_EX_UNAVAILABLE, VS_EX_NOPERM);
}

static int cmd_status(void)
{
	char err[512], t[VS_SNAP_STRING_MAX], k[96], up[24], ago[24];
	json_object *s;
	int r = vs_ctl_fetch_stats(&s, err, sizeof(err));

	if (r) {
		fprintf(stderr, "vmastressctl: %s\n", err);
		return r;
	}
	if (json_object_is_type(vs_ctl_at(s, "watch"), json_type_object)) {
		printf("vmastressd %s in watch mode, pid %.0f, up %s\n",
		       vs_ctl_text(s, J(version), t, sizeof(t)), vs_ctl_num(s, J(pid)),
		       vs_ctl_duration(vs_ctl_num(s, J(uptime_seconds)), up, sizeof(up)));
		vs_ctl_print_top(s);
		vs_ctl_print_raise(s);
		json_object_put(s);
		return 0;
	}
	double limit = vs_ctl_num(s, J(max_map_count)), vmas = vs_ctl_num(s, J(map_count));
	printf("vmastressd %s, pid %.0f, up %s, shape %s, ",
	       vs_ctl_text(s, J(version), t, sizeof(t)), vs_ctl_num(s, J(pid)),
	       vs_ctl_duration(vs_ctl_num(s, J(uptime_seconds)), up, sizeof(up)),
	       vs_ctl_shape(s, k, sizeof(k)));
	printf("seed %s\n", vs_ctl_text(s, J(seed), t, sizeof(t)));
	printf("workers:   %.0f\n", vs_ctl_num(s, J(workers)));
	printf("VMAs:      %.0f / %.0f (%.1f %%), peak %.0f", vmas, limit, 100.0 * vmas / limit,
	       vs_ctl_num(s, J(map_count_peak)));
	/* The /proc figure is a check of the exact count, taken with the workers
	 * parked: before the first one it is the count at start, not news. */
	if (vs_ctl_num(s, "accounting.verifications") > 0)
		printf(
		    "; checked against /proc %s ago (then %.0f, drift %+.0f)\n",
		    vs_ctl_duration(vs_ctl_num(s, J(map_count_proc_age_seconds)), ago, sizeof(ago)),
		    vs_ctl_num(s, J(map_count_proc)), vs_ctl_num(s, J(drift_last)));
	else
		printf("; not checked against /proc yet (accounting.verify_interval_ms)\n");
	printf("mappings:  %.0f (%.0f bytes)\n", vs_ctl_num(s, J(mappings)),
	       vs_ctl_num(s, J(mapped_bytes)));
	printf("ops:      ");
	for (int op = 0; op < VS_OP_COUNT; op++) {
		snprintf(k, sizeof(k), "%s.%s", family_json[VS_FAMILY_OPS], op_names[op]);
		printf("%s %s %.0f", op ? "," : "", op_names[op], vs_ctl_num(s, k));
	}
	char fails[512];
	double unexpected;
	vs_ctl_failures(s, fails, sizeof(fails), &unexpected);
	printf("\nfailures:  %s\n", fails);
	if (unexpected)
		printf("           %.0f not ENOMEM: not the VMA limit's refusal (a bug, or "
		       "another cause: see the journal)\n",
		       unexpected);
	printf("leaked:    %.0f mappings, %.0f bytes (reclaimed %.0f bytes)\n",
	       vs_ctl_num(s, J(leaked_mappings)), vs_ctl_num(s, J(leaked_bytes)),
	       vs_ctl_num(s, J(reclaimed_bytes)));
	if (json_object_is_type(vs_ctl_at(s, "kernel"), json_type_object)) {
		char src[16];
		double per = vs_ctl_num(s, "kernel.bytes_per_vma");
		printf("kernel:    %.1f MiB pinned by the VMAs (peak %.1f MiB)",
		       vs_ctl_num(s, "kernel.vma_bytes") / 1048576,
		       vs_ctl_num(s, "kernel.vma_bytes_peak") / 1048576);
		if (!isnan(per))
			printf(", %.0f B a VMA: %.1f MiB at the limit", per,
			       vs_ctl_num(s, "kernel.at_limit_bytes") / 1048576);
		vs_ctl_text(s, "kernel.source", src, sizeof(src));
		printf(" (%s%s)\n", src,
		       !json_object_get_boolean(vs_ctl_at(s, "kernel.estimate"))
			   ? ", its own cgroup's: exact"
		       : strcmp(src, "meminfo") == 0
			   ? ", an estimate: the host's unreclaimable slab"
			   : ", an estimate: the host's VMA caches, moved by other processes and "
			     "warm caches");
	}
	if (json_object_get_boolean(vs_ctl_at(s, J(textfile_failing))))
		printf("outputs:   textfile FAILING: %s\n",
		       vs_ctl_text(s, J(textfile_error), t, sizeof(t)));
	json_object_put(s);
	return 0;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmastressctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vmastressctl --help'.\n");
	return VS_EX_USAGE;
}

static const char *const raw_commands[] = {"stats", "metrics", "ping", "version"};

static bool is_raw(const char *cmd)
{
	for (size_t i = 0; i < sizeof(raw_commands) / sizeof(raw_commands[0]); i++)
		if (strcmp(cmd, raw_commands[i]) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static char buf[VS_CTL_ANSWER_MAX];
	char err[512];
	int i = 1;

	if (argc > 1 && strcmp(argv[1], "--socket") == 0) {
		if (argc < 3)
			return usage_error("--socket needs a path");
		vs_ctl_set_socket(argv[2]);
		i = 3;
	}
	if (i >= argc) {
		usage(stderr);
		return VS_EX_USAGE;
	}
	const char *cmd = argv[i];
	int rest = argc - i - 1; /* arguments after the command */
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("vmastressctl %s\n", VS_VERSION);
		return 0;
	}
	if (cmd[0] == '-')
		return usage_error("unknown option %s", cmd);
	if (strcmp(cmd, "check") == 0)
		return vs_ctl_check(argc - i, argv + i);
	if (strcmp(cmd, "top") == 0) {
		vs_ctl_default_socket(VS_DEFAULT_WATCH_SOCKET);
		return vs_ctl_top(argc - i, argv + i);
	}
	if (strcmp(cmd, "advise") == 0) {
		vs_ctl_default_socket(VS_DEFAULT_WATCH_SOCKET);
		return vs_ctl_advise(argc - i, argv + i);
	}
	if (strcmp(cmd, "events") == 0) {
		vs_ctl_default_socket(VS_DEFAULT_WATCH_SOCKET);
		return vs_ctl_events(argc - i, argv + i);
	}
	vs_ctl_default_socket(VS_DEFAULT_SOCKET);
	if (strcmp(cmd, "summary") == 0)
		return vs_ctl_summary(argc - i, argv + i);
	if (strcmp(cmd, "plot") == 0)
		return vs_ctl_plot(argc - i, argv + i);
	if (strcmp(cmd, "compare") == 0) {
		const char *plot = NULL;
		if (rest == 4 && strcmp(argv[i + 3], "--plot") == 0)
			plot = argv[i + 4], rest = 2;
		else if (rest == 4 && strcmp(argv[i + 1], "--plot") == 0)
			plot = argv[i + 2], rest = 2, i += 2;
		if (rest != 2)
			return usage_error("compare: needs two report files (and --plot FILE.svg), "
					   "got %s",
					   rest < 2 ? "fewer" : "more");
		return vs_ctl_compare(argv[i + 1], argv[i + 2], plot);
	}
	if (strcmp(cmd, "status") != 0 && !is_raw(cmd))
		return usage_error("unknown command \"%s\" (stats, metrics, ping, version, status, "
				   "check, top, events, advise, compare, summary, plot)",
				   cmd);
	if (rest > 0)
		return usage_error("unexpected argument \"%s\"", argv[i + 1]);
	if (strcmp(cmd, "status") == 0)
		return cmd_status();
	int r = vs_ctl_query(cmd, buf, sizeof(buf), err, sizeof(err));
	if (r) {
		fprintf(stderr, "vmastressctl: %s\n", err);
		return r;
	}
	fputs(buf, stdout);
	return 0;
}
