/* loop.h: the daemon's main loop (sd-event): signals, timers, shutdown, report. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/config/config.h"

struct vs_run_options {
	const struct vs_config_source *src; /* read again on reload */
	const char *report;		    /* NULL, "-" or a file */
	uint64_t max_ops;		    /* per worker; the run ends when all are done */
	const char *hold_file;		    /* test hook: see loop.c */
};

/* Run cfg until a signal, its duration, or max_ops; returns a sysexits code. */
int vs_loop_run(const struct vs_config *cfg, const struct vs_run_options *opt);
