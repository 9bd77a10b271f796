/* wiring.c: the raise policy as a concern of the watch (wiring.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "vmastress/log/log.h"
#include "vmastress/raise/render.h"
#include "vmastress/raise/wiring.h"
#include "vmastress/watch/catch/channel.h"
#include "vmastress/watch/limit/limit.h"
#include "vmastress/watch/peaks/advice.h"

#define VS_RAISER_NAME_WAIT_USEC 20000 /* the next mark of an unnamed container's */

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t read_memtotal(void)
{
	char buf[4096];
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return vs_raise_memtotal(buf);
}

/* The trigger wanted at the policy's threshold now, or not at all. */
static void arm(struct vs_raiser *r)
{
	vs_watch_channel_want(r->channel, r->sub, vs_raise_trigger_at(&r->policy));
}

static void say_state(const struct vs_raiser *r)
{
	const struct vs_raise *p = &r->policy;

	if (p->state != VS_RAISE_ARMED) {
		if (p->enabled)
			vs_log(p->state == VS_RAISE_OFF ? LOG_NOTICE : LOG_WARNING, "raise: %s: %s",
			       vs_raise_state_name(p->state), p->reason);
		return;
	}
	vs_log(LOG_NOTICE,
	       "raise: armed%s: at %ld VMAs (%g of vm.max_map_count %ld), a step of the "
	       "ladder at a time up to %ld, within %llu MiB of kernel memory for one process; "
	       "the trigger: %s",
	       p->dry_run ? " (dry-run: nothing written)" : "", vs_raise_trigger_at(p), p->at,
	       p->known, p->ceiling, (unsigned long long)(p->budget >> 20),
	       r->kernel ? "every hooked call (bpf)" : "the /proc scan, every watch.interval");
}

static void say(const struct vs_raiser *r, const struct vs_raise_record *rec)
{
	struct vs_fields f = VS_FIELDS_NONE;
	const struct vs_raise *p = &r->policy;
	double mib = (double)rec->to * p->bytes_per_vma / 1048576.0;

	f.pid = rec->pid;
	f.comm = rec->comm;
	f.unit = rec->unit;
	f.workload = rec->workload;
	f.workload_kind = vs_workload_kind_name(rec->kind);
	f.map_count = rec->map_count;
	f.max_map_count = rec->from;
	f.from = rec->from;
	f.to = rec->to;
	if (rec->result == VS_RAISE_REFUSED) {
		f.reason = vs_raise_why_name(rec->why);
		vs_log_msg(VS_MSG_RAISE_REFUSED, LOG_WARNING, &f, "raise refused: %s", p->refusal);
		return;
	}
	f.reason = vs_raise_reason_name(rec->reason);
	if (rec->reaction_ms >= 0)
		f.reaction_us = (long long)(rec->reaction_ms * 1000.0);
	vs_log_msg(VS_MSG_RAISE, LOG_NOTICE, &f,
		   "%s vm.max_map_count from %ld to %ld for %s: process %ld (%s) at %ld VMAs %s; "
		   "%.3f ms after the call; one process at %ld may pin %.0f MiB of kernel memory. "
		   "It lasts until reboot: to keep it, write the drop-in `vmastressctl advise` "
		   "prints (" VS_ADVICE_DROPIN ")",
		   rec->result == VS_RAISE_WOULD ? "dry-run: would raise" : "raised", rec->from,
		   rec->to, rec->workload, rec->pid, rec->comm, rec->map_count,
		   rec->reason == VS_RAISE_REFUSAL ? "had a call refused by the limit"
						   : "crossed raise.at of the limit",
		   rec->reaction_ms, rec->to, mib);
}

/* One trigger acted on, said, and the trigger armed again: at once after a raise,
 * after raise.min_interval (at least a second) after a step not taken. */
static void act(struct vs_raiser *r, const struct vs_raise_trigger *t, bool scan)
{
	struct vs_raise_record rec;
	enum vs_raise_result res = vs_raise_on_trigger(&r->policy, t, monotonic(), &rec);

	switch (res) {
	case VS_RAISE_RAISED:
		/* The catch has the new limit already: the owner published it. Armed
		 * before the journal: the next step may come soon. */
		arm(r);
		say(r, &rec);
		return;
	case VS_RAISE_REFUSED:
		if (rec.why == VS_RAISE_SCOPE) {
			/* Not this process's marks any more; the others' come on. */
			vs_watch_channel_skip(r->channel, rec.pid);
			say(r, &rec);
			arm(r);
			return;
		}
		say(r, &rec);
		break;
	case VS_RAISE_WOULD:
		say(r, &rec);
		break;
	case VS_RAISE_STOPPED_NOW:
	case VS_RAISE_DENIED:
		if (res == VS_RAISE_DENIED)
			say(r, &rec);
		vs_log(LOG_WARNING, "raise: %s", r->policy.reason);
		arm(r); /* disarmed: not armed any more */
		return;
	case VS_RAISE_OUT_OF_SCOPE:
		/* Another process outside raise.for, within min_interval of the last
		 * said: not said again, but its marks no longer come either. */
		vs_watch_channel_skip(r->channel, t->pid);
		arm(r);
		return;
	case VS_RAISE_UNNAMED:
		/* raise.for, and the process's container named in a moment (the names
		 * are read again at once): its next mark, soon, is judged by its name. */
		if (r->kernel && !scan) {
			vs_watch_channel_pause(r->channel, r->sub);
			sd_event_source_set_time_relative(r->rearm, VS_RAISER_NAME_WAIT_USEC);
			sd_event_source_set_enabled(r->rearm, SD_EVENT_ONESHOT);
		}
		return;
	case VS_RAISE_NOTHING:
		break;
	}
	/* The kernel's mark would come again with the next call: not wanted until
	 * raise.min_interval (at least a second) has passed. The scans' marks keep,
	 * and one of them leaves the kernel's as they are. */
	if (r->kernel && !scan && r->policy.state == VS_RAISE_ARMED) {
		unsigned s = r->policy.min_interval ? r->policy.min_interval : 1;
		vs_watch_channel_pause(r->channel, r->sub);
		sd_event_source_set_time_relative(r->rearm, (uint64_t)s * 1000000ULL);
		sd_event_source_set_enabled(r->rearm, SD_EVENT_ONESHOT);
	}
}

static void on_mark(const struct vs_watch_event *e, void *userdata)
{
	struct vs_raiser *r = userdata;
	struct vs_raise_trigger t = {.crossed = e->crossed,
				     .pid = e->pid,
				     .map_count = e->map_count,
				     .err = e->err,
				     .comm = e->comm,
				     .unit = e->unit,
				     .workload = e->workload};
	act(r, &t, e->scan);
}

static int on_rearm(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s, (void)usec;
	arm(userdata);
	return 0;
}

static int raiser_start(void *state, const struct vs_watch_house *h)
{
	struct vs_raiser *r = state;
	long limit = 0;
	int e;

	r->channel = h->channel;
	r->kernel = vs_watch_channel_fd(h->channel) >= 0;
	r->memtotal = read_memtotal();
	vs_watch_limit_read(h->limit, &limit);
	vs_raise_setup(&r->policy, h->cfg, limit, r->memtotal, true);
	r->policy.limit = h->limit;
	if ((r->sub = vs_watch_channel_subscribe(h->channel, on_mark, r)) < 0)
		return r->sub;
	if ((e = sd_event_add_time_relative(h->ev, &r->rearm, CLOCK_MONOTONIC, 1000000, 1000,
					    on_rearm, r)) < 0 ||
	    (e = sd_event_source_set_enabled(r->rearm, SD_EVENT_OFF)) < 0)
		return e;
	arm(r);
	say_state(r);
	return 0;
}

static void raiser_reload(void *state, const struct vs_config *cfg)
{
	struct vs_raiser *r = state;
	long limit = 0;
	enum vs_raise_state was = r->policy.state;
	bool enabled = r->policy.enabled;

	vs_watch_limit_read(r->policy.limit, &limit);
	vs_raise_setup(&r->policy, cfg, limit, r->memtotal, false);
	vs_watch_channel_skip(r->channel, -1); /* raise.for may have changed */
	arm(r);
	if (was != r->policy.state || enabled != r->policy.enabled ||
	    r->policy.state == VS_RAISE_ARMED)
		say_state(r);
}

/* A finished scan: the running limit compared with the policy's (an administrator's
 * write stops it). The scan's own mark comes through the channel. */
static void raiser_scanned(void *state, const struct vs_watch *w)
{
	struct vs_raiser *r = state;
	/* The value the owner last read or wrote: this scan's read, or a raise since. */
	long limit = vs_watch_limit_value(r->policy.limit);

	(void)w;
	if (limit > 0 && vs_raise_check_limit(&r->policy, limit)) {
		vs_log(LOG_WARNING, "raise: %s", r->policy.reason);
		arm(r);
	}
}

static void raiser_stop(void *state, long most)
{
	struct vs_raiser *r = state;
	char msg[200];
	int e = vs_raise_restore(&r->policy, most, msg, sizeof(msg));

	if (msg[0])
		vs_log(e < 0 ? LOG_WARNING : LOG_NOTICE, "raise: %s", msg);
	sd_event_source_disable_unref(r->rearm);
	r->rearm = NULL;
}

static void raiser_json(struct vs_textbuf *o, const void *state)
{
	const struct vs_raiser *r = state;

	vs_render_raise_json(o, &r->policy, r->kernel ? "bpf" : "scan");
}

static void raiser_advice_json(struct vs_textbuf *o, const void *state)
{
	vs_render_raise_advice_json(o, &((const struct vs_raiser *)state)->policy);
}

static void raiser_prom(struct vs_textbuf *o, const void *state)
{
	vs_render_raise_prom(o, &((const struct vs_raiser *)state)->policy);
}

void vs_raiser_concern(struct vs_raiser *r, struct vs_watch_concern *c)
{
	*c = (struct vs_watch_concern){.name = "raise",
				       .state = r,
				       .start = raiser_start,
				       .scanned = raiser_scanned,
				       .reload = raiser_reload,
				       .stop = raiser_stop,
				       .json = raiser_json,
				       .advice_json = raiser_advice_json,
				       .prom = raiser_prom};
}
