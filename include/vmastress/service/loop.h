/* loop.h: the daemon's main loop (sd-event): signals, timers, shutdown, report. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>
#include "vmastress/config/config.h"

struct vs_run_options {
	const struct vs_config_source *src; /* read again on reload */
	const char *report;		    /* NULL, "-" or a file */
	uint64_t max_ops;		    /* per worker; the run ends when all are done */
	const char *hold_file;		    /* test hook: see loop.c */
};

/* Fire a timer again in usec; 0 turns it off (a reload may turn it on again). */
int vs_loop_rearm(sd_event_source *s, uint64_t usec);
/* The default event loop with SIGTERM and SIGINT to stop, SIGHUP to reload,
 * blocked (before any thread starts, so threads inherit the mask). */
int vs_loop_signals(sd_event **ev, sd_event_signal_handler_t stop, sd_event_signal_handler_t hup,
		    void *userdata);

/* Run cfg until a signal, its duration, or max_ops; returns a sysexits code. */
int vs_loop_run(const struct vs_config *cfg, const struct vs_run_options *opt);
