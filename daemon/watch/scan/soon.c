/* soon.c: the forecast's passes over the scan's and the ticks' counts, and what they
 * give the scan's figures: each top row's time to the limit, the soonest list, and a
 * journal entry when a process's time first falls within watch.warn_within. On the
 * scanner's thread: nothing here runs on the loop that answers clients. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "vmastress/log/log.h"
#include "vmastress/watch/scan/scan.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void vs_scan_foresee_begin(struct vs_scan *s, long limit)
{
	vs_forecast_begin(&s->forecast, limit, s->ceiling, s->warn_within,
			  clock_s(CLOCK_MONOTONIC));
}

static void warn(struct vs_scan *s, const struct vs_forecast_proc *p)
{
	struct vs_watch_proc d;
	struct vs_workload wl;
	struct vs_fields f = VS_FIELDS_NONE;

	vs_watch_describe(p->pid, &d);
	if (d.load)
		return; /* a vmastress load: near the limit on purpose */
	vs_workload_of(s->names, d.unit, &wl);
	f.pid = p->pid;
	f.comm = d.comm;
	f.unit = d.unit;
	f.workload = wl.name;
	f.workload_kind = vs_workload_kind_name(wl.kind);
	f.map_count = p->vmas;
	f.max_map_count = s->forecast.limit;
	f.seconds_to_limit = p->to_limit;
	f.rate_per_s = p->rate;
	vs_log_msg(VS_MSG_WATCH_SOON, LOG_WARNING, &f,
		   "process %ld (%s) at %ld VMAs climbs %.0f a second: vm.max_map_count %ld "
		   "reached in %.0f s at that pace (workload %s)",
		   p->pid, d.comm, p->vmas, p->rate, s->forecast.limit, p->to_limit, wl.name);
}

void vs_scan_foresee_end(struct vs_scan *s, bool partial)
{
	struct vs_watch *w = &s->w;
	const struct vs_forecast_proc *soonest[VS_WATCH_TOP_MAX];

	vs_forecast_end(&s->forecast, partial);
	for (unsigned i = 0; i < s->forecast.nwarn; i++)
		warn(s, &s->forecast.p[s->forecast.warn[i]]);
	for (unsigned i = 0; i < w->ntop; i++) {
		const struct vs_forecast_proc *p = vs_forecast_of(&s->forecast, w->top[i].pid);
		w->top[i].foreseen = p != NULL;
		w->top[i].rate_per_s = p ? p->rate : 0;
		w->top[i].to_limit = p ? p->to_limit : -1;
		w->top[i].to_ceiling = p ? p->to_ceiling : -1;
	}
	unsigned n = vs_forecast_soonest(&s->forecast, soonest, w->top_n), was = w->nsoon;
	w->nsoon = 0;
	for (unsigned i = 0; i < n; i++) {
		struct vs_watch_soon *o = &w->soon[w->nsoon];
		const struct vs_forecast_proc *p = soonest[i];
		unsigned k = 0;
		while (k < was && w->soon[k].pid != p->pid) /* named already: kept */
			k++;
		if (k < was) { /* (pids are unique: never one of the rows made before) */
			struct vs_watch_soon keep = w->soon[k];
			w->soon[k] = *o;
			*o = keep;
		} else {
			struct vs_watch_proc d;
			vs_watch_describe(p->pid, &d);
			if (!d.comm[0] || d.load)
				continue; /* gone since its count; a load, near on purpose */
			memcpy(o->comm, d.comm, sizeof(o->comm));
			memcpy(o->unit, d.unit, sizeof(o->unit));
			vs_workload_of(s->names, o->unit, &o->workload);
		}
		o->pid = p->pid;
		o->vmas = p->vmas;
		o->rate_per_s = p->rate;
		o->to_limit = p->to_limit;
		o->to_ceiling = p->to_ceiling;
		w->nsoon++;
	}
	w->warn_within = s->warn_within;
	w->forecast_overflow = s->forecast.overflow;
	w->foreseen_at = clock_s(CLOCK_REALTIME);
}
