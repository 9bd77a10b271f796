/* watch_raise.c: the raise policy on the watch's loop (watch_raise.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "vmastress/log/log.h"
#include "vmastress/service/loop.h"
#include "vmastress/service/watch_raise.h"
#include "vmastress/watch/advice.h"

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

/* The trigger armed at the policy's threshold now, or disarmed. */
static void arm(struct vs_watch_raiser *r)
{
	if (r->catch)
		vs_catch_raise_arm(r->catch, vs_raise_trigger_at(&r->policy));
}

static void say_state(const struct vs_watch_raiser *r)
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
	       r->catch ? "every hooked call (bpf)" : "the /proc scan, every watch.interval");
}

static void say(const struct vs_watch_raiser *r, const struct vs_raise_record *rec)
{
	struct vs_fields f = VS_FIELDS_NONE;
	const struct vs_raise *p = &r->policy;
	double mib = (double)rec->to * p->bytes_per_vma / 1048576.0;

	f.pid = rec->pid;
	f.comm = rec->comm;
	f.unit = rec->unit;
	f.map_count = rec->map_count;
	f.max_map_count = rec->from;
	f.from = rec->from;
	f.to = rec->to;
	if (rec->result == VS_RAISE_REFUSED) {
		f.reason = vs_raise_why_name(rec->why);
		vs_log_msg(VS_MSG_RAISE_REFUSED, LOG_WARNING, &f, "raise refused: %s",
			   p->refusal);
		return;
	}
	f.reason = vs_raise_reason_name(rec->reason);
	if (rec->reaction_ms >= 0)
		f.reaction_us = (long long)(rec->reaction_ms * 1000.0);
	vs_log_msg(VS_MSG_RAISE, LOG_NOTICE, &f,
		   "%s vm.max_map_count from %ld to %ld: process %ld (%s%s%s) at %ld VMAs %s; "
		   "%.3f ms after the call; one process at %ld may pin %.0f MiB of kernel memory. "
		   "It lasts until reboot: to keep it, write the drop-in `vmastressctl advise` "
		   "prints (" VS_ADVICE_DROPIN ")",
		   rec->result == VS_RAISE_WOULD ? "dry-run: would raise" : "raised", rec->from,
		   rec->to, rec->pid, rec->comm, rec->unit[0] ? ", " : "", rec->unit,
		   rec->map_count,
		   rec->reason == VS_RAISE_REFUSAL ? "had a call refused by the limit"
						   : "crossed raise.at of the limit",
		   rec->reaction_ms, rec->to, mib);
}

/* One trigger acted on, said, and the trigger armed again: at once after a raise,
 * after raise.min_interval (at least a second) after a step not taken. */
static void act(struct vs_watch_raiser *r, const struct vs_raise_trigger *t)
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
	case VS_RAISE_WOULD:
	case VS_RAISE_REFUSED:
		say(r, &rec);
		break;
	case VS_RAISE_STOPPED_NOW:
	case VS_RAISE_DENIED:
		if (res == VS_RAISE_DENIED)
			say(r, &rec);
		vs_log(LOG_WARNING, "raise: %s", r->policy.reason);
		arm(r); /* disarmed: not armed any more */
		return;
	case VS_RAISE_NOTHING:
		break;
	}
	if (r->catch && r->policy.state == VS_RAISE_ARMED) {
		unsigned s = r->policy.min_interval ? r->policy.min_interval : 1;
		vs_loop_rearm(r->rearm, (uint64_t)s * 1000000ULL);
	}
}

static void on_event(const struct vs_catch_event *e, void *userdata)
{
	struct vs_watch_raiser *r = userdata;
	char comm[17];

	memcpy(comm, e->comm, 16);
	comm[16] = 0;
	struct vs_raise_trigger t = {.crossed = (double)e->mono_ns / 1e9,
				     .pid = e->pid,
				     .map_count = e->map_count,
				     .err = e->err,
				     .comm = comm,
				     .unit = e->unit};
	act(r, &t);
}

static int on_ring(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct vs_watch_raiser *r = userdata;

	(void)s, (void)fd, (void)revents;
	vs_catch_raise_drain(r->catch, on_event, r);
	return 0;
}

static int on_rearm(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s, (void)usec;
	arm(userdata);
	return 0;
}

int vs_watch_raiser_start(struct vs_watch_raiser *r, sd_event *ev, struct vs_catch *catch,
			  struct vs_watch_limit *owner, const struct vs_config *cfg)
{
	long limit = 0;
	int e;

	r->catch = catch;
	r->memtotal = read_memtotal();
	vs_watch_limit_read(owner, &limit);
	vs_raise_setup(&r->policy, cfg, limit, r->memtotal, true);
	r->policy.limit = owner;
	if (catch) {
		/* Above the clients: the climber leaves a few ms between raise.at and the limit. */
		if ((e = sd_event_add_io(ev, &r->ring, vs_catch_raise_fd(catch), EPOLLIN, on_ring,
					 r)) < 0 ||
		    (e = sd_event_source_set_priority(r->ring, SD_EVENT_PRIORITY_IMPORTANT)) < 0 ||
		    (e = sd_event_add_time_relative(ev, &r->rearm, CLOCK_MONOTONIC, 1000000, 1000,
						    on_rearm, r)) < 0 ||
		    (e = sd_event_source_set_enabled(r->rearm, SD_EVENT_OFF)) < 0)
			return e;
	}
	arm(r);
	say_state(r);
	return 0;
}

void vs_watch_raiser_reload(struct vs_watch_raiser *r, const struct vs_config *cfg)
{
	long limit = 0;
	enum vs_raise_state was = r->policy.state;
	bool enabled = r->policy.enabled;

	vs_watch_limit_read(r->policy.limit, &limit);
	vs_raise_setup(&r->policy, cfg, limit, r->memtotal, false);
	arm(r);
	if (was != r->policy.state || enabled != r->policy.enabled ||
	    r->policy.state == VS_RAISE_ARMED)
		say_state(r);
}

void vs_watch_raiser_scanned(struct vs_watch_raiser *r, const struct vs_watch *w)
{
	/* The value the owner last read or wrote: this scan's read, or a raise since. */
	long limit = vs_watch_limit_value(r->policy.limit);

	if (limit > 0 && vs_raise_check_limit(&r->policy, limit)) {
		vs_log(LOG_WARNING, "raise: %s", r->policy.reason);
		arm(r);
		return;
	}
	long at = vs_raise_trigger_at(&r->policy);
	if (!at || !w->ntop || w->top[0].vmas < at)
		return;
	/* The scan's moment: when it ended (its realtime stamp, in monotonic time). */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double ago = (double)now.tv_sec + (double)now.tv_nsec / 1e9 - w->scanned_at;
	struct vs_raise_trigger t = {.crossed = monotonic() - (ago > 0 ? ago : 0),
				     .pid = w->top[0].pid,
				     .map_count = w->top[0].vmas,
				     .comm = w->top[0].comm,
				     .unit = w->top[0].unit};
	act(r, &t);
}

void vs_watch_raiser_stop(struct vs_watch_raiser *r, long most)
{
	char msg[200];
	int e = vs_raise_restore(&r->policy, most, msg, sizeof(msg));

	if (msg[0])
		vs_log(e < 0 ? LOG_WARNING : LOG_NOTICE, "raise: %s", msg);
	sd_event_source_disable_unref(r->ring);
	sd_event_source_disable_unref(r->rearm);
	r->ring = r->rearm = NULL;
}
