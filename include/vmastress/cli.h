/* cli.h: vmastressd command line. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/config.h"

/* sysexits */
#define VS_EX_OK 0
#define VS_EX_USAGE 64
#define VS_EX_SOFTWARE 70
#define VS_EX_CONFIG 78

struct vs_cli {
	const char *config_path; /* NULL: default path, missing file allowed */
	bool check_config;
	bool help, version;
	const char *report; /* NULL, "-" or a file */
	uint64_t max_ops;   /* per worker, 0 = unbounded (tests, benchmarks) */
	struct vs_overrides ov;
};

/* Parse argv; returns 0, or VS_EX_USAGE after printing the problem to err. */
int vs_cli_parse(struct vs_cli *cli, int argc, char **argv, FILE *err);
void vs_cli_usage(FILE *out);
