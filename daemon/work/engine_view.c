/* engine_view.c: what the loop reads from the engine: snapshot, leaks, events, progress. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "vmastress/model/memcg.h"
#include "vmastress/work/engine.h"
#include "vmastress/shapes/shape.h"
#include "vmastress/work/worker.h"
#include "engine_private.h"

bool vs_engine_progressing(struct vs_engine *e)
{
	bool all = true;

	for (unsigned i = 0; i < e->n; i++) {
		uint64_t p = vs_counter_get(&e->w[i]->ctr.progress);
		if (p == e->last_progress[i] && !atomic_load(&e->w[i]->finished))
			all = false;
		e->last_progress[i] = p;
	}
	return all;
}

/* Seconds from the workers' start to a monotonic ns; -1 for 0 (never). */
static double seconds_since_start(const struct vs_engine *e, uint64_t ns)
{
	return ns && e->sh.start_ns ? (double)(ns - e->sh.start_ns) / 1e9 : -1.0;
}

static void verdict(const struct vs_engine *e, struct vs_snapshot *s)
{
	struct vs_verdict *v = &s->verdict;
	long limit = s->emulated_limit ? s->emulated_limit : s->max_map_count;
	uint64_t failures = 0;

	for (int op = 0; op < VS_OP_COUNT; op++)
		for (int k = 0; k < VS_ERRNO_SLOTS; k++)
			failures += s->t.failures[op][k];
	v->limit = s->max_map_count;
	v->headroom = limit - s->demand_vmas;
	/* The kernel refused a call for the count, or the count got there. */
	v->reached_limit = s->map_count_peak - s->ballast_vmas >= limit;
	for (int op = 0; op < VS_OP_COUNT; op++)
		v->reached_limit |= s->t.enomem[VS_CAUSE_MAP_COUNT][op] > 0;
	v->time_to_demand_seconds = seconds_since_start(e, atomic_load(&e->sh.demand_reached_ns));
	v->has_first_failure = s->t.first_failure_ns != 0;
	if (v->has_first_failure) {
		v->first_failure_vmas = (long)s->t.first_failure_vmas;
		unsigned call = (unsigned)(s->t.first_failure_call >> 24) % VS_CALLS_MAX;
		v->first_failure_op = (int)(s->t.first_failure_call >> 16 & 0xff);
		v->first_failure_errno = (int)(s->t.first_failure_call & 0xffff);
		v->first_failure_seconds = seconds_since_start(e, s->t.first_failure_ns);
		v->first_failure_call =
		    s->call_names[call] ? s->call_names[call] : vs_op_name(v->first_failure_op);
	}
	/* Held: built up to the demand, and not one call refused on the way or since. */
	s->demand_held = v->time_to_demand_seconds >= 0 && !failures;
}

/* What the run is after without a bound of ours: its demand, its configured
 * cap, or the kernel's limit (`want`). */
static long config_target(const struct vs_engine *e, long want)
{
	long cap = atomic_load(&e->sh.cap);

	if (e->cfg.pressure_demand || cap == LONG_MAX || cap >= e->mem_cap)
		return want;
	return cap;
}

/* A bound of ours below the limit (or the demand) that stops the run short of it. */
static void unreachable(const struct vs_engine *e, struct vs_snapshot *s)
{
	struct vs_limit_unreachable *u = &s->unreachable;
	long want = s->demand_vmas ? e->sh.demand_target : s->max_map_count;
	long cap = config_target(e, want);

	if (e->mem_cap < want) {
		u->why = VS_UNREACHABLE_MEMCG;
		u->bound = e->mem_cap - s->ballast_vmas;
		u->memcg_bytes = e->mem_limit;
	} else if (s->t.table_full && s->map_count_peak < cap - cap / 100) {
		/* Room ran out (the table, or the arena's placement) well short of
		 * what the run was after; a placement miss near it stops nothing. */
		u->why = VS_UNREACHABLE_TABLE;
		u->bound = (long)(e->regions * e->nalloc);
	}
}

#define KMEM_READ_INTERVAL_NS 250000000ULL /* the status line asks once a second */
/* Fewer VMAs than this over the start: bytes per VMA would be mostly noise. */
#define KMEM_MIN_VMAS 1000

static void kernel_cost(struct vs_engine *e, struct vs_snapshot *s)
{
	struct vs_kernel_cost *k = &s->kernel;
	struct vs_kmem now = e->kmem_last;
	long vmas = s->map_count - e->kmem_base_vmas;
	uint64_t t = vs_now_ns();

	/* /proc/slabinfo is tens of KiB of text: read at most once per interval,
	 * not for every stats query. */
	if (t - e->kmem_last_ns >= KMEM_READ_INTERVAL_NS) {
		if (vs_kmem_read(&now) < 0)
			return;
		e->kmem_last = now;
		e->kmem_last_ns = t;
	}
	if (e->kmem_base.bytes == UINT64_MAX || now.source != e->kmem_base.source)
		return;
	k->known = true;
	k->source = now.source;
	k->vma_bytes = now.bytes > e->kmem_base.bytes ? now.bytes - e->kmem_base.bytes : 0;
	if (k->vma_bytes > e->kmem_peak_bytes) {
		e->kmem_peak_bytes = k->vma_bytes;
		e->kmem_peak_vmas = vmas;
	}
	k->vma_bytes_peak = e->kmem_peak_bytes;
	/* Per VMA at the peak, where the most VMAs speak for themselves. */
	k->bytes_per_vma = e->kmem_peak_vmas >= KMEM_MIN_VMAS
			       ? (double)e->kmem_peak_bytes / (double)e->kmem_peak_vmas
			       : -1;
	k->at_limit_bytes =
	    k->bytes_per_vma >= 0 ? k->bytes_per_vma * (double)s->max_map_count : -1;
}

void vs_engine_snapshot(struct vs_engine *e, struct vs_snapshot *s)
{
	struct vs_counters *c[VS_WORKERS_MAX];
	struct timespec ts;
	long cap = atomic_load(&e->sh.cap);

	memset(s, 0, sizeof(*s));
	/* Workers a reload stopped keep their counts in the totals. */
	for (unsigned i = 0; i < e->nalloc; i++)
		c[i] = &e->w[i]->ctr;
	vs_counters_sum(&s->t, c, e->nalloc);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(s->version, sizeof(s->version), "%s", VS_VERSION);
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(s->host, sizeof(s->host), "%s", u.nodename);
		snprintf(s->kernel_release, sizeof(s->kernel_release), "%s", u.release);
	}
	s->pid = (long)getpid();
	s->start_time_seconds = e->start_time;
	s->uptime_seconds =
	    e->start_time ? (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - e->start_time : 0;
	s->seed = e->cfg.seed;
	snprintf(s->shape, sizeof(s->shape), "%s", e->cfg.shape);
	snprintf(s->profile, sizeof(s->profile), "%s", e->cfg.shape); /* its old name */
	s->workers = e->n;
	s->max_map_count = atomic_load(&e->sh.limit);
	/* Workers settle in their own order: the sum can pass for an instant what
	 * the kernel ever held, which is at most limit + 1 (see note_peak). */
	long now = atomic_load(&e->sh.map_count);
	s->map_count = now > s->max_map_count + 1 ? s->max_map_count + 1 : now;
	s->map_count_proc = e->proc_last;
	s->map_count_proc_age_seconds = (double)(vs_now_ns() - e->proc_ns) / 1e9;
	/* Workers settle in their own order, not the kernel's: one's +1 may land
	 * before another's earlier -5, so the sum can pass what the kernel ever held.
	 * The kernel holds at most the limit + 1 (mmap refuses at count > limit), the
	 * highest limit of the run: nothing above it is real. */
	s->map_count_peak = atomic_load(&e->sh.peak);
	if (s->map_count_peak > e->limit_max + 1)
		s->map_count_peak = e->limit_max + 1;
	s->vma_cap = cap == LONG_MAX ? -1 : cap;
	s->verifications = e->verifications;
	s->drift_events = e->drift_events;
	s->drift_last = e->drift_last;
	s->drift_max = e->drift_max;
	s->limit_changes = e->limit_changes;
	s->exact_probe = e->nalloc ? e->w[0]->probe.available : 0;
	for (int op = 0; op < VS_OP_COUNT; op++)
		s->first_enomem[op] = seconds_since_start(e, s->t.first_enomem_ns[op]);
	s->ballast_vmas = e->sh.ballast;
	s->ballast_map_count = e->sh.ballast;
	uint64_t hwm;
	if (vs_memory_rss_peak(&hwm) == 0)
		s->rss_max_bytes = hwm;
	/* Both peaks: a run that fills and holds reaches them together, and neither
	 * depends on the moment the snapshot is taken. */
	if (s->map_count_peak > 0)
		s->rss_per_vma_bytes = (double)s->rss_max_bytes / (double)s->map_count_peak;
	for (int k = 0; k < VS_CALLS_MAX; k++)
		s->call_names[k] = e->sh.shape ? e->sh.shape->call[k] : NULL;
	s->emulated_limit = e->cfg.pressure_emulate_limit;
	s->demand_vmas = e->cfg.pressure_demand;
	if (s->demand_vmas)
		verdict(e, s);
	unreachable(e, s);
	kernel_cost(e, s);
}

bool vs_engine_all_finished(struct vs_engine *e)
{
	for (unsigned i = 0; i < e->n; i++)
		if (!atomic_load(&e->w[i]->finished))
			return false;
	return true;
}

bool vs_engine_building(struct vs_engine *e)
{
	return atomic_load_explicit(&e->sh.building, memory_order_relaxed);
}

long vs_engine_limit(struct vs_engine *e)
{
	return atomic_load(&e->sh.limit);
}

void vs_engine_drain_events(struct vs_engine *e, void (*fn)(const struct vs_event *, void *),
			    void *userdata)
{
	struct vs_event ev;
	bool more = true;

	/* One event from each worker in turn: a rate limit downstream is shared
	 * fairly, not used up by the first worker's ring. */
	while (more) {
		more = false;
		for (unsigned i = 0; i < e->nalloc; i++)
			if (vs_event_pop(&e->w[i]->events, &ev)) {
				fn(&ev, userdata);
				more = true;
			}
	}
}

bool vs_engine_leak_next(void *cursor, struct vs_leaked_region *out)
{
	struct vs_leak_cursor *c = cursor;
	struct vs_engine *e = c->engine;

	for (; c->worker < e->nalloc; c->worker++, c->index = 0) {
		struct vs_worker *w = e->w[c->worker];
		if (c->index < w->table.nleaked) {
			struct vs_region *r = vs_region_leaked(&w->table, c->index++);
			out->worker = c->worker;
			out->addr = vs_arena_addr(&w->arena, r->first);
			out->length = vs_region_pages(r) * e->sh.page;
			out->bytes = (size_t)r->leaked_pages * e->sh.page;
			return true;
		}
	}
	return false;
}

void vs_engine_hang_worker(struct vs_engine *e, unsigned i)
{
	if (i < e->n)
		atomic_store(&e->w[i]->hang, 1);
}
