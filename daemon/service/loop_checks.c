/* loop_checks.c: the load's workers and limit checked (loop_private.h): their events
 * drained to the journal, the watchdog pinged only while every worker moves, the
 * model verified against /proc/self/maps, vm.max_map_count read again. */
#include <errno.h>
#include "loop_private.h"
#include "vmastress/log/log.h"
#include "vmastress/service/notify.h"

#define EVENTS_TICK_USEC 100000ULL /* a worker's ring holds VS_EVENT_RING events */

static void log_event(const struct vs_event *ev, void *userdata)
{
	struct loop *l = userdata;
	uint64_t now = 0;

	sd_event_now(l->ev, CLOCK_MONOTONIC, &now);
	vs_lines_event(&l->lines, ev, vs_engine_config(l->eng)->log_events_per_second, now);
}

void vs_loop_drain_events(struct loop *l)
{
	vs_engine_drain_events(l->eng, log_event, l);
}

/* Its interval is a config key: 0 = off. */
static uint64_t verify_usec(const struct vs_config *c)
{
	return (uint64_t)c->accounting_verify_interval_ms * 1000ULL;
}

static int on_events(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct loop *l = userdata;

	(void)usec;
	vs_loop_drain_events(l);
	if (l->opt->max_ops && vs_engine_all_finished(l->eng))
		return sd_event_exit(l->ev, 0);
	return vs_loop_rearm(s, EVENTS_TICK_USEC);
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
void vs_loop_refresh_limit(struct loop *l)
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
	vs_loop_refresh_limit(l);
	return vs_loop_rearm(s, (uint64_t)vs_engine_config(l->eng)->accounting_sysctl_interval_ms *
				    1000ULL);
}

int vs_loop_checks_add(struct loop *l)
{
	const struct vs_config *c = vs_engine_config(l->eng);
	int r;

	if ((r = vs_loop_add_timer(l->ev, EVENTS_TICK_USEC, on_events, l)) < 0 ||
	    (r = vs_loop_add_timer(l->ev, vs_notify_watchdog_usec() / 2, on_watchdog, l)) < 0 ||
	    (r = vs_loop_add_timer(l->ev, (uint64_t)c->accounting_sysctl_interval_ms * 1000,
				   on_sysctl, l)) < 0 ||
	    (r = vs_loop_add_config_timer(l->ev, &l->verify, verify_usec(c), on_verify, l)) < 0)
		return r;
	return 0;
}

void vs_loop_checks_retime(struct loop *l)
{
	vs_loop_retime(l->verify, verify_usec(vs_engine_config(l->eng)));
}
