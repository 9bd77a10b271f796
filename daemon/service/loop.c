/* loop.c: sd-event wiring: signals, timers, the stats socket, watchdog, reload, shutdown. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include "vmastress/log/errnames.h"
#include "vmastress/log/log.h"
#include "vmastress/output/report.h"
#include "vmastress/output/timeline.h"
#include "vmastress/service/answer.h"
#include "vmastress/service/lines.h"
#include "vmastress/service/loop.h"
#include "vmastress/service/notify.h"
#include "vmastress/service/stats_server.h"
#include "vmastress/work/engine.h"

#define EVENTS_TICK_USEC 100000ULL  /* a worker's ring holds VS_EVENT_RING events */
#define STATUS_TICK_USEC 1000000ULL /* systemctl status: once a second is live enough */

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

/* The run over time, for the report: static, one loop a process. */
static struct vs_timeline timeline;

static void log_event(const struct vs_event *ev, void *userdata)
{
	struct loop *l = userdata;
	uint64_t now = 0;

	sd_event_now(l->ev, CLOCK_MONOTONIC, &now);
	vs_lines_event(&l->lines, ev, vs_engine_config(l->eng)->log_events_per_second, now);
}

/* Timers whose interval is a config key: 0 = off. */
static uint64_t verify_usec(const struct vs_config *c)
{
	return (uint64_t)c->accounting_verify_interval_ms * 1000ULL;
}

static uint64_t summary_usec(const struct vs_config *c)
{
	return (uint64_t)c->log_summary_interval * 1000000ULL;
}

static uint64_t textfile_usec(const struct vs_config *c)
{
	return c->stats_textfile[0] ? (uint64_t)c->stats_textfile_interval * 1000000ULL : 0;
}

static int on_events(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	vs_engine_drain_events(l->eng, log_event, l);
	if (l->opt->max_ops && vs_engine_all_finished(l->eng))
		return sd_event_exit(l->ev, 0);
	return vs_loop_rearm(s, EVENTS_TICK_USEC);
}

/* The one place a snapshot is assembled: the engine's figures and the loop's. */
static void take_snapshot(void *userdata, struct vs_snapshot *s)
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

	take_snapshot(l, &s);
	return vs_timeline_add(&timeline, &s, phase);
}

static uint64_t sample(struct loop *l)
{
	return sample_phase(l, vs_engine_building(l->eng)		   ? VS_PHASE_BUILD
			       : vs_engine_config(l->eng)->pressure_demand ? VS_PHASE_HOLD
									   : VS_PHASE_CHURN);
}

static int on_timeline(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)usec;
	return vs_loop_rearm(s, sample(userdata));
}

static void status_line(struct loop *l, char *buf, size_t len)
{
	struct vs_snapshot s;
	const struct vs_totals *t = &s.t;

	take_snapshot(l, &s);
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
	status_line(userdata, line, sizeof(line));
	vs_notify_status(line);
	return vs_loop_rearm(s, STATUS_TICK_USEC);
}

static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	/* Only a daemon whose every worker moves is alive: a hung worker stops the pings. */
	if (vs_engine_progressing(l->eng))
		vs_notify_watchdog();
	else
		vs_log(LOG_WARNING, "watchdog: a worker made no progress; not pinging");
	return vs_loop_rearm(s, vs_notify_watchdog_usec() / 2);
}

static int on_verify(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;
	struct vs_verify v;
	int r;

	(void)usec;
	r = vs_engine_verify(l->eng, &v);
	if (r == -ETIMEDOUT)
		vs_log(LOG_WARNING, "verification skipped: a worker did not pause within %d s",
		       VS_PARK_TIMEOUT_S);
	else if (r < 0)
		vs_log_errno(LOG_WARNING, r, "cannot read /proc/self/maps");
	else if (v.drift) {
		struct vs_fields f = VS_FIELDS_NONE;
		f.map_count = v.proc;
		vs_log_msg(VS_MSG_DRIFT, LOG_WARNING, &f,
			   "VMA count drift: /proc/self/maps has %ld, predicted %ld (%+ld)", v.proc,
			   v.predicted, v.drift);
	}
	return vs_loop_rearm(s, verify_usec(vs_engine_config(l->eng)));
}

/* vm.max_map_count read again: a change is logged, and the cap follows it. */
static void refresh_limit(struct loop *l)
{
	long old_limit, new_limit;
	int r = vs_engine_refresh_limit(l->eng, &old_limit, &new_limit);

	if (r < 0)
		vs_log_errno(LOG_WARNING, r, "cannot re-read vm.max_map_count");
	else if (r > 0) {
		struct vs_fields f = VS_FIELDS_NONE;
		f.max_map_count = new_limit;
		vs_log_msg(VS_MSG_SYSCTL, LOG_NOTICE, &f,
			   "vm.max_map_count changed from %ld to %ld", old_limit, new_limit);
		l->lines.limit_reported = false;
	}
}

static int on_sysctl(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	refresh_limit(l);
	return vs_loop_rearm(s, (uint64_t)vs_engine_config(l->eng)->accounting_sysctl_interval_ms *
				    1000ULL);
}

static void summary(struct loop *l, enum vs_msg m, const char *what)
{
	struct vs_snapshot s;

	take_snapshot(l, &s);
	vs_lines_summary(m, what, &s);
}

static int on_summary(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	summary(l, VS_MSG_SUMMARY, "summary");
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
	take_snapshot(userdata, &snap);
	n = vs_render_prom(&snap, buf, sizeof(buf));
	r = n < 0 ? n : vs_textfile_write(cfg->stats_textfile, buf, (size_t)n);
	vs_lines_output(&l->textfile_out, r, cfg->stats_textfile);
	return vs_loop_rearm(s, textfile_usec(cfg));
}

static int on_duration(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	return sd_event_exit(((struct loop *)userdata)->ev, 0);
}

/* Test-only fault hook (VMASTRESS_TEST_HOOKS=1): SIGUSR2 hangs worker 0. */
static int on_hang(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	(void)si;
	vs_log(LOG_WARNING, "test hook: worker 0 stops making progress");
	vs_engine_hang_worker(((struct loop *)userdata)->eng, 0);
	return 0;
}

/* After a reload: a timer turned on starts now, one turned off stops; a
 * changed interval applies from its next run. */
static void retime(struct loop *l)
{
	const struct vs_config *c = vs_engine_config(l->eng);
	struct {
		sd_event_source *s;
		uint64_t usec;
	} t[] = {{l->verify, verify_usec(c)},
		 {l->summary, summary_usec(c)},
		 {l->textfile, textfile_usec(c) ? 1000 : 0}};
	int on;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (sd_event_source_get_enabled(t[i].s, &on) >= 0 && !on != !t[i].usec)
			vs_loop_rearm(t[i].s, t[i].usec);
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct loop *l = userdata;
	struct vs_fields f = VS_FIELDS_NONE;
	struct vs_config next;
	char line[256];

	(void)s;
	(void)si;
	if (vs_loop_reload_config(l->opt->src, vs_engine_config(l->eng), &next)) {
		int r = vs_engine_reconfigure(l->eng, &next);
		if (r < 0)
			vs_log_errno(LOG_ERR, r, "reload: could not apply everything");
		retime(l);
		vs_log_msg(VS_MSG_RELOAD, LOG_NOTICE, &f,
			   "configuration reloaded: shape %s, %u workers", next.shape,
			   next.workers);
	}
	status_line(l, line, sizeof(line));
	vs_notify_ready(line);
	return 0;
}

static int add_timer(struct loop *l, uint64_t usec, sd_event_time_handler_t fn)
{
	if (usec == 0)
		return 0;
	return sd_event_add_time_relative(l->ev, NULL, CLOCK_MONOTONIC, usec, 10000, fn, l);
}

/* A timer a reload can turn on or off: kept, and off while its interval is 0. */
static int add_config_timer(struct loop *l, sd_event_source **s, uint64_t usec,
			    sd_event_time_handler_t fn)
{
	int r =
	    sd_event_add_time_relative(l->ev, s, CLOCK_MONOTONIC, usec ? usec : 1, 10000, fn, l);

	return r < 0 || usec ? r : sd_event_source_set_enabled(*s, SD_EVENT_OFF);
}

static int setup(struct loop *l)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	/* Blocked before the workers start, so they inherit the mask. */
	if ((r = -pthread_sigmask(SIG_BLOCK, &mask, NULL)) < 0 ||
	    (r = vs_loop_signals(&l->ev, on_hup, l)) < 0)
		return r;
	if (getenv("VMASTRESS_TEST_HOOKS") &&
	    (r = sd_event_add_signal(l->ev, NULL, SIGUSR2, on_hang, l)) < 0)
		return r;
	const struct vs_config *c = vs_engine_config(l->eng);
	if ((r = add_timer(l, EVENTS_TICK_USEC, on_events)) < 0 ||
	    (r = add_timer(l, STATUS_TICK_USEC, on_status)) < 0 ||
	    (r = add_timer(l, VS_TIMELINE_FIRST_USEC, on_timeline)) < 0 ||
	    (r = add_timer(l, vs_notify_watchdog_usec() / 2, on_watchdog)) < 0 ||
	    (r = add_timer(l, (uint64_t)c->accounting_sysctl_interval_ms * 1000, on_sysctl)) < 0 ||
	    (r = add_timer(l, (uint64_t)c->duration * 1000000, on_duration)) < 0 ||
	    (r = add_config_timer(l, &l->verify, verify_usec(c), on_verify)) < 0 ||
	    (r = add_config_timer(l, &l->summary, summary_usec(c), on_summary)) < 0 ||
	    (r = add_config_timer(l, &l->textfile, textfile_usec(c) ? 1000 : 0, on_textfile)) < 0)
		return r;
	return vs_stats_server_new(&l->server, l->ev, c->stats_socket, vs_answer, &l->actx);
}

static int write_report(struct loop *l, const char *path, bool final)
{
	struct vs_leak_cursor leaks = {.engine = l->eng};
	struct vs_snapshot s;

	take_snapshot(l, &s);
	return vs_report_write(path, &s, vs_engine_config(l->eng), &timeline, final,
			       vs_engine_leak_next, &leaks);
}

/* The answer to the operator's question, once, as the run ends (before
 * teardown: what leaked is what the run left). Returns whether it held. */
static bool log_verdict(struct loop *l)
{
	struct vs_snapshot s;

	take_snapshot(l, &s);
	return vs_lines_verdict(&s);
}

static void shutdown_engine(struct loop *l)
{
	struct vs_verify v;

	vs_engine_stop(l->eng);
	vs_engine_drain_events(l->eng, log_event, l);
	/* The verdict against the limit as the run ends: raised during the run (by
	 * an administrator, or the watch's raise policy), it may be newer than the
	 * last periodic read. */
	refresh_limit(l);
	sample(l); /* where the run ended, before teardown */
	l->held = log_verdict(l);
	/* At rest: the model and the kernel must agree exactly. */
	if (vs_engine_verify(l->eng, &v) == 0)
		vs_log(v.drift ? LOG_WARNING : LOG_INFO,
		       "at rest: /proc/self/maps %ld VMAs, predicted %ld, drift %+ld", v.proc,
		       v.predicted, v.drift);
	/* Test hook: leaks as they are, then wait for SIGCONT while a test
	 * compares them with /proc/PID/maps. */
	if (l->opt->hold_file && write_report(l, l->opt->hold_file, false) == 0)
		raise(SIGSTOP);
	vs_engine_teardown(l->eng);
	vs_engine_drain_events(l->eng, log_event, l);
	sample_phase(l, VS_PHASE_TEARDOWN);
	if (vs_engine_verify(l->eng, &v) == 0 && v.drift)
		vs_log(LOG_WARNING, "after teardown: drift %+ld", v.drift);
}

int vs_loop_run(const struct vs_config *cfg, const struct vs_run_options *opt)
{
	int exit_code = 0;
	struct loop l = {.opt = opt};
	struct vs_fields f = VS_FIELDS_NONE;
	char line[256];
	int r;

	/* A one-off load test next to the service: its entries are told apart. */
	vs_log_init(opt->src->one_off ? "vmastressd-run" : NULL);
	r = vs_engine_new(&l.eng, cfg, opt->max_ops);
	if (r < 0)
		return VS_EX_SOFTWARE;
	l.actx.snapshot = take_snapshot;
	l.actx.userdata = &l;
	r = setup(&l);
	if (r == -EACCES || r == -EPERM) {
		/* Not an internal error: the way out is the user's to take. */
		vs_log(LOG_ERR,
		       "not allowed to create the stats socket %s: run as root (or as "
		       "the service's user), or give another place with --socket PATH, "
		       "or --socket none",
		       vs_engine_config(l.eng)->stats_socket);
		exit_code = VS_EX_NOPERM;
		goto out;
	}
	if (r == -EADDRINUSE) { /* said, with the way out, where it was found */
		exit_code = VS_EX_UNAVAILABLE;
		goto out;
	}
	if (r < 0) {
		vs_log_errno(LOG_ERR, r, "cannot set up the event loop");
		goto out;
	}
	r = vs_engine_start(l.eng);
	if (r < 0)
		goto out;
	vs_timeline_init(&timeline);
	sample(&l); /* the start */
	vs_log_msg(VS_MSG_START, LOG_INFO, &f,
		   "started: shape %s, %u workers, seed %llu, separator_pages %u, "
		   "vm.max_map_count %ld",
		   cfg->shape, cfg->workers, (unsigned long long)vs_engine_config(l.eng)->seed,
		   cfg->mapping_separator_pages, vs_engine_limit(l.eng));
	status_line(&l, line, sizeof(line));
	vs_notify_ready(line);
	r = sd_event_loop(l.ev);
	if (r < 0)
		vs_log_errno(LOG_ERR, r, "event loop failed");
	vs_notify_stopping();
	if (r >= 0) /* a clean stop: the series end with the daemon */
		vs_textfile_remove(vs_engine_config(l.eng)->stats_textfile, "stopped");
	shutdown_engine(&l);
	summary(&l, VS_MSG_STOP, "stopped");
	if (opt->report && write_report(&l, opt->report, true) < 0)
		r = -EIO;
out:
	sd_event_source_disable_unref(l.verify);
	sd_event_source_disable_unref(l.summary);
	sd_event_source_disable_unref(l.textfile);
	vs_stats_server_free(l.server);
	vs_engine_free(l.eng);
	sd_event_unref(l.ev);
	if (!exit_code && r >= 0 && !l.held && (cfg->duration || opt->max_ops))
		exit_code = VS_EX_NOT_HELD;
	return exit_code ? exit_code : r < 0 ? VS_EX_SOFTWARE : VS_EX_OK;
}
