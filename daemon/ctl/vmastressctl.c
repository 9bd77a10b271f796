/* vmastressctl.c: the client: raw commands, status, check (monitoring plugin), compare. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/vmastress/stats.sock"
#define ANSWER_MAX (1 << 16)
/* sysexits for the plain commands; `check` uses the plugin codes 0..3 instead */
#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_NOINPUT 66
#define EX_UNAVAILABLE 69
#define EX_NOPERM 77
enum { CHECK_OK, CHECK_WARNING, CHECK_CRITICAL, CHECK_UNKNOWN };

static const char *sock_path = DEFAULT_SOCKET;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vmastressctl [--socket PATH] stats|metrics|ping|version\n"
		"       vmastressctl [--socket PATH] status\n"
		"       vmastressctl [--socket PATH] check [--max-leaked-bytes N] [--max-fill F]\n"
		"       vmastressctl compare A.json B.json\n"
		"\nExit status: 0 ok, 64 usage, 65 bad answer or file, 66 missing file,\n"
		"69 daemon not reachable, 77 permission denied; check: 0 OK, 1 WARNING,\n"
		"2 CRITICAL, 3 UNKNOWN.\n");
}

/* Send one command, read the whole answer. Returns 0 or a sysexits code. */
static int query(const char *cmd, char *buf, size_t len, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t got = 0;
	int fd;

	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", sock_path);
		return EX_USAGE;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot connect to %s: %s%s", sock_path, strerror(e),
			 e == EACCES ? " (are you in the vmastress group?)"
			 : e == ENOENT || e == ECONNREFUSED ? " (is vmastressd running?)"
							    : "");
		return e == EACCES || e == EPERM ? EX_NOPERM : EX_UNAVAILABLE;
	}
	char line[300];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	/* No SIGPIPE: a daemon that answered "error: busy" and closed before
	 * reading leaves that answer to read, and the caller its exit code. */
	ssize_t sent = send(fd, line, (size_t)n, MSG_NOSIGNAL);
	if (sent != n && !(sent < 0 && (errno == EPIPE || errno == ECONNRESET))) {
		snprintf(err, errlen, "cannot send to %s: %s", sock_path, strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (;;) {
		if (poll(&p, 1, 5000) <= 0) {
			snprintf(err, errlen, "no answer from %s within 5 s", sock_path);
			close(fd);
			return EX_UNAVAILABLE;
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
		return EX_DATAERR;
	}
	return 0;
}

/* Where the value at a dotted key path ("failures.munmap.ENOMEM") of a
 * flat-enough JSON starts, or NULL. */
static const char *json_at(const char *json, const char *path)
{
	char key[64];
	const char *p = json;

	while (*path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		snprintf(key, sizeof(key), "\"%.*s\":", (int)n, path);
		p = strstr(p, key);
		if (!p)
			return NULL;
		p += strlen(key);
		path += n + (dot ? 1 : 0);
	}
	return p;
}

static bool json_num(const char *json, const char *path, double *out)
{
	const char *p = json_at(json, path);
	char *end;

	if (!p)
		return false;
	double v = strtod(p, &end);
	if (end == p)
		return false; /* null, a string, an object */
	*out = v;
	return true;
}

/* The value at a key path as text, quotes dropped ("profile"; "seed": a 64-bit
 * seed does not survive a double); "-" when absent. */
static void token(const char *json, const char *path, char *out, size_t len)
{
	const char *p = json_at(json, path);
	size_t n = 0;

	if (p) {
		p += *p == '"';
		while (p[n] && !strchr("\",}", p[n]) && n + 1 < len)
			n++;
	}
	if (!p || n == 0) {
		snprintf(out, len, "-");
		return;
	}
	memcpy(out, p, n);
	out[n] = 0;
}

static double num(const char *json, const char *path)
{
	double v = NAN;
	json_num(json, path, &v);
	return v;
}

static int cmd_status(void)
{
	static char buf[ANSWER_MAX];
	char err[512];
	int r = query("stats", buf, sizeof(buf), err, sizeof(err));

	if (r) {
		fprintf(stderr, "vmastressctl: %s\n", err);
		return r;
	}
	double limit = num(buf, "max_map_count"), vmas = num(buf, "map_count_predicted");
	if (isnan(limit) || isnan(vmas)) {
		fprintf(stderr, "vmastressctl: the daemon's answer is not the stats JSON\n");
		return EX_DATAERR;
	}
	char profile[32] = "?", version[32] = "?";
	unsigned long long seed = 0;
	const char *pp = strstr(buf, "\"profile\":\"");
	if (pp)
		sscanf(pp + 11, "%31[^\"]", profile);
	if ((pp = strstr(buf, "\"version\":\"")))
		sscanf(pp + 11, "%31[^\"]", version);
	if ((pp = strstr(buf, "\"seed\":")))
		seed = strtoull(pp + 7, NULL, 10); /* 64 bits: not through a double */
	printf("vmastressd %s, pid %.0f, up %.0f s, profile %s, seed %llu\n", version,
	       num(buf, "pid"), num(buf, "uptime_seconds"), profile, seed);
	printf("workers:   %.0f\n", num(buf, "workers"));
	printf("VMAs:      %.0f / %.0f (%.1f %%), peak %.0f, /proc %.0f\n", vmas, limit,
	       100.0 * vmas / limit, num(buf, "map_count_peak"), num(buf, "map_count"));
	printf("mappings:  %.0f (%.0f bytes)\n", num(buf, "mappings"), num(buf, "mapped_bytes"));
	printf("ops:       mmap %.0f, mprotect %.0f, munmap %.0f\n", num(buf, "ops.mmap"),
	       num(buf, "ops.mprotect"), num(buf, "ops.munmap"));
	printf("failures:  ENOMEM mmap %.0f, mprotect %.0f, munmap %.0f\n",
	       num(buf, "failures.mmap.ENOMEM"), num(buf, "failures.mprotect.ENOMEM"),
	       num(buf, "failures.munmap.ENOMEM"));
	printf("leaked:    %.0f mappings, %.0f bytes (reclaimed %.0f bytes)\n",
	       num(buf, "leaks.mappings"), num(buf, "leaks.bytes"), num(buf, "leaks.reclaimed_bytes"));
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {{"max-leaked-bytes", required_argument, NULL, 'l'},
					     {"max-fill", required_argument, NULL, 'f'},
					     {0}};
	static char buf[ANSWER_MAX];
	double max_leaked = 0, max_fill = 0.95;
	char err[512], *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		errno = 0;
		if (c == 'l')
			max_leaked = strtod(optarg, &end);
		else if (c == 'f')
			max_fill = strtod(optarg, &end);
		else
			return printf("VMASTRESS UNKNOWN - bad option\n"), CHECK_UNKNOWN;
		if (*end || errno || max_leaked < 0 || max_fill <= 0)
			return printf("VMASTRESS UNKNOWN - bad value %s\n", optarg), CHECK_UNKNOWN;
	}
	if (query("stats", buf, sizeof(buf), err, sizeof(err))) {
		printf("VMASTRESS UNKNOWN - %s\n", err);
		return CHECK_UNKNOWN;
	}
	double limit = num(buf, "max_map_count"), vmas = num(buf, "map_count_predicted");
	double leaked = num(buf, "leaks.bytes"), enomem = num(buf, "failures.munmap.ENOMEM");
	if (isnan(limit) || isnan(vmas) || isnan(leaked) || limit <= 0) {
		printf("VMASTRESS UNKNOWN - the answer is not the stats JSON\n");
		return CHECK_UNKNOWN;
	}
	double fill = vmas / limit;
	int state = leaked > max_leaked ? CHECK_CRITICAL
		    : fill > max_fill   ? CHECK_WARNING
					: CHECK_OK;
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	printf("VMASTRESS %s - %.0f/%.0f VMAs (%.1f%%), leaked %.0f bytes, munmap ENOMEM %.0f"
	       " | vmas=%.0f;;;0;%.0f fill=%.4f;%g leaked_bytes=%.0fB;;%.0f munmap_enomem=%.0fc\n",
	       names[state], vmas, limit, 100 * fill, leaked, enomem, vmas, limit, fill, max_fill,
	       leaked, max_leaked, enomem);
	return state;
}

static int load(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f) {
		fprintf(stderr, "vmastressctl: %s: %s\n", path, strerror(errno));
		return errno == ENOENT ? EX_NOINPUT : EX_NOPERM;
	}
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	if (!strstr(buf, "\"max_map_count\":")) {
		fprintf(stderr, "vmastressctl: %s: not a vmastressd report\n", path);
		return EX_DATAERR;
	}
	return 0;
}

static int cmd_compare(const char *a, const char *b)
{
	static char A[ANSWER_MAX], B[ANSWER_MAX];
	static const char *const rows[] = {
		"max_map_count", "map_count_peak", "uptime_seconds", "ops.mmap",
		"ops.mprotect", "ops.munmap", "failures.mmap.ENOMEM", "failures.mprotect.ENOMEM",
		"failures.munmap.ENOMEM", "enomem.map_count.munmap", "enomem.memory.munmap",
		"first_enomem_seconds.munmap", "vmas_created", "leaks.mappings", "leaks.bytes",
		"leaks.reclaimed_mappings", "leaks.reclaimed_bytes"};
	int r;

	if ((r = load(a, A, sizeof(A))) || (r = load(b, B, sizeof(B))))
		return r;
	static const char *const same[] = {"version", "profile", "seed", "workers"};
	char ta[64], tb[64], differ[128] = "";

	printf("%-30s %20s %20s\n", "", a, b);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		token(A, same[i], ta, sizeof(ta));
		token(B, same[i], tb, sizeof(tb));
		printf("%-30s %20s %20s\n", same[i], ta, tb);
		if (strcmp(ta, tb) != 0)
			snprintf(differ + strlen(differ), sizeof(differ) - strlen(differ), "%s%s",
				 *differ ? ", " : "", same[i]);
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double v[2] = {num(A, rows[i]), num(B, rows[i])};
		printf("%-30s", rows[i]);
		for (int k = 0; k < 2; k++)
			if (isnan(v[k]))
				printf(" %20s", "-");
			else
				printf(" %20.*f", fmod(v[k], 1) != 0 ? 3 : 0, v[k]);
		putchar('\n');
	}
	printf("%-30s %20.0f %20.0f\n", "headroom (limit - peak)",
	       num(A, "max_map_count") - num(A, "map_count_peak"),
	       num(B, "max_map_count") - num(B, "map_count_peak"));
	/* Only the limit should differ between two hosts' runs. */
	if (*differ)
		fprintf(stderr, "vmastressctl: note: the runs differ in %s: not like for like\n",
			differ);
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[ANSWER_MAX];
	char err[512];
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "--socket") == 0) {
		sock_path = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	const char *cmd = argv[i];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "status") == 0 && i + 1 == argc)
		return cmd_status();
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - i, argv + i);
	if (strcmp(cmd, "compare") == 0 && i + 3 == argc)
		return cmd_compare(argv[i + 1], argv[i + 2]);
	if ((strcmp(cmd, "stats") == 0 || strcmp(cmd, "metrics") == 0 ||
	     strcmp(cmd, "ping") == 0 || strcmp(cmd, "version") == 0) &&
	    i + 1 == argc) {
		int r = query(cmd, buf, sizeof(buf), err, sizeof(err));
		if (r) {
			fprintf(stderr, "vmastressctl: %s\n", err);
			return r;
		}
		fputs(buf, stdout);
		return 0;
	}
	usage(stderr);
	return EX_USAGE;
}
