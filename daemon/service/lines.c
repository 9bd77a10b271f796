/* lines.c: what the daemon writes to the journal about the load: per-event lines
 * (each (op, errno)'s first always, the rest within a rate), summaries, the verdict. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "vmastress/log/errnames.h"
#include "vmastress/service/lines.h"

#define RATE_WINDOW_USEC 1000000ULL /* log.events_per_second counts per this window */
/* The first refusal within this many VMAs of the limit is the limit's. */
#define LIMIT_REACHED_SLACK 8

static struct vs_fields event_fields(const struct vs_event *ev)
{
	struct vs_fields f = {
	    .op = vs_op_name(ev->op),
	    .err = ev->err,
	    .addr = ev->addr,
	    .length = ev->length,
	    .worker = ev->worker,
	    .map_count = ev->map_count,
	    .max_map_count = ev->max_map_count,
	    .leaked_bytes = (long long)ev->leaked_bytes,
	};
	return f;
}

/* Within per_second for this window? Counts the entry if so. */
static bool rate_ok(struct vs_event_lines *l, unsigned per_second, uint64_t now_usec)
{
	if (now_usec - l->window_start >= RATE_WINDOW_USEC) {
		l->window_start = now_usec;
		l->window_events = 0;
	}
	if (l->window_events >= per_second)
		return false;
	l->window_events++;
	return true;
}

void vs_lines_event(struct vs_event_lines *l, const struct vs_event *ev, unsigned per_second,
		    uint64_t now_usec)
{
	struct vs_fields f = event_fields(ev);
	unsigned err = (unsigned)ev->err % VS_ERRNO_SEEN_MAX;

	/* The first refusal at the limit is always reported, never rate limited. */
	if (!l->limit_reported && ev->err == ENOMEM &&
	    ev->map_count + LIMIT_REACHED_SLACK >= ev->max_map_count) {
		l->limit_reported = true;
		vs_log_msg(VS_MSG_LIMIT_REACHED, LOG_WARNING, &f,
			   "VMA limit reached: %s failed with ENOMEM at %ld of %ld VMAs", f.op,
			   ev->map_count, ev->max_map_count);
	}
	/* The first failure of each (op, errno) is always written; the rest are
	 * counted, summarized, and written one by one only within the rate. */
	bool first =
	    ev->kind != VS_EVENT_RECLAIMED && ev->op < VS_OP_COUNT && !l->seen[ev->op][err];
	if (first)
		l->seen[ev->op][err] = true;
	else if (!rate_ok(l, per_second, now_usec)) {
		l->dropped++;
		return;
	}
	const char *tag = first ? "first " : "";
	switch (ev->kind) {
	case VS_EVENT_LEAK:
		vs_log_msg(VS_MSG_LEAK, LOG_WARNING, &f,
			   "%sleak: worker %u: munmap(0x%" PRIxPTR ", %" PRIu64 ") failed: %s; "
			   "region leaked (map_count %ld/%ld, leaked_bytes %" PRIu64 ")",
			   tag, ev->worker, ev->addr, ev->length, vs_errno_name(ev->err),
			   ev->map_count, ev->max_map_count, ev->leaked_bytes);
		break;
	case VS_EVENT_RECLAIMED:
		vs_log_msg(VS_MSG_RECLAIMED, LOG_INFO, &f,
			   "worker %u: leaked region 0x%" PRIxPTR " (%" PRIu64 " bytes) reclaimed",
			   ev->worker, ev->addr, ev->length);
		break;
	default:
		vs_log_msg(VS_MSG_FAILURE, LOG_NOTICE, &f,
			   "%sfailure: worker %u: %s(0x%" PRIxPTR ", %" PRIu64 ") failed: %s "
			   "(map_count %ld/%ld)",
			   tag, ev->worker, f.op, ev->addr, ev->length, vs_errno_name(ev->err),
			   ev->map_count, ev->max_map_count);
	}
}

/* "; cannot reach the limit: ..." when a bound of ours stops the run short of it. */
static const char *unreachable_text(const struct vs_snapshot *s, char *buf, size_t len)
{
	const struct vs_limit_unreachable *u = &s->unreachable;

	if (u->why == VS_UNREACHABLE_MEMCG)
		snprintf(buf, len,
			 "; the run cannot reach the limit: the memory cgroup's %llu MiB holds "
			 "about %ld VMAs",
			 (unsigned long long)(u->memcg_bytes >> 20), u->bound);
	else if (u->why == VS_UNREACHABLE_TABLE)
		snprintf(buf, len,
			 "; the run cannot reach the limit: the region table is full (%ld)",
			 u->bound);
	else
		buf[0] = 0;
	return buf;
}

/* One line with every count an operator needs; what per-event lines leave out. */
void vs_lines_summary(enum vs_msg m, const char *what, const struct vs_snapshot *snap)
{
	const struct vs_snapshot s = *snap;
	struct vs_fields f = VS_FIELDS_NONE;
	const struct vs_totals *t = &s.t;
	char failures[384] = "", bound[160];
	size_t n = 0;

	for (int op = 0; op < VS_OP_COUNT; op++)
		for (unsigned e = 0; e < VS_ERRNO_SLOTS; e++)
			if (t->failures[op][e] && n < sizeof(failures))
				n += (size_t)snprintf(failures + n, sizeof(failures) - n,
						      "%s%s %s %" PRIu64, n ? ", " : "",
						      vs_op_name(op), vs_errno_slot_name(e),
						      t->failures[op][e]);
	f.map_count = s.map_count;
	f.max_map_count = s.max_map_count;
	f.leaked_bytes = (long long)t->leaked_bytes;
	vs_log_msg(m, LOG_INFO, &f,
		   "%s: vmas %ld/%ld (peak %ld, /proc %ld), mappings %" PRIu64 ", ops mmap %" PRIu64
		   " mprotect %" PRIu64 " munmap %" PRIu64 ", failures: %s, leaked %" PRIu64
		   " mappings / %" PRIu64 " bytes, reclaimed %" PRIu64
		   " bytes, per-event entries not written %" PRIu64 "%s",
		   what, s.map_count, s.max_map_count, s.map_count_peak, s.map_count_proc,
		   t->mappings, t->ops[VS_OP_MMAP], t->ops[VS_OP_MPROTECT], t->ops[VS_OP_MUNMAP],
		   n ? failures : "none", t->leaked_mappings, t->leaked_bytes, t->reclaimed_bytes,
		   s.events_dropped, unreachable_text(&s, bound, sizeof(bound)));
}

/* Format bytes for a person: "1.2 GiB". */
static void human_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0]))
		v /= 1024, u++;
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

bool vs_lines_verdict(const struct vs_snapshot *snap)
{
	const struct vs_snapshot s = *snap;
	struct vs_fields f = VS_FIELDS_NONE;
	const struct vs_verdict *v = &s.verdict;
	char limit[64], leaked[32], bound[160];

	if (!s.demand_vmas)
		return true;
	f.max_map_count = v->limit;
	f.leaked_bytes = (long long)s.t.leaked_bytes;
	snprintf(limit, sizeof(limit), s.emulated_limit ? "emulated limit %ld" : "limit %ld",
		 s.emulated_limit ? s.emulated_limit : v->limit);
	human_bytes(s.t.leaked_bytes, leaked, sizeof(leaked));
	if (s.demand_held)
		vs_log_msg(VS_MSG_VERDICT, LOG_NOTICE, &f,
			   "demand %ld VMAs held under %s, headroom %ld (built in %.2f s)%s",
			   s.demand_vmas, limit, v->headroom, v->time_to_demand_seconds,
			   unreachable_text(&s, bound, sizeof(bound)));
	else if (v->has_first_failure) {
		f.map_count = v->first_failure_vmas;
		f.op = vs_op_name(v->first_failure_op);
		f.err = v->first_failure_errno;
		vs_log_msg(VS_MSG_VERDICT, LOG_WARNING, &f,
			   "demand %ld VMAs NOT held under %s: first failure at %ld (%s %s, %s) "
			   "after %.2f s, %s leaked%s",
			   s.demand_vmas, limit, v->first_failure_vmas, f.op, vs_errno_name(f.err),
			   v->first_failure_call, v->first_failure_seconds, leaked,
			   unreachable_text(&s, bound, sizeof(bound)));
	} else
		vs_log_msg(VS_MSG_VERDICT, LOG_WARNING, &f,
			   "demand %ld VMAs NOT held under %s: not built in the run's time "
			   "(peak %ld)%s",
			   s.demand_vmas, limit, s.map_count_peak - s.ballast_vmas,
			   unreachable_text(&s, bound, sizeof(bound)));
	return s.demand_held;
}

void vs_lines_output(struct vs_output_state *o, int r, const char *path)
{
	if (r >= 0) {
		if (o->failing)
			vs_log(LOG_NOTICE, "%s written again", path);
		o->failing = false;
		o->error[0] = 0;
		return;
	}
	o->failures++;
	snprintf(o->error, sizeof(o->error), "cannot write %s: %s (%s)", path, vs_errno_name(-r),
		 strerror(-r));
	if (!o->failing)
		vs_log(LOG_WARNING,
		       "%s; retried at every interval, shown in the status until it works",
		       o->error);
	o->failing = true;
}
