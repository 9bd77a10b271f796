/* loop.c: the load's sd-event loop: signals, the stats socket, reload, shutdown;
 * what it runs on it is loop_outputs.c's and loop_checks.c's (loop_private.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include "loop_private.h"
#include "vmastress/log/log.h"
#include "vmastress/service/notify.h"
#include "vmastress/service/stats_server.h"

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
		vs_loop_checks_retime(l);
		vs_loop_outputs_retime(l);
		vs_log_msg(VS_MSG_RELOAD, LOG_NOTICE, &f,
			   "configuration reloaded: shape %s, %u workers", next.shape,
			   next.workers);
	}
	vs_loop_status_line(l, line, sizeof(line));
	vs_notify_ready(line);
	return 0;
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
	if ((r = vs_loop_checks_add(l)) < 0 || (r = vs_loop_outputs_add(l)) < 0 ||
	    (r = vs_loop_add_timer(l->ev, (uint64_t)c->duration * 1000000, on_duration, l)) < 0)
		return r;
	return vs_stats_server_new(&l->server, l->ev, c->stats_socket, vs_answer, &l->actx);
}

static void shutdown_engine(struct loop *l)
{
	struct vs_verify v;

	vs_engine_stop(l->eng);
	vs_loop_drain_events(l);
	/* The verdict against the limit as the run ends: raised during the run (by
	 * an administrator, or the watch's raise policy), it may be newer than the
	 * last periodic read. */
	vs_loop_refresh_limit(l);
	vs_loop_sample(l); /* where the run ended, before teardown */
	l->held = vs_loop_verdict(l);
	/* At rest: the model and the kernel must agree exactly. */
	if (vs_engine_verify(l->eng, &v) == 0)
		vs_log(v.drift ? LOG_WARNING : LOG_INFO,
		       "at rest: /proc/self/maps %ld VMAs, predicted %ld, drift %+ld", v.proc,
		       v.predicted, v.drift);
	/* Test hook: leaks as they are, then wait for SIGCONT while a test
	 * compares them with /proc/PID/maps. */
	if (l->opt->hold_file && vs_loop_write_report(l, l->opt->hold_file, false) == 0)
		raise(SIGSTOP);
	vs_engine_teardown(l->eng);
	vs_loop_drain_events(l);
	vs_loop_sample_teardown(l);
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
	l.actx.snapshot = vs_loop_snapshot;
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
	vs_loop_outputs_start(&l);
	vs_log_msg(VS_MSG_START, LOG_INFO, &f,
		   "started: shape %s, %u workers, seed %llu, separator_pages %u, "
		   "vm.max_map_count %ld",
		   cfg->shape, cfg->workers, (unsigned long long)vs_engine_config(l.eng)->seed,
		   cfg->mapping_separator_pages, vs_engine_limit(l.eng));
	vs_loop_status_line(&l, line, sizeof(line));
	vs_notify_ready(line);
	r = sd_event_loop(l.ev);
	if (r < 0)
		vs_log_errno(LOG_ERR, r, "event loop failed");
	vs_notify_stopping();
	if (r >= 0) /* a clean stop: the series end with the daemon */
		vs_textfile_remove(vs_engine_config(l.eng)->stats_textfile, "stopped");
	shutdown_engine(&l);
	vs_loop_summary(&l, VS_MSG_STOP, "stopped");
	if (opt->report && vs_loop_write_report(&l, opt->report, true) < 0)
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
