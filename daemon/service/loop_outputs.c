/* loop_outputs.c: what the load's run says (loop_private.h): the one place a
 * snapshot is assembled, the report's timeline, the status line, the summaries,
 * the textfile, the report and the verdict. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "loop_private.h"
#include "vmastress/log/log.h"
#include "vmastress/service/notify.h"
#include "vmastress/service/stats_server.h"

#define STATUS_TICK_USEC 1000000ULL /* systemctl status: once a second is live enough */

/* The run over time, for the report: static, one loop a process. */
static struct vs_timeline timeline;

static uint64_t summary_usec(const struct vs_config *c)
{
	return (uint64_t)c->log_summary_interval * 1000000ULL;
}

static uint64_t textfile_usec(const struct vs_config *c)
{
	return c->stats_textfile[0] ? (uint64_t)c->stats_textfile_interval * 1000000ULL : 0;
}

/* The one place a snapshot is assembled: the engine's figures and the loop's. */
void vs_loop_snapshot(void *userdata, struct vs_snapshot *s)
{
	struct loop *l = userdata;

	vs_engine_snapshot(l->eng, s);
	s->events_dropped = s->t.events_lost + l->lines.dropped;
	s->clients_rejected = vs_stats_server_rejected(l->server);
	s->clients_evicted = vs_stats_server_evicted(l->server);
	s->textfile_failures = l->textfile_out.failures;
	s->textfile_failing = l->textfile_out.failing;
	snprintf(s->textfile_error, sizeof(s->textfile_error), "%s", l->textfile_out.error);
}

/* A sample of the run for the report's timeline; the interval to the next. */
static uint64_t sample_phase(struct loop *l, enum vs_phase phase)
{
	struct vs_snapshot s;

	vs_loop_snapshot(l, &s);
	return vs_timeline_add(&timeline, &s, phase);
}

uint64_t vs_loop_sample(struct loop *l)
{
	return sample_phase(l, vs_engine_building(l->eng)		   ? VS_PHASE_BUILD
			       : vs_engine_config(l->eng)->pressure_demand ? VS_PHASE_HOLD
									   : VS_PHASE_CHURN);
}

void vs_loop_sample_teardown(struct loop *l)
{
	sample_phase(l, VS_PHASE_TEARDOWN);
}

void vs_loop_outputs_start(struct loop *l)
{
	vs_timeline_init(&timeline);
	vs_loop_sample(l); /* the start */
}

static int on_timeline(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)usec;
	return vs_loop_rearm(s, vs_loop_sample(userdata));
}

void vs_loop_status_line(struct loop *l, char *buf, size_t len)
{
	struct vs_snapshot s;
	const struct vs_totals *t = &s.t;

	vs_loop_snapshot(l, &s);
	snprintf(buf, len,
		 "%" PRIu64 " workers, %ld/%ld VMAs (%.1f%%), ENOMEM mmap %" PRIu64
		 " mprotect %" PRIu64 " munmap %" PRIu64 ", leaked %" PRIu64 " bytes",
		 s.workers, s.map_count, s.max_map_count,
		 100.0 * (double)s.map_count / (double)s.max_map_count, t->failures[VS_OP_MMAP][0],
		 t->failures[VS_OP_MPROTECT][0], t->failures[VS_OP_MUNMAP][0], t->leaked_bytes);
	if (s.textfile_failing) /* an output that keeps failing shows in systemctl status */
		snprintf(buf + strlen(buf), len - strlen(buf), "; textfile FAILING: %s",
			 s.textfile_error);
}

static int on_status(sd_event_source *s, uint64_t usec, void *userdata)
{
	char line[256];

	(void)usec;
	vs_loop_status_line(userdata, line, sizeof(line));
	vs_notify_status(line);
	return vs_loop_rearm(s, STATUS_TICK_USEC);
}

void vs_loop_summary(struct loop *l, enum vs_msg m, const char *what)
{
	struct vs_snapshot s;

	vs_loop_snapshot(l, &s);
	vs_lines_summary(m, what, &s);
}

static int on_summary(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	vs_loop_summary(l, VS_MSG_SUMMARY, "summary");
	return vs_loop_rearm(s, summary_usec(vs_engine_config(l->eng)));
}

static int on_textfile(sd_event_source *s, uint64_t usec, void *userdata)
{
	static char buf[VS_STATS_ANSWER_MAX];
	struct loop *l = userdata;
	const struct vs_config *cfg = vs_engine_config(l->eng);
	struct vs_snapshot snap;
	int n, r;

	(void)usec;
	vs_loop_snapshot(userdata, &snap);
	n = vs_render_prom(&snap, buf, sizeof(buf));
	r = n < 0 ? n : vs_textfile_write(cfg->stats_textfile, buf, (size_t)n);
	vs_lines_output(&l->textfile_out, r, cfg->stats_textfile);
	return vs_loop_rearm(s, textfile_usec(cfg));
}

int vs_loop_outputs_add(struct loop *l)
{
	const struct vs_config *c = vs_engine_config(l->eng);
	int r;

	if ((r = vs_loop_add_timer(l->ev, STATUS_TICK_USEC, on_status, l)) < 0 ||
	    (r = vs_loop_add_timer(l->ev, VS_TIMELINE_FIRST_USEC, on_timeline, l)) < 0 ||
	    (r = vs_loop_add_config_timer(l->ev, &l->summary, summary_usec(c), on_summary, l)) < 0 ||
	    (r = vs_loop_add_config_timer(l->ev, &l->textfile, textfile_usec(c) ? 1000 : 0,
					  on_textfile, l)) < 0)
		return r;
	return 0;
}

void vs_loop_outputs_retime(struct loop *l)
{
	const struct vs_config *c = vs_engine_config(l->eng);

	vs_loop_retime(l->summary, summary_usec(c));
	vs_loop_retime(l->textfile, textfile_usec(c) ? 1000 : 0);
}

int vs_loop_write_report(struct loop *l, const char *path, bool final)
{
	struct vs_leak_cursor leaks = {.engine = l->eng};
	struct vs_snapshot s;

	vs_loop_snapshot(l, &s);
	return vs_report_write(path, &s, vs_engine_config(l->eng), &timeline, final,
			       vs_engine_leak_next, &leaks);
}

/* The answer to the operator's question, once, as the run ends (before
 * teardown: what leaked is what the run left). Returns whether it held. */
bool vs_loop_verdict(struct loop *l)
{
	struct vs_snapshot s;

	vs_loop_snapshot(l, &s);
	return vs_lines_verdict(&s);
}

