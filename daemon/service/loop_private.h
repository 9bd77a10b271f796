/* loop_private.h: the load's loop (loop.c), shared by what it runs: its outputs
 * (loop_outputs.c) and its checks of the workers and the limit (loop_checks.c).
 * Private to service/. */
#pragma once
#include <stdbool.h>
#include <systemd/sd-event.h>
#include "vmastress/output/report.h"
#include "vmastress/output/timeline.h"
#include "vmastress/service/answer.h"
#include "vmastress/service/lines.h"
#include "vmastress/service/loop.h"
#include "vmastress/work/engine.h"

struct loop {
	sd_event *ev;
	struct vs_engine *eng; /* holds the running configuration */
	const struct vs_run_options *opt;
	struct vs_stats_server *server;
	struct vs_answer_ctx actx;
	struct vs_event_lines lines; /* the rate and first-of-kind state of event lines */
	bool held;		     /* the verdict, for the exit status */
	struct vs_output_state textfile_out;
	sd_event_source *verify, *summary, *textfile; /* turned on and off by reloads */
};


/* loop_outputs.c: what the run says. The one place a snapshot is assembled; the
 * timeline (its samples); the status line; summaries; the textfile; the report; the
 * verdict. */
void vs_loop_snapshot(void *loop, struct vs_snapshot *s);
int vs_loop_outputs_add(struct loop *l);
void vs_loop_outputs_retime(struct loop *l);
void vs_loop_outputs_start(struct loop *l); /* the timeline's first sample */
uint64_t vs_loop_sample(struct loop *l);
void vs_loop_sample_teardown(struct loop *l);
void vs_loop_status_line(struct loop *l, char *buf, size_t len);
void vs_loop_summary(struct loop *l, enum vs_msg m, const char *what);
int vs_loop_write_report(struct loop *l, const char *path, bool final);
bool vs_loop_verdict(struct loop *l); /* said once; whether it held */

/* loop_checks.c: the workers and the limit checked. Their events drained to the
 * journal, the watchdog pinged while every worker moves, the model verified against
 * /proc/self/maps, vm.max_map_count read again. */
int vs_loop_checks_add(struct loop *l);
void vs_loop_checks_retime(struct loop *l);
void vs_loop_drain_events(struct loop *l);
void vs_loop_refresh_limit(struct loop *l);
