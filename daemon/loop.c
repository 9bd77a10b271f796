/* loop.c: sd-event wiring: signals, timers (verify, sysctl, summary, events), shutdown. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <unistd.h>
#include "vmastress/cli.h"
#include "vmastress/engine.h"
#include "vmastress/errnames.h"
#include "vmastress/log.h"
#include "vmastress/loop.h"
#include "vmastress/render_json.h"

#define EVENTS_TICK_USEC 100000ULL
#define JSON_MAX 8192

struct loop {
	sd_event *ev;
	struct vs_engine *eng;
	struct vs_config cfg;
	const struct vs_run_options *opt;
	uint64_t window_start;
	unsigned window_events;
	uint64_t dropped; /* events over log.events_per_second */
	int exit_code;
};

static uint64_t now_usec(struct loop *l)
{
	uint64_t t = 0;

	sd_event_now(l->ev, CLOCK_MONOTONIC, &t);
	return t;
}

static void log_event(const struct vs_event *ev, void *userdata)
{
	struct loop *l = userdata;
	uint64_t now = now_usec(l);

	if (now - l->window_start >= 1000000ULL) {
		l->window_start = now;
		l->window_events = 0;
	}
	if (l->window_events >= l->cfg.log.events_per_second) {
		l->dropped++;
		return;
	}
	l->window_events++;
	const char *op = vs_op_name(ev->op);
	switch (ev->kind) {
	case VS_EVENT_LEAK:
		vs_log(LOG_WARNING,
		       "worker %u: munmap(0x%" PRIxPTR ", %" PRIu64 ") failed: %s; region leaked "
		       "(map_count %ld/%ld, leaked_bytes %" PRIu64 ")",
		       ev->worker, ev->addr, ev->length, vs_errno_name(ev->err), ev->map_count,
		       ev->max_map_count, ev->leaked_bytes);
		break;
	case VS_EVENT_RECLAIMED:
		vs_log(LOG_INFO,
		       "worker %u: leaked region 0x%" PRIxPTR " (%" PRIu64 " bytes) reclaimed",
		       ev->worker, ev->addr, ev->length);
		break;
	default:
		vs_log(LOG_NOTICE,
		       "worker %u: %s(0x%" PRIxPTR ", %" PRIu64 ") failed: %s "
		       "(map_count %ld/%ld)",
		       ev->worker, op, ev->addr, ev->length, vs_errno_name(ev->err), ev->map_count,
		       ev->max_map_count);
	}
}

static int rearm(sd_event_source *s, uint64_t usec)
{
	uint64_t now;

	sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(s, now + usec);
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int on_events(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	vs_engine_drain_events(l->eng, log_event, l);
	if (l->opt->max_ops && vs_engine_all_finished(l->eng))
		return sd_event_exit(l->ev, 0);
	return rearm(s, EVENTS_TICK_USEC);
}

static int on_verify(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;
	struct vs_verify v;
	int r;

	(void)usec;
	r = vs_engine_verify(l->eng, &v);
	if (r == -ETIMEDOUT)
		vs_log(LOG_WARNING, "verification skipped: a worker did not pause within 2 s");
	else if (r < 0)
		vs_log_errno(LOG_WARNING, r, "cannot read /proc/self/maps");
	else if (v.drift)
		vs_log(LOG_WARNING,
		       "VMA count drift: /proc/self/maps has %ld, predicted %ld (%+ld)", v.proc,
		       v.predicted, v.drift);
	return rearm(s, (uint64_t)l->cfg.accounting.verify_interval_ms * 1000ULL);
}

static int on_sysctl(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;
	long old_limit, new_limit;
	int r;

	(void)usec;
	r = vs_engine_refresh_limit(l->eng, &old_limit, &new_limit);
	if (r < 0)
		vs_log_errno(LOG_WARNING, r, "cannot re-read vm.max_map_count");
	else if (r > 0)
		vs_log(LOG_NOTICE, "vm.max_map_count changed from %ld to %ld", old_limit,
		       new_limit);
	return rearm(s, (uint64_t)l->cfg.accounting.sysctl_interval_ms * 1000ULL);
}

static void summary(struct loop *l, const char *what)
{
	struct vs_snapshot s;
	const struct vs_totals *t = &s.t;

	vs_engine_snapshot(l->eng, &s);
	vs_log(LOG_INFO,
	       "%s: vmas %ld/%ld (predicted %ld, peak %ld), mappings %" PRIu64 ", ops mmap %" PRIu64
	       " mprotect %" PRIu64 " munmap %" PRIu64 ", ENOMEM mmap %" PRIu64 " mprotect %" PRIu64
	       " munmap %" PRIu64 ", leaked %" PRIu64 " mappings / %" PRIu64
	       " bytes, reclaimed %" PRIu64 " bytes, log lines dropped %" PRIu64,
	       what, s.map_count, s.max_map_count, s.map_count_predicted, s.map_count_peak,
	       t->mappings, t->ops[VS_OP_MMAP], t->ops[VS_OP_MPROTECT], t->ops[VS_OP_MUNMAP],
	       t->failures[VS_OP_MMAP][0], t->failures[VS_OP_MPROTECT][0],
	       t->failures[VS_OP_MUNMAP][0], t->leaked_mappings, t->leaked_bytes,
	       t->reclaimed_bytes, l->dropped + t->events_dropped);
}

static int on_summary(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	summary(l, "summary");
	return rearm(s, (uint64_t)l->cfg.log.summary_interval * 1000000ULL);
}

static int on_duration(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	return sd_event_exit(((struct loop *)userdata)->ev, 0);
}

static int on_stop_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	vs_log(LOG_INFO, "signal %u: stopping", si->ssi_signo);
	return sd_event_exit(((struct loop *)userdata)->ev, 0);
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct loop *l = userdata;
	struct vs_config next;
	char err[512];

	(void)s;
	(void)si;
	/* Validate now; applying a new config live comes with the lifecycle work. */
	if (vs_config_load(&next, l->opt->config_path, l->opt->config_required, NULL, err,
			   sizeof(err)) < 0)
		vs_log(LOG_ERR, "reload: %s; keeping the running configuration", err);
	else
		vs_log(LOG_NOTICE, "reload: configuration valid; live changes are not applied yet");
	return 0;
}

/* The final stats JSON plus the regions that stayed mapped. */
static int write_report(struct loop *l, const char *path, bool final)
{
	static char buf[JSON_MAX];
	struct vs_snapshot s;
	FILE *f;
	int n;

	vs_engine_snapshot(l->eng, &s);
	n = vs_render_json(&s, buf, sizeof(buf));
	if (n < 2)
		return -ENOBUFS;
	f = strcmp(path, "-") == 0 ? stdout : fopen(path, "we");
	if (!f)
		return vs_log_errno(LOG_ERR, errno, "cannot write report %s", path);
	fwrite(buf, 1, (size_t)n - 2, f); /* without the closing "}\n" */
	fprintf(f, ",\"final\":%s,\"leaked_regions\":", final ? "true" : "false");
	vs_engine_write_leaks(l->eng, f);
	fputs("}\n", f);
	if (f == stdout)
		return fflush(f) == 0 ? 0 : -errno;
	return fclose(f) == 0 ? 0 : vs_log_errno(LOG_ERR, errno, "cannot write report %s", path);
}

static int add_timer(struct loop *l, uint64_t usec, sd_event_time_handler_t fn)
{
	if (usec == 0)
		return 0;
	return sd_event_add_time_relative(l->ev, NULL, CLOCK_MONOTONIC, usec, 10000, fn, l);
}

static int setup(struct loop *l)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* Blocked before the workers start, so they inherit the mask. */
	if ((r = -pthread_sigmask(SIG_BLOCK, &mask, NULL)) < 0)
		return r;
	if ((r = sd_event_default(&l->ev)) < 0 ||
	    (r = sd_event_add_signal(l->ev, NULL, SIGTERM, on_stop_signal, l)) < 0 ||
	    (r = sd_event_add_signal(l->ev, NULL, SIGINT, on_stop_signal, l)) < 0 ||
	    (r = sd_event_add_signal(l->ev, NULL, SIGHUP, on_hup, l)) < 0 ||
	    (r = add_timer(l, EVENTS_TICK_USEC, on_events)) < 0 ||
	    (r = add_timer(l, (uint64_t)l->cfg.accounting.verify_interval_ms * 1000, on_verify)) <
		0 ||
	    (r = add_timer(l, (uint64_t)l->cfg.accounting.sysctl_interval_ms * 1000, on_sysctl)) <
		0 ||
	    (r = add_timer(l, (uint64_t)l->cfg.log.summary_interval * 1000000, on_summary)) < 0 ||
	    (r = add_timer(l, (uint64_t)l->cfg.duration * 1000000, on_duration)) < 0)
		return r;
	return 0;
}

static void shutdown_engine(struct loop *l)
{
	struct vs_verify v;

	vs_engine_stop(l->eng);
	vs_engine_drain_events(l->eng, log_event, l);
	/* At rest: the model and the kernel must agree exactly. */
	if (vs_engine_verify(l->eng, &v) == 0)
		vs_log(v.drift ? LOG_WARNING : LOG_INFO,
		       "at rest: /proc/self/maps %ld VMAs, predicted %ld, drift %+ld", v.proc,
		       v.predicted, v.drift);
	if (l->opt->hold_file) {
		/* Test hook: leaks as they are, then wait for SIGCONT while a test
		 * compares them with /proc/PID/maps. */
		if (write_report(l, l->opt->hold_file, false) == 0)
			raise(SIGSTOP);
	}
	vs_engine_teardown(l->eng);
	vs_engine_drain_events(l->eng, log_event, l);
	if (vs_engine_verify(l->eng, &v) == 0 && v.drift)
		vs_log(LOG_WARNING, "after teardown: drift %+ld", v.drift);
}

int vs_loop_run(const struct vs_config *cfg, const struct vs_run_options *opt)
{
	struct loop l = {.cfg = *cfg, .opt = opt};
	int r;

	r = vs_engine_new(&l.eng, cfg, opt->max_ops);
	if (r < 0)
		return VS_EX_SOFTWARE;
	r = setup(&l);
	if (r < 0) {
		vs_log_errno(LOG_ERR, r, "cannot set up the event loop");
		goto out;
	}
	r = vs_engine_start(l.eng);
	if (r < 0)
		goto out;
	vs_log(LOG_INFO, "started: profile %s, %u workers, seed %llu, separator_pages %u",
	       cfg->profile, cfg->workers, (unsigned long long)vs_engine_seed(l.eng),
	       cfg->mapping.separator_pages);
	r = sd_event_loop(l.ev);
	if (r < 0)
		vs_log_errno(LOG_ERR, r, "event loop failed");
	shutdown_engine(&l);
	summary(&l, "final");
	if (opt->report && write_report(&l, opt->report, true) < 0)
		r = -EIO;
out:
	vs_engine_free(l.eng);
	sd_event_unref(l.ev);
	return r < 0 ? VS_EX_SOFTWARE : VS_EX_OK;
}
