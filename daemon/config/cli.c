/* cli.c: vmastressd option parsing, --help/--version, sysexits. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "vmastress/config/cli.h"
#include "vmastress/shapes/shape.h"

enum { OPT_SOCKET = 256, OPT_REPORT, OPT_MAX_OPS, OPT_DEMAND, OPT_EMULATE, OPT_WATCH };

/* Flags that set a config key: parsed and bounded by the key's row. */
static const struct {
	int opt;
	const char *name, *arg;
	enum vs_config_key key;
} key_flags[] = {
    {'d', "duration", "SECS", VS_KEY_duration},
    {'w', "workers", "N", VS_KEY_workers},
    {'s', "seed", "N", VS_KEY_seed},
    {'p', "shape", "SHAPE", VS_KEY_shape}, /* --profile: its old name, an alias */
    {OPT_SOCKET, "socket", "PATH", VS_KEY_stats_socket},
    {OPT_DEMAND, "demand", "VMAS", VS_KEY_pressure_demand},
    {OPT_EMULATE, "emulate-limit", "VMAS", VS_KEY_pressure_emulate_limit},
};
#define N_KEY_FLAGS (sizeof(key_flags) / sizeof(key_flags[0]))

/* Flags that do not set a key. */
static const struct option plain_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"check-config", no_argument, NULL, 't'},
    {"watch", no_argument, NULL, OPT_WATCH},
    {"quiet", no_argument, NULL, 'q'},
    {"report", required_argument, NULL, OPT_REPORT},
    {"max-ops", required_argument, NULL, OPT_MAX_OPS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"profile", required_argument, NULL, 'p'}, /* --shape's old name */
};
#define N_PLAIN (sizeof(plain_options) / sizeof(plain_options[0]))

void vs_cli_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmastressd [-c FILE] [-t [-q]] [-d SECONDS] [-w N] [-s SEED] [-p SHAPE]\n"
		"                  [--demand VMAS] [--emulate-limit VMAS] [--socket PATH|none]\n"
		"                  [--report FILE|-] [-h] [-V]\n"
		"\n"
		"Stress vm.max_map_count with concurrent mmap/mprotect/munmap churn.\n"
		"\n"
		"  -c, --config FILE     configuration (default %s; missing = built-in defaults)\n"
		"  -t, --check-config    validate, print the effective configuration, exit\n"
		"  -q, --quiet           with -t: print nothing, only the exit status\n",
		VS_DEFAULT_CONFIG);
	for (size_t i = 0; i < N_KEY_FLAGS; i++) {
		const struct vs_config_key_info *k = &vs_config_keys[key_flags[i].key];
		char flag[40];
		snprintf(flag, sizeof(flag), "%c%c%s --%s %s", key_flags[i].opt < 256 ? '-' : ' ',
			 key_flags[i].opt < 256 ? key_flags[i].opt : ' ',
			 key_flags[i].opt < 256 ? "," : " ", key_flags[i].name, key_flags[i].arg);
		fprintf(out, "  %-20s  %s: %s", flag, k->path, k->doc);
		if (k->type == VS_KEY_UINT)
			fprintf(out, " (%lld..%lld)", k->min, k->max);
		if (key_flags[i].key == VS_KEY_shape)
			fprintf(out, " (%s); --profile: an alias", vs_shape_names());
		fputc('\n', out);
	}
	fprintf(out,
		"      --watch           watch mode: no load; every process's VMA count against\n"
		"                        the limit, the top watch.top, every watch.interval\n"
		"      --report FILE|-   write the final stats JSON there on exit\n"
		"      --max-ops N       stop each worker after N operations (tests)\n"
		"  -h, --help            this text\n"
		"  -V, --version         print the version\n"
		"\nExit status: %d ok, %d a bounded run's demand not held, %d usage, %d the stats\n"
		"socket held by another daemon, %d internal error, %d permission denied,\n"
		"%d configuration error.\n",
		VS_EX_OK, VS_EX_NOT_HELD, VS_EX_USAGE, VS_EX_UNAVAILABLE, VS_EX_SOFTWARE,
		VS_EX_NOPERM, VS_EX_CONFIG);
}

static int key_flag(struct vs_cli *cli, int opt, const char *arg, FILE *err)
{
	char what[192];

	for (size_t i = 0; i < N_KEY_FLAGS; i++) {
		if (key_flags[i].opt != opt)
			continue;
		if (vs_overrides_set(&cli->src.ov, key_flags[i].key, arg, what, sizeof(what)) < 0) {
			fprintf(err, "vmastressd: --%s: %s\n", key_flags[i].name, what);
			return VS_EX_USAGE;
		}
		return 0;
	}
	return -1;
}

int vs_cli_parse(struct vs_cli *cli, int argc, char **argv, FILE *err)
{
	char *end;
	int c, r;

	struct option options[N_PLAIN + N_KEY_FLAGS + 1] = {{0}};

	memcpy(options, plain_options, sizeof(plain_options));
	for (size_t i = 0; i < N_KEY_FLAGS; i++)
		options[N_PLAIN + i] =
		    (struct option){key_flags[i].name, required_argument, NULL, key_flags[i].opt};
	memset(cli, 0, sizeof(*cli));
	/* A missing default file means built-in defaults; a named one must exist. */
	cli->src.path = VS_DEFAULT_CONFIG;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:tqd:w:s:p:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			cli->src.path = optarg;
			cli->src.must_exist = true;
			break;
		case 't':
			cli->check_config = true;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'h':
			cli->help = true;
			break;
		case 'V':
			cli->version = true;
			break;
		case OPT_WATCH: {
			char what[192];
			if (vs_overrides_set(&cli->src.ov, VS_KEY_watch_enabled, "1", what,
					     sizeof(what)) < 0)
				return VS_EX_USAGE;
			break;
		}
		case OPT_REPORT:
			cli->report = optarg;
			break;
		case OPT_MAX_OPS:
			errno = 0;
			cli->max_ops = strtoull(optarg, &end, 10);
			if (!optarg[0] || optarg[0] == '-' || *end || errno) {
				fprintf(err, "vmastressd: --max-ops: \"%s\" is not a count\n",
					optarg);
				return VS_EX_USAGE;
			}
			break;
		case ':':
			fprintf(err, "vmastressd: option %s needs an argument\n", argv[optind - 1]);
			return VS_EX_USAGE;
		case '?':
			if (optopt)
				fprintf(err, "vmastressd: unknown option -%c\n", optopt);
			else
				fprintf(err, "vmastressd: unknown option %s\n", argv[optind - 1]);
			return VS_EX_USAGE;
		default:
			if ((r = key_flag(cli, c, optarg, err)) != 0)
				return r < 0 ? VS_EX_USAGE : r;
		}
	}
	if (optind < argc) {
		fprintf(err, "vmastressd: unexpected argument \"%s\"\n", argv[optind]);
		return VS_EX_USAGE;
	}
	cli->src.one_off =
	    cli->max_ops || (cli->src.ov.has[VS_KEY_duration] && cli->src.ov.v.duration);
	return 0;
}
