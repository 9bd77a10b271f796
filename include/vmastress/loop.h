/* loop.h: the daemon's main loop (sd-event): signals, timers, shutdown, report. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/config.h"

struct vs_run_options {
	const char *config_path; /* for reloads */
	bool config_required;	 /* named on the command line: must exist */
	const char *report;	 /* NULL, "-" or a file */
	uint64_t max_ops;	 /* per worker; the run ends when all are done */
	const char *hold_file;	 /* test hook: see loop.c */
	struct vs_overrides ov;	 /* command-line flags, re-applied on reload */
};

/* Run until a signal, --duration, or --max-ops; returns a sysexits code. */
int vs_loop_run(const struct vs_config *cfg, const struct vs_run_options *opt);
