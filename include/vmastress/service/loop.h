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
/* A timer on ev (usec 0: none), and one a reload can turn on or off: kept in *s, off
 * while its interval is 0. 0 or -errno. */
int vs_loop_add_timer(sd_event *ev, uint64_t usec, sd_event_time_handler_t fn, void *userdata);
int vs_loop_add_config_timer(sd_event *ev, sd_event_source **s, uint64_t usec,
			     sd_event_time_handler_t fn, void *userdata);
/* After a reload: a timer turned on starts now, one turned off stops; a changed
 * interval applies from its next run. */
void vs_loop_retime(sd_event_source *s, uint64_t usec);
/* The default event loop with SIGTERM and SIGINT to stop it (logged), SIGHUP to
 * reload (hup), blocked (before any thread starts, so threads inherit the mask).
 * Both loops, the load's and the watch's. */
int vs_loop_signals(sd_event **ev, sd_event_signal_handler_t hup, void *userdata);
/* A reload's common part, both loops: READY=0/RELOADING to systemd, the source
 * read again into next (a refusal logged with its FILE:LINE, the running
 * configuration kept), keys a reload cannot change named, a textfile no longer
 * written removed. True when next is to be applied. */
bool vs_loop_reload_config(const struct vs_config_source *src, const struct vs_config *running,
			   struct vs_config *next);

/* Run cfg until a signal, its duration, or max_ops; returns a sysexits code. */
int vs_loop_run(const struct vs_config *cfg, const struct vs_run_options *opt);
