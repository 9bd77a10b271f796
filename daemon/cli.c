/* cli.c: vmastressd option parsing, --help/--version, sysexits. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "vmastress/cli.h"
#include "vmastress/profile.h"

enum { OPT_SOCKET = 256, OPT_REPORT, OPT_MAX_OPS };

static const struct option options[] = {
    {"config", required_argument, NULL, 'c'},
    {"check-config", no_argument, NULL, 't'},
    {"duration", required_argument, NULL, 'd'},
    {"workers", required_argument, NULL, 'w'},
    {"seed", required_argument, NULL, 's'},
    {"profile", required_argument, NULL, 'p'},
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"report", required_argument, NULL, OPT_REPORT},
    {"max-ops", required_argument, NULL, OPT_MAX_OPS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {0},
};

void vs_cli_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmastressd [-c FILE] [-t] [-d SECONDS] [-w N] [-s SEED] [-p PROFILE]\n"
		"                  [--socket PATH|none] [--report FILE|-] [-h] [-V]\n"
		"\n"
		"Stress vm.max_map_count with concurrent mmap/mprotect/munmap churn.\n"
		"\n"
		"  -c, --config FILE     configuration (default %s; missing = built-in defaults)\n"
		"  -t, --check-config    validate, print the effective configuration, exit\n"
		"  -d, --duration SECS   run that long, tear down, exit (0 = until stopped)\n"
		"  -w, --workers N       worker threads (1..%d)\n"
		"  -s, --seed N          PRNG seed (0 = pick one and report it)\n"
		"  -p, --profile NAME    preset: %s\n"
		"      --socket PATH     stats socket path, or \"none\"\n"
		"      --report FILE|-   write the final stats JSON there on exit\n"
		"      --max-ops N       stop each worker after N operations (tests)\n"
		"  -h, --help            this text\n"
		"  -V, --version         print the version\n"
		"\nExit status: 0 ok, 64 usage, 70 internal error, 78 configuration error.\n",
		VS_DEFAULT_CONFIG, VS_WORKERS_MAX, vs_profile_names());
}

static int number(const char *opt, const char *arg, unsigned long long max, unsigned long long *out,
		  FILE *err)
{
	char *end;

	errno = 0;
	if (!arg[0] || arg[0] == '-' || arg[0] == '+') {
		fprintf(err, "vmastressd: %s: \"%s\" is not a non-negative integer\n", opt, arg);
		return VS_EX_USAGE;
	}
	*out = strtoull(arg, &end, 10);
	if (*end) {
		fprintf(err, "vmastressd: %s: \"%s\" is not a non-negative integer\n", opt, arg);
		return VS_EX_USAGE;
	}
	if (errno == ERANGE || *out > max) {
		fprintf(err, "vmastressd: %s: %s is out of range 0..%llu\n", opt, arg, max);
		return VS_EX_USAGE;
	}
	return 0;
}

int vs_cli_parse(struct vs_cli *cli, int argc, char **argv, FILE *err)
{
	unsigned long long v;
	int c;

	memset(cli, 0, sizeof(*cli));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:td:w:s:p:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			cli->config_path = optarg;
			break;
		case 't':
			cli->check_config = true;
			break;
		case 'h':
			cli->help = true;
			break;
		case 'V':
			cli->version = true;
			break;
		case OPT_REPORT:
			cli->report = optarg;
			break;
		case 'd':
			if (number("--duration", optarg, 31536000, &v, err))
				return VS_EX_USAGE;
			cli->ov.has_duration = true;
			cli->ov.duration = (unsigned)v;
			break;
		case 'w':
			if (number("--workers", optarg, VS_WORKERS_MAX, &v, err))
				return VS_EX_USAGE;
			if (v == 0) {
				fprintf(err, "vmastressd: --workers: must be at least 1\n");
				return VS_EX_USAGE;
			}
			cli->ov.has_workers = true;
			cli->ov.workers = (unsigned)v;
			break;
		case 's':
			if (number("--seed", optarg, UINT64_MAX, &v, err))
				return VS_EX_USAGE;
			cli->ov.has_seed = true;
			cli->ov.seed = v;
			break;
		case OPT_MAX_OPS:
			if (number("--max-ops", optarg, UINT64_MAX, &v, err))
				return VS_EX_USAGE;
			cli->max_ops = v;
			break;
		case 'p':
			if (!vs_profile_known(optarg)) {
				fprintf(
				    err,
				    "vmastressd: --profile: unknown profile \"%s\" (known: %s)\n",
				    optarg, vs_profile_names());
				return VS_EX_USAGE;
			}
			cli->ov.has_profile = true;
			snprintf(cli->ov.profile, sizeof(cli->ov.profile), "%s", optarg);
			break;
		case OPT_SOCKET:
			if (strlen(optarg) >= VS_PATH_MAX ||
			    (optarg[0] != '/' && strcmp(optarg, "none") != 0)) {
				fprintf(err,
					"vmastressd: --socket: \"%s\" is not an absolute path "
					"under %d bytes or \"none\"\n",
					optarg, VS_PATH_MAX);
				return VS_EX_USAGE;
			}
			cli->ov.has_socket = true;
			snprintf(cli->ov.socket, sizeof(cli->ov.socket), "%s", optarg);
			break;
		case ':':
			fprintf(err, "vmastressd: option %s needs an argument\n", argv[optind - 1]);
			return VS_EX_USAGE;
		default:
			if (optopt)
				fprintf(err, "vmastressd: unknown option -%c\n", optopt);
			else
				fprintf(err, "vmastressd: unknown option %s\n", argv[optind - 1]);
			return VS_EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(err, "vmastressd: unexpected argument \"%s\"\n", argv[optind]);
		return VS_EX_USAGE;
	}
	return 0;
}
