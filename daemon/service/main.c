/* main.c: argv -> config -> run. */
#include <stdio.h>
#include <stdlib.h>
#include "vmastress/config/cli.h"
#include "vmastress/config/config.h"
#include "vmastress/service/loop.h"
#include "vmastress/service/watch_loop.h"

int main(int argc, char **argv)
{
	struct vs_cli cli;
	struct vs_config cfg;
	char err[512];
	int r;

	r = vs_cli_parse(&cli, argc, argv, stderr);
	if (r) {
		fprintf(stderr, "Try 'vmastressd --help'.\n");
		return r;
	}
	if (cli.help) {
		vs_cli_usage(stdout);
		return VS_EX_OK;
	}
	if (cli.version) {
		printf("vmastressd %s\n", VS_VERSION);
		return VS_EX_OK;
	}
	if (vs_config_load(&cfg, &cli.src, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmastressd: %s\n", err);
		return VS_EX_CONFIG;
	}
	if (cli.check_config) {
		if (!cli.quiet)
			vs_config_print(&cfg, stdout);
		return VS_EX_OK;
	}
	struct vs_run_options opt = {
	    .src = &cli.src,
	    .report = cli.report,
	    .max_ops = cli.max_ops,
	    .hold_file = getenv("VMASTRESS_TEST_HOLD"),
	};
	return cfg.watch_enabled ? vs_watch_run(&cfg, &opt) : vs_loop_run(&cfg, &opt);
}
