/* policy.c: the raise policy (policy.h): which step, whether the budget and the ceiling
 * allow it, the write, and the rails (dry-run, an administrator's write, never lower,
 * one try per step per min_interval). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "vmastress/model/vma.h"
#include "vmastress/watch/peaks/advice.h"
#include "vmastress/watch/limit/limit.h"
#include "vmastress/raise/policy.h"

const double vs_raise_bucket_le[VS_RAISE_BUCKETS] = {0.0005, 0.001, 0.002, 0.005, 0.01,
						     0.05,   0.1,   1,	   10,	  60};

const char *vs_raise_state_name(enum vs_raise_state s)
{
	static const char *const names[] = {"armed", "off", "stopped", "no_permission"};
	return names[s];
}

const char *vs_raise_reason_name(unsigned r)
{
	return r == VS_RAISE_REFUSAL ? "refusal" : "fill";
}

const char *vs_raise_why_name(unsigned w)
{
	static const char *const names[] = {"budget", "ceiling", "permission", "scope"};
	return w < sizeof(names) / sizeof(names[0]) ? names[w] : "?";
}

uint64_t vs_raise_memtotal(const char *meminfo)
{
	const char *p = strstr(meminfo, "MemTotal:");
	unsigned long long kb;

	return p && sscanf(p + 9, "%llu", &kb) == 1 ? (uint64_t)kb * 1024 : 0;
}

/* Whether this process may write the sysctl: uid 0, and /proc/sys writable here (a
 * unit's ProtectKernelTunables= mounts it read-only). 0 or -errno. */
static int may_write(void)
{
	return access(VS_SYSCTL_MAX_MAP_COUNT, W_OK) == 0 ? 0 : -errno;
}

static void no_permission(struct vs_raise *r, int err)
{
	r->state = VS_RAISE_NO_PERMISSION;
	snprintf(r->reason, sizeof(r->reason),
		 "raise: %s: cannot write %s (%s): only uid 0 may, with /proc/sys writable "
		 "(the unit's raise drop-in grants it); the watch goes on",
		 err == EROFS	? "EROFS"
		 : err == EPERM ? "EPERM"
				: "EACCES",
		 VS_SYSCTL_MAX_MAP_COUNT, strerror(err));
}

/* raise.for split in place: "*" (or nothing) is any workload. */
static void scope_setup(struct vs_raise *r, const char *text)
{
	char *save = NULL;

	snprintf(r->scope_for, sizeof(r->scope_for), "%s", text);
	snprintf(r->scope_text, sizeof(r->scope_text), "%s", text);
	r->nscope = 0;
	for (char *p = strtok_r(r->scope_text, " ", &save); p && r->nscope < VS_RAISE_SCOPE_MAX;
	     p = strtok_r(NULL, " ", &save))
		if (strcmp(p, "*") == 0) {
			r->nscope = 0;
			return;
		} else
			r->scope[r->nscope++] = p;
}

void vs_raise_setup(struct vs_raise *r, const struct vs_config *cfg, long limit, uint64_t memtotal,
		    bool start)
{
	double share;
	uint64_t bytes;
	int e;

	if (start) {
		memset(r, 0, sizeof(*r));
		r->found = limit;
	}
	r->enabled = cfg->raise_enabled;
	r->dry_run = cfg->raise_dry_run;
	r->restore_on_stop = cfg->raise_restore_on_stop;
	r->at = cfg->raise_at;
	r->ceiling = (long)cfg->raise_ceiling;
	r->min_interval = cfg->raise_min_interval;
	r->bytes_per_vma = (double)VS_KERNEL_BYTES_PER_VMA;
	if (vs_config_budget(cfg->raise_kernel_budget, &share, &bytes) < 0) /* validated */
		share = 0.02;
	r->budget = share > 0 ? (uint64_t)(share * (double)memtotal) : bytes;
	scope_setup(r, cfg->raise_for);
	r->known = limit;
	r->tried_from = 0;
	r->reason[0] = 0;
	r->state = VS_RAISE_ARMED;
	if (!r->enabled) {
		r->state = VS_RAISE_OFF;
		snprintf(r->reason, sizeof(r->reason), "raise.enabled = 0");
	} else if (limit >= r->ceiling) {
		r->state = VS_RAISE_OFF;
		snprintf(r->reason, sizeof(r->reason),
			 "vm.max_map_count %ld is at or above raise.ceiling %ld: nothing to raise",
			 limit, r->ceiling);
	} else if (!r->dry_run && (e = may_write()) < 0)
		no_permission(r, -e);
}

long vs_raise_trigger_at(const struct vs_raise *r)
{
	if (r->state != VS_RAISE_ARMED || r->known <= 0)
		return 0;
	double x = r->at * (double)r->known;
	long at = (long)x;
	if ((double)at < x)
		at++;
	return at > 0 ? at : 1;
}

static void note_reaction(struct vs_raise *r, double seconds)
{
	unsigned b = 0;

	while (b < VS_RAISE_BUCKETS && seconds > vs_raise_bucket_le[b])
		b++;
	r->reaction_buckets[b]++;
	r->reaction_count++;
	r->reaction_sum += seconds;
	r->reaction_ms[r->nreact++ % VS_RAISE_SAMPLES] = seconds * 1000.0;
}

static void keep(struct vs_raise *r, const struct vs_raise_record *rec)
{
	r->kept[r->head] = *rec;
	r->head = (r->head + 1) % VS_RAISE_KEPT;
	if (r->n < VS_RAISE_KEPT)
		r->n++;
}

/* The step from `from`, and whether the ceiling or the budget stops it. */
static long step(const struct vs_raise *r, long from, enum vs_raise_why *why, bool *refused)
{
	long to = vs_advice_next_step(from);

	*refused = false;
	if (to > r->ceiling)
		to = r->ceiling; /* the operator's own value, a step of its own */
	if (to <= from) {
		*why = VS_RAISE_CEILING;
		*refused = true;
		return vs_advice_next_step(from);
	}
	if ((double)to * r->bytes_per_vma > (double)r->budget) {
		*why = VS_RAISE_BUDGET;
		*refused = true;
	}
	return to;
}

static void refusal_said(struct vs_raise *r, const struct vs_raise_record *rec)
{
	if (rec->why == VS_RAISE_CEILING)
		snprintf(r->refusal, sizeof(r->refusal),
			 "raise.ceiling %ld stops the raise from %ld (%s, pid %ld, at %ld VMAs)",
			 r->ceiling, rec->from, rec->comm, rec->pid, rec->map_count);
	else
		snprintf(r->refusal, sizeof(r->refusal),
			 "raise.kernel_budget (%llu MiB) stops the raise from %ld to %ld: one "
			 "process at %ld VMAs may pin %.0f MiB of kernel memory (%s, pid %ld, at "
			 "%ld VMAs)",
			 (unsigned long long)(r->budget >> 20), rec->from, rec->to, rec->to,
			 (double)rec->to * r->bytes_per_vma / 1048576.0, rec->comm, rec->pid,
			 rec->map_count);
}

bool vs_raise_check_limit(struct vs_raise *r, long limit)
{
	if (r->state != VS_RAISE_ARMED || limit == r->known || limit <= 0)
		return false;
	r->state = VS_RAISE_STOPPED;
	snprintf(r->reason, sizeof(r->reason),
		 "vm.max_map_count was set to %ld by someone else (the policy's was %ld): an "
		 "administrator's write wins, no raise until the next reload or start",
		 limit, r->known);
	r->known = limit;
	return true;
}

static void begin(const struct vs_raise_trigger *t, long from, struct vs_raise_record *rec)
{
	struct timespec ts;

	memset(rec, 0, sizeof(*rec));
	clock_gettime(CLOCK_REALTIME, &ts);
	rec->time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	rec->pid = t->pid;
	rec->map_count = t->map_count;
	rec->from = from;
	rec->reason = t->err ? VS_RAISE_REFUSAL : VS_RAISE_FILL;
	rec->reaction_ms = -1;
	snprintf(rec->comm, sizeof(rec->comm), "%s", t->comm ? t->comm : "");
	snprintf(rec->unit, sizeof(rec->unit), "%s", t->unit ? t->unit : "");
	snprintf(rec->workload, sizeof(rec->workload), "%s",
		 t->workload ? t->workload->name : "host");
	rec->kind = t->workload ? t->workload->kind : VS_WORKLOAD_HOST;
}

/* A process outside raise.for: its step refused, said at most every min_interval
 * (at least a second); the steps of the processes in scope go on meanwhile. */
static enum vs_raise_result out_of_scope(struct vs_raise *r, double now,
					 struct vs_raise_record *rec)
{
	double every = r->min_interval ? (double)r->min_interval : 1.0;

	if (r->scope_tried_at > 0 && now - r->scope_tried_at < every)
		return VS_RAISE_OUT_OF_SCOPE; /* said of another process a moment ago */
	r->scope_tried_at = now;
	rec->to = vs_advice_next_step(rec->from);
	rec->why = VS_RAISE_SCOPE;
	rec->result = VS_RAISE_REFUSED;
	r->refused[VS_RAISE_SCOPE]++;
	snprintf(r->refusal, sizeof(r->refusal),
		 "%.100s is not in raise.for (%.80s): pid %ld (%s) at %ld VMAs, not raised for",
		 rec->workload, r->scope_for, rec->pid, rec->comm, rec->map_count);
	keep(r, rec);
	return VS_RAISE_REFUSED;
}

enum vs_raise_result vs_raise_on_trigger(struct vs_raise *r, const struct vs_raise_trigger *t,
					 double now, struct vs_raise_record *rec)
{
	long current;
	bool refused;

	if (r->state != VS_RAISE_ARMED)
		return VS_RAISE_NOTHING;
	if (vs_watch_limit_read(r->limit, &current) < 0)
		return VS_RAISE_NOTHING;
	begin(t, current, rec);
	if (vs_raise_check_limit(r, current))
		return VS_RAISE_STOPPED_NOW;
	if (!t->err && t->map_count < vs_raise_trigger_at(r))
		return VS_RAISE_NOTHING; /* from before a raise: the new limit holds it */
	if (r->nscope && t->workload && !t->workload->named) {
		if (r->unnamed_pid != t->pid) {
			r->unnamed_pid = t->pid;
			r->unnamed_since = now;
		}
		if (now - r->unnamed_since < VS_RAISE_NAME_WAIT_S)
			return VS_RAISE_UNNAMED; /* its name is being read */
	}
	if (r->nscope) {
		struct vs_workload host = {.kind = VS_WORKLOAD_HOST, .named = true, .name = "host"};
		if (!vs_workload_in(t->workload ? t->workload : &host, r->scope, r->nscope))
			return out_of_scope(r, now, rec);
	}
	if (r->tried_from == current && now - r->tried_at < (double)r->min_interval)
		return VS_RAISE_NOTHING;
	rec->to = step(r, current, &rec->why, &refused);
	if (refused || r->dry_run) {
		r->tried_from = current;
		r->tried_at = now;
		rec->result = refused ? VS_RAISE_REFUSED : VS_RAISE_WOULD;
		if (refused) {
			r->refused[rec->why]++;
			refusal_said(r, rec);
		} else
			r->raises[rec->reason]++;
		keep(r, rec);
		return rec->result;
	}
	int e = vs_watch_limit_write(r->limit, rec->to);
	if (e < 0) {
		no_permission(r, -e);
		r->refused[VS_RAISE_PERMISSION]++;
		rec->result = VS_RAISE_REFUSED;
		rec->why = VS_RAISE_PERMISSION;
		snprintf(r->refusal, sizeof(r->refusal), "%s", r->reason);
		keep(r, rec);
		return VS_RAISE_DENIED;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double done = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	r->known = rec->to;
	r->raises[rec->reason]++;
	rec->result = VS_RAISE_RAISED;
	rec->reaction_ms = (done - t->crossed) * 1000.0;
	note_reaction(r, done - t->crossed);
	keep(r, rec);
	if (r->known >= r->ceiling)
		snprintf(r->refusal, sizeof(r->refusal), "%s", "");
	return VS_RAISE_RAISED;
}

int vs_raise_restore(struct vs_raise *r, long most, char *msg, size_t len)
{
	long current;
	int e;

	msg[0] = 0;
	if (!r->restore_on_stop || r->dry_run || vs_watch_limit_read(r->limit, &current) < 0 ||
	    current != r->known || current == r->found)
		return 0;
	if (most > r->found) {
		snprintf(msg, len,
			 "vm.max_map_count left at %ld, not restored to %ld: a process holds %ld "
			 "VMAs",
			 current, r->found, most);
		return 0;
	}
	if ((e = vs_watch_limit_write(r->limit, r->found)) < 0) {
		snprintf(msg, len, "cannot restore vm.max_map_count to %ld: %s", r->found,
			 strerror(-e));
		return e;
	}
	snprintf(msg, len, "vm.max_map_count restored from %ld to %ld, the value found at start",
		 current, r->found);
	r->known = r->found;
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double vs_raise_reaction_quantile(const struct vs_raise *r, double q)
{
	static double sorted[VS_RAISE_SAMPLES];
	unsigned n = r->nreact < VS_RAISE_SAMPLES ? r->nreact : VS_RAISE_SAMPLES;

	if (!n)
		return -1;
	memcpy(sorted, r->reaction_ms, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_double);
	double x = q * (double)n;
	size_t i = (size_t)x;
	if ((double)i < x)
		i++;
	return sorted[i ? i - 1 : 0];
}
