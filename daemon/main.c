/* main.c: argv -> config -> run. */
#include <stdio.h>
#include <stdlib.h>
#include "vmastress/cli.h"
#include "vmastress/config.h"
#include "vmastress/loop.h"

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
	/* A missing default file means built-in defaults; a named one must exist. */
	const char *path = cli.config_path ? cli.config_path : VS_DEFAULT_CONFIG;
	if (vs_config_load(&cfg, path, cli.config_path != NULL, &cli.ov, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmastressd: %s\n", err);
		return VS_EX_CONFIG;
	}
	if (cli.check_config) {
		vs_config_print(&cfg, stdout);
		return VS_EX_OK;
	}
	struct vs_run_options opt = {
	    .config_path = path,
	    .config_required = cli.config_path != NULL,
	    .report = cli.report,
	    .max_ops = cli.max_ops,
	    .hold_file = getenv("VMASTRESS_TEST_HOLD"),
	};
	return vs_loop_run(&cfg, &opt);
}
