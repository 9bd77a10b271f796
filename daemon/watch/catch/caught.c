/* caught.c: what the watch's BPF backend caught, taken into its state: each
 * refused call kept for `events`, named by its unit, logged (rate-limited) and
 * counted in the peaks; the kernel's exact counters, per call and per unit. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "vmastress/log/log.h"
#include "vmastress/watch/catch/caught.h"

/* Cgroup ids the kernel counted hits for, and their unit names: from the events,
 * or, for one whose events were all dropped, from the cgroup v2 tree (a
 * directory's inode is its id). */
#define CGNAMES 1024
static struct {
	unsigned long long id;
	char unit[VS_WATCH_UNIT_MAX];
} cgnames[CGNAMES];

static void name_cgroup(unsigned long long id, const char *unit)
{
	unsigned h = (unsigned)(id % CGNAMES);

	cgnames[h].id = id;
	snprintf(cgnames[h].unit, sizeof(cgnames[h].unit), "%s", unit);
}

static const char *unit_of_cgroup(unsigned long long id)
{
	unsigned h = (unsigned)(id % CGNAMES);
	char unit[VS_WATCH_UNIT_MAX];

	if (cgnames[h].id == id)
		return cgnames[h].unit;
	vs_watch_unit_of_cgroup(id, unit, sizeof(unit));
	name_cgroup(id, unit);
	return cgnames[h].unit;
}

static void add_cgroup(unsigned long long id, const unsigned long long *hits, void *userdata)
{
	struct vs_watch_catch *c = userdata;
	const char *unit = unit_of_cgroup(id);
	unsigned u = 0;

	while (u < c->nunits && strcmp(c->units[u].unit, unit) != 0)
		u++;
	if (u == c->nunits) {
		if (c->nunits == VS_WATCH_HIT_UNITS)
			return; /* counted as other */
		snprintf(c->units[c->nunits++].unit, sizeof(c->units[0].unit), "%s", unit);
	}
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++)
		c->units[u].hits[k] += hits[k];
}

/* The catch's counters, summed from the kernel's per-CPU ones, per call and per
 * cgroup: exact. */
static void refresh(struct vs_watch_catch *w)
{
	struct vs_catch_counters c;

	if (vs_catch_counters(w->catch, &c) < 0)
		return;
	memcpy(w->hits, c.hits, sizeof(c.hits));
	memcpy(w->other, c.other, sizeof(c.other));
	w->dropped = c.dropped;
	memset(w->units, 0, sizeof(w->units));
	w->nunits = 0;
	vs_catch_cgroups(w->catch, add_cgroup, w);
}

static double realtime_of_mono_ns(unsigned long long ns)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (double)r.tv_sec + (double)r.tv_nsec / 1e9 -
	       ((double)m.tv_sec + (double)m.tv_nsec / 1e9 - (double)ns / 1e9);
}

/* The unit of an event's process. The leaf of its cgroup v2 path is its unit; a
 * container's, or one in a nested cgroup, comes from the whole path (the cgroup tree,
 * by its id), else its /proc/PID/cgroup while it lives. The last answer is kept: a
 * storm comes from few processes, and the loop must not read /proc for each call. */
void vs_watch_caught_unit(const struct vs_catch_event *e, char *unit, size_t len)
{
	static struct {
		long pid;
		unsigned long long cgroup;
		char unit[VS_WATCH_UNIT_MAX];
	} last = {.pid = -1};

	if (last.pid == (long)e->pid && last.cgroup == e->cgroup) {
		snprintf(unit, len, "%s", last.unit);
		return;
	}
	snprintf(unit, len, "%.*s", VS_CATCH_UNIT_MAX, e->unit);
	bool container = strncmp(unit, "docker-", 7) == 0 || strncmp(unit, "libpod-", 7) == 0 ||
			 strncmp(unit, "cri-containerd-", 15) == 0 ||
			 strncmp(unit, "crio-", 5) == 0;
	if (!unit[0] || container ||
	    !(strstr(unit, ".service") || strstr(unit, ".scope") || strstr(unit, ".slice")))
		snprintf(unit, len, "%s", unit_of_cgroup(e->cgroup));
	if (!unit[0])
		vs_watch_unit_of_pid((long)e->pid, unit, len);
	last.pid = (long)e->pid;
	last.cgroup = e->cgroup;
	snprintf(last.unit, sizeof(last.unit), "%s", unit);
}

#define CAUGHT_JOURNAL_PER_SECOND 10

struct update {
	struct vs_watch_catch *c;
	struct vs_peaks *peaks;
};

/* One refused call: kept for `events`, counted by unit, one journal entry (at
 * most CAUGHT_JOURNAL_PER_SECOND a second; the rest counted). */
static void on_caught(const struct vs_catch_event *e, void *userdata)
{
	static double window;
	static unsigned in_window;
	struct update *u = userdata;
	struct vs_watch_catch *c = u->c;
	struct vs_watch_caught *x = &c->recent[c->head];
	struct vs_fields f = VS_FIELDS_NONE;

	x->time = realtime_of_mono_ns(e->mono_ns);
	x->pid = e->pid;
	x->tid = e->tid;
	x->map_count = e->map_count;
	x->limit = e->limit;
	x->call = e->call;
	x->err = e->err;
	snprintf(x->comm, sizeof(x->comm), "%.16s", e->comm);
	vs_watch_caught_unit(e, x->unit, sizeof(x->unit));
	c->head = (c->head + 1) % c->kept;
	if (c->n < c->kept)
		c->n++;
	if (x->unit[0])
		name_cgroup(e->cgroup, x->unit);
	vs_workload_of(c->names, x->unit, &x->workload);
	vs_peaks_hit(u->peaks, x->workload.key, x->comm, x->pid, x->map_count, x->time);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (now - window >= 1.0)
		window = now, in_window = 0;
	if (in_window++ >= CAUGHT_JOURNAL_PER_SECOND) {
		c->journal_dropped++;
		return;
	}
	f.pid = x->pid;
	f.comm = x->comm;
	f.unit = x->unit;
	f.workload = x->workload.name;
	f.workload_kind = vs_workload_kind_name(x->workload.kind);
	f.call = vs_catch_call_name(x->call);
	f.err = x->err;
	f.map_count = x->map_count;
	f.max_map_count = x->limit;
	vs_log_msg(VS_MSG_WATCH_CAUGHT, LOG_WARNING, &f,
		   "process %ld (%s) was refused %s at %ld VMAs: vm.max_map_count %ld is its "
		   "limit (workload %s)",
		   x->pid, x->comm, f.call, x->map_count, x->limit, x->workload.name);
}

bool vs_watch_caught_drain(struct vs_watch_catch *w, struct vs_peaks *peaks)
{
	struct update u = {w, peaks};

	return w->catch && vs_catch_drain(w->catch, on_caught, &u, VS_WATCH_CAUGHT_BATCH) ==
			       VS_WATCH_CAUGHT_BATCH;
}

void vs_watch_caught_update(struct vs_watch_catch *w, struct vs_peaks *peaks)
{
	if (!w->catch)
		return;
	vs_watch_caught_drain(w, peaks);
	refresh(w);
}
