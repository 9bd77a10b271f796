/* cli.h: vmastressd command line; flags that set config keys go into the overrides. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "vmastress/config/config.h"

struct vs_cli {
	bool check_config, quiet;
	bool help, version;
	const char *report;	     /* NULL, "-" or a file */
	uint64_t max_ops;	     /* per worker, 0 = unbounded (tests, benchmarks) */
	struct vs_config_source src; /* -c and the flags that set keys */
};

/* Parse argv; returns 0, or VS_EX_USAGE after printing the problem to err. */
int vs_cli_parse(struct vs_cli *cli, int argc, char **argv, FILE *err);
void vs_cli_usage(FILE *out);
