/* vmastressctl.c: the client: the socket, raw commands, status, and dispatch to check,
 * top, compare and summary. JSON through json-c; every key it reads comes from stats.h. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "ctl.h"

#define ANSWER_TIMEOUT_MS 5000 /* the daemon has a shorter deadline; this covers slow hosts */

#define JSON_KEY(f, src, fmt, json, ...) json,
const char *const stat_json[VS_STAT_COUNT] = {VS_STATS(JSON_KEY)};
#define STAT_FLAGS(f, src, fmt, json, metric, type, flags, ...) flags,
const unsigned stat_flags[VS_STAT_COUNT] = {VS_STATS(STAT_FLAGS)};
#define FAMILY_JSON(id, json, metric, flags, help) json,
const char *const family_json[VS_FAMILY_COUNT] = {VS_STAT_FAMILIES(FAMILY_JSON)};
#define FAMILY_FLAGS(id, json, metric, flags, help) flags,
const unsigned family_flags[VS_FAMILY_COUNT] = {VS_STAT_FAMILIES(FAMILY_FLAGS)};
#define NAME(id, name) name,
const char *const op_names[VS_OP_COUNT] = {VS_OPS(NAME)};
const char *const cause_names[VS_CAUSE_COUNT] = {VS_ENOMEM_CAUSES(NAME)};

static const char *sock_path; /* --socket, or the command's daemon's */

void vs_ctl_default_socket(const char *path)
{
	if (!sock_path)
		sock_path = path;
}

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
	    "                                       [--window SECONDS]\n"
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

/* Send one command, read the whole answer. Returns 0 or a sysexits code. */
int vs_ctl_query(const char *cmd, char *buf, size_t len, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char line[VS_STATS_REQUEST_MAX + 1];
	size_t got = 0;
	int fd;

	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", sock_path);
		return VS_EX_USAGE;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot connect to %s: %s%s", sock_path, strerror(e),
			 e == EACCES			    ? " (are you in the vmastress group?)"
			 : e == ENOENT || e == ECONNREFUSED ? " (is vmastressd running?)"
							    : "");
		return e == EACCES || e == EPERM ? VS_EX_NOPERM : VS_EX_UNAVAILABLE;
	}
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	/* No SIGPIPE: a daemon that answered "error: busy" and closed before
	 * reading leaves that answer to read, and the caller its exit code. */
	ssize_t sent = send(fd, line, (size_t)n, MSG_NOSIGNAL);
	if (sent != n && !(sent < 0 && (errno == EPIPE || errno == ECONNRESET))) {
		snprintf(err, errlen, "cannot send to %s: %s", sock_path, strerror(errno));
		close(fd);
		return VS_EX_UNAVAILABLE;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (;;) {
		if (poll(&p, 1, ANSWER_TIMEOUT_MS) <= 0) {
			snprintf(err, errlen, "no answer from %s within %d ms", sock_path,
				 ANSWER_TIMEOUT_MS);
			close(fd);
			return VS_EX_UNAVAILABLE;
		}
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == len - 1)
			break;
	}
	close(fd);
	buf[got] = 0;
	if (strncmp(buf, "error:", 6) == 0) {
		snprintf(err, errlen, "%s", buf);
		return VS_EX_DATAERR;
	}
	return 0;
}

/* text -> a JSON object, or NULL with the parser's reason in err. */
json_object *vs_ctl_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || !json_object_is_type(o, json_type_object)) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		snprintf(err, errlen, "not JSON: %s at byte %zu",
			 o			      ? "not an object"
			 : e == json_tokener_continue ? "unexpected end"
						      : json_tokener_error_desc(e),
			 json_tokener_get_parse_end(tok));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* The value at a dotted key path ("failures.munmap.ENOMEM"), or NULL. */
json_object *vs_ctl_at(json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

/* A number at path; NAN when absent, null or not a number. */
double vs_ctl_num(json_object *o, const char *path)
{
	json_object *v = vs_ctl_at(o, path);

	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return NAN;
	return json_object_get_double(v);
}

/* The value at path as text ("-" when absent); 64-bit integers stay exact. */
const char *vs_ctl_text(json_object *o, const char *path, char *buf, size_t len)
{
	json_object *v = vs_ctl_at(o, path);

	if (!v || json_object_is_type(v, json_type_null))
		snprintf(buf, len, "-");
	else if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) < 0)
		snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
	else if (json_object_is_type(v, json_type_int))
		snprintf(buf, len, "%llu", (unsigned long long)json_object_get_uint64(v));
	else
		snprintf(buf, len, "%s", json_object_get_string(v));
	return buf;
}

/* verdict.first_failure as "mprotect ENOMEM at 65529", or "-". */
const char *vs_ctl_first_failure(json_object *o, char *buf, size_t len)
{
	json_object *f = vs_ctl_at(o, VS_VERDICT ".first_failure");
	char op[24], err[24], vmas[24];

	if (!f || !json_object_is_type(f, json_type_object))
		return snprintf(buf, len, "-"), buf;
	snprintf(buf, len, "%s %s at %s", vs_ctl_text(f, "op", op, sizeof(op)),
		 vs_ctl_text(f, "errno", err, sizeof(err)),
		 vs_ctl_text(f, "vmas", vmas, sizeof(vmas)));
	return buf;
}

/* The stats JSON from the daemon; 0 or a sysexits code (message printed). */
int vs_ctl_fetch_stats(json_object **out, char *err, size_t errlen)
{
	static char buf[VS_CTL_ANSWER_MAX];
	int r = vs_ctl_query("stats", buf, sizeof(buf), err, errlen);

	if (r)
		return r;
	*out = vs_ctl_parse(buf, strlen(buf), err, errlen);
	if (!*out || isnan(vs_ctl_num(*out, J(max_map_count)))) {
		if (*out)
			snprintf(err, errlen, "the daemon's answer is not the stats JSON");
		json_object_put(*out);
		return VS_EX_DATAERR;
	}
	return 0;
}

void vs_ctl_family_key(char *buf, size_t len, enum vs_stat_family f, const char *a, const char *b)
{
	snprintf(buf, len, "%s.%s%s%s", family_json[f], a, b ? "." : "", b ? b : "");
}

double vs_ctl_failures(json_object *s, char *buf, size_t len, double *unexpected)
{
	json_object *f = vs_ctl_at(s, family_json[VS_FAMILY_FAILURES]);
	double total = 0;
	size_t at = 0;

	buf[0] = 0;
	*unexpected = 0;
	if (json_object_is_type(f, json_type_object)) {
		json_object_object_foreach(f, op, errnos)
		{
			if (!json_object_is_type(errnos, json_type_object))
				continue;
			json_object_object_foreach(errnos, e, n)
			{
				double v = json_object_get_double(n);
				if (v <= 0)
					continue;
				total += v;
				if (strcmp(e, "ENOMEM") != 0)
					*unexpected += v;
				if (at < len)
					at += (size_t)snprintf(buf + at, len - at, "%s%s %s %.0f",
							       at ? ", " : "", op, e, v);
			}
		}
	}
	if (!buf[0])
		snprintf(buf, len, "none");
	return total;
}

static int cmd_status(void)
{
	char err[512], t[VS_SNAP_STRING_MAX], k[96];
	json_object *s;
	int r = vs_ctl_fetch_stats(&s, err, sizeof(err));

	if (r) {
		fprintf(stderr, "vmastressctl: %s\n", err);
		return r;
	}
	if (json_object_is_type(vs_ctl_at(s, "watch"), json_type_object)) {
		printf("vmastressd %s in watch mode, pid %.0f, up %.0f s\n",
		       vs_ctl_text(s, J(version), t, sizeof(t)), vs_ctl_num(s, J(pid)),
		       vs_ctl_num(s, J(uptime_seconds)));
		vs_ctl_print_top(s);
		json_object_put(s);
		return 0;
	}
	double limit = vs_ctl_num(s, J(max_map_count)), vmas = vs_ctl_num(s, J(map_count));
	printf("vmastressd %s, pid %.0f, up %.0f s, profile %s, ",
	       vs_ctl_text(s, J(version), t, sizeof(t)), vs_ctl_num(s, J(pid)),
	       vs_ctl_num(s, J(uptime_seconds)), vs_ctl_text(s, J(profile), k, sizeof(k)));
	printf("seed %s\n", vs_ctl_text(s, J(seed), t, sizeof(t)));
	printf("workers:   %.0f\n", vs_ctl_num(s, J(workers)));
	printf("VMAs:      %.0f / %.0f (%.1f %%), peak %.0f", vmas, limit, 100.0 * vmas / limit,
	       vs_ctl_num(s, J(map_count_peak)));
	/* The /proc figure is a check of the exact count, taken with the workers
	 * parked: before the first one it is the count at start, not news. */
	if (vs_ctl_num(s, "accounting.verifications") > 0)
		printf("; checked against /proc %.1f s ago (then %.0f, drift %+.0f)\n",
		       vs_ctl_num(s, J(map_count_proc_age_seconds)),
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
		printf(" (%s%s)\n", vs_ctl_text(s, "kernel.source", src, sizeof(src)),
		       json_object_get_boolean(vs_ctl_at(s, "kernel.estimate"))
			   ? ", an estimate: the host's unreclaimable slab"
		       : json_object_get_boolean(vs_ctl_at(s, "kernel.host_wide"))
			   ? ", the host's: exact on a quiet host only"
			   : ", its own cgroup's: exact");
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
		sock_path = argv[2];
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
