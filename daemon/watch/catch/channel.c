/* channel.c: the watch's event channel (channel.h): levels wanted, the catch's mark
 * armed at the lowest, marks handed to whoever they reached. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "vmastress/watch/catch/catch.h"
#include "vmastress/watch/catch/caught.h"
#include "vmastress/watch/catch/channel.h"
#include "vmastress/watch/watch.h"

void vs_watch_channel_init(struct vs_watch_channel *ch, struct vs_catch *catch,
			   struct vs_names *names)
{
	memset(ch, 0, sizeof(*ch));
	ch->catch = catch;
	ch->names = names;
}

int vs_watch_channel_subscribe(struct vs_watch_channel *ch, vs_watch_event_fn fn, void *userdata)
{
	if (ch->n == VS_WATCH_SUBSCRIBERS_MAX)
		return -ENOSPC;
	ch->sub[ch->n].fn = fn;
	ch->sub[ch->n].userdata = userdata;
	ch->sub[ch->n].level = 0;
	ch->sub[ch->n].paused = false;
	return (int)ch->n++;
}

long vs_watch_channel_level(const struct vs_watch_channel *ch)
{
	long lowest = 0;

	for (unsigned i = 0; i < ch->n; i++)
		if (ch->sub[i].level > 0 && !ch->sub[i].paused &&
		    (!lowest || ch->sub[i].level < lowest))
			lowest = ch->sub[i].level;
	return lowest;
}

bool vs_watch_channel_holds(const struct vs_watch_channel *ch)
{
	for (unsigned i = 0; i < ch->n; i++)
		if (ch->sub[i].level > 0)
			return true;
	return false;
}

static void arm(struct vs_watch_channel *ch)
{
	if (ch->catch)
		vs_catch_mark_arm(ch->catch, vs_watch_channel_level(ch));
}

void vs_watch_channel_skip(struct vs_watch_channel *ch, long pid)
{
	if (ch->catch)
		vs_catch_mark_skip(ch->catch, pid);
}

void vs_watch_channel_pause(struct vs_watch_channel *ch, int id)
{
	if (id < 0 || (unsigned)id >= ch->n)
		return;
	ch->sub[id].paused = true;
	arm(ch);
}

void vs_watch_channel_want(struct vs_watch_channel *ch, int id, long level)
{
	if (id < 0 || (unsigned)id >= ch->n)
		return;
	ch->sub[id].level = level > 0 ? level : 0;
	ch->sub[id].paused = false;
	arm(ch);
}

unsigned vs_watch_channel_publish(struct vs_watch_channel *ch, const struct vs_watch_event *e)
{
	unsigned handed = 0;

	/* Each subscriber's level as it was when the mark came: one that acts may
	 * change its own, never whether another is handed this mark. */
	long level[VS_WATCH_SUBSCRIBERS_MAX];
	for (unsigned i = 0; i < ch->n; i++)
		level[i] = ch->sub[i].paused && !e->scan ? 0 : ch->sub[i].level;
	for (unsigned i = 0; i < ch->n; i++)
		if (level[i] > 0 && e->map_count >= level[i]) {
			ch->sub[i].fn(e, ch->sub[i].userdata);
			handed++;
		}
	return handed;
}

static void on_mark(const struct vs_catch_event *m, void *userdata)
{
	struct vs_watch_channel *ch = userdata;
	char comm[sizeof(m->comm) + 1], unit[VS_WATCH_UNIT_MAX];
	struct vs_workload workload;

	memcpy(comm, m->comm, sizeof(m->comm));
	comm[sizeof(m->comm)] = 0;
	vs_watch_caught_unit(m, unit, sizeof(unit));
	vs_workload_of(ch->names, unit, &workload);
	if (!workload.named && ch->unnamed)
		ch->unnamed(ch->unnamed_userdata);
	struct vs_watch_event e = {.crossed = (double)m->mono_ns / 1e9,
				   .pid = m->pid,
				   .tid = m->tid,
				   .map_count = m->map_count,
				   .limit = m->limit,
				   .err = m->err,
				   .call = m->call,
				   .comm = comm,
				   .unit = unit,
				   .workload = &workload};
	vs_watch_channel_publish(ch, &e);
}

int vs_watch_channel_fd(const struct vs_watch_channel *ch)
{
	return ch->catch ? vs_catch_mark_fd(ch->catch) : -1;
}

int vs_watch_channel_drain(struct vs_watch_channel *ch)
{
	return ch->catch ? vs_catch_mark_drain(ch->catch, on_mark, ch) : 0;
}

void vs_watch_channel_scanned(struct vs_watch_channel *ch, const struct vs_watch *w)
{
	long level = 0;

	for (unsigned i = 0; i < ch->n; i++) /* paused or not: the scans' marks are handed */
		if (ch->sub[i].level > 0 && (!level || ch->sub[i].level < level))
			level = ch->sub[i].level;
	if (!level)
		return;
	/* The scan's moment: when it ended (its realtime stamp, in monotonic time). */
	struct timespec mono, real;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	double ago = (double)real.tv_sec + (double)real.tv_nsec / 1e9 - w->scanned_at;
	double crossed = (double)mono.tv_sec + (double)mono.tv_nsec / 1e9 - (ago > 0 ? ago : 0);
	for (unsigned i = 0; i < w->ntop; i++) {
		const struct vs_watch_proc *p = &w->top[i];
		if (p->vmas < level)
			continue;
		struct vs_watch_event e = {.crossed = crossed,
					   .pid = p->pid,
					   .tid = p->pid,
					   .map_count = p->vmas,
					   .limit = w->limit,
					   .call = VS_CATCH_CALL_COUNT,
					   .scan = true,
					   .comm = p->comm,
					   .unit = p->unit,
					   .workload = &p->workload};
		vs_watch_channel_publish(ch, &e);
	}
}
