/* loop_common.c: what the load's loop (loop.c) and the watch's (watch_loop.c) share:
 * the event loop with its stop and reload signals, a reload's common part, timers
 * re-armed. */
#include <signal.h>
#include <string.h>
#include <systemd/sd-event.h>
#include "vmastress/log/log.h"
#include "vmastress/output/report.h"
#include "vmastress/service/loop.h"
#include "vmastress/service/notify.h"

int vs_loop_rearm(sd_event_source *s, uint64_t usec)
{
	uint64_t now;

	if (!usec)
		return sd_event_source_set_enabled(s, SD_EVENT_OFF);
	sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(s, now + usec);
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

int vs_loop_add_timer(sd_event *ev, uint64_t usec, sd_event_time_handler_t fn, void *userdata)
{
	if (usec == 0)
		return 0;
	return sd_event_add_time_relative(ev, NULL, CLOCK_MONOTONIC, usec, 10000, fn, userdata);
}

int vs_loop_add_config_timer(sd_event *ev, sd_event_source **s, uint64_t usec,
			     sd_event_time_handler_t fn, void *userdata)
{
	int r = sd_event_add_time_relative(ev, s, CLOCK_MONOTONIC, usec ? usec : 1, 10000, fn,
					   userdata);

	return r < 0 || usec ? r : sd_event_source_set_enabled(*s, SD_EVENT_OFF);
}

void vs_loop_retime(sd_event_source *s, uint64_t usec)
{
	int on;

	if (sd_event_source_get_enabled(s, &on) >= 0 && !on != !usec)
		vs_loop_rearm(s, usec);
}

static int on_stop_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)userdata;
	vs_log(LOG_INFO, "signal %u: stopping", si->ssi_signo);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

bool vs_loop_reload_config(const struct vs_config_source *src, const struct vs_config *running,
			   struct vs_config *next)
{
	struct vs_fields f = VS_FIELDS_NONE;
	char err[512], frozen[128];

	vs_notify_reloading();
	if (vs_config_reload(next, src, running, frozen, sizeof(frozen), err, sizeof(err)) < 0) {
		vs_log_msg(VS_MSG_RELOAD_FAILED, LOG_ERR, &f,
			   "reload refused: %s; the running configuration stays", err);
		return false;
	}
	if (frozen[0])
		vs_log(LOG_NOTICE, "reload: %s keep their values until the next start", frozen);
	if (strcmp(running->stats_textfile, next->stats_textfile) != 0)
		vs_textfile_remove(running->stats_textfile, "no longer written there");
	return true;
}

int vs_loop_signals(sd_event **ev, sd_event_signal_handler_t hup, void *userdata)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if ((r = -pthread_sigmask(SIG_BLOCK, &mask, NULL)) < 0 || (r = sd_event_default(ev)) < 0 ||
	    (r = sd_event_add_signal(*ev, NULL, SIGTERM, on_stop_signal, NULL)) < 0 ||
	    (r = sd_event_add_signal(*ev, NULL, SIGINT, on_stop_signal, NULL)) < 0 ||
	    (r = sd_event_add_signal(*ev, NULL, SIGHUP, hup, userdata)) < 0)
		return r;
	return 0;
}
