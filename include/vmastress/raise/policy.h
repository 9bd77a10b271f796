/* policy.h: the raise policy (raise.*, opt-in, watch mode): vm.max_map_count raised a
 * step of the advice's ladder before a process reaches it, within raise.ceiling and
 * a kernel-memory budget, never lowered; an administrator's write stops it until the
 * next reload or start. The trigger is a mark of the watch's event channel (channel.h).
 * One owner (the watch's loop); no allocation. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vmastress/config/config.h"
#include "vmastress/watch/watch.h"

struct vs_watch_limit;

#define VS_RAISE_KEPT 32	/* raises (and refusals) listed in the stats */
#define VS_RAISE_SAMPLES 1024	/* reaction times kept for the quantiles */
#define VS_RAISE_BUCKETS 10	/* the reaction histogram's finite buckets */

enum vs_raise_state { VS_RAISE_ARMED, VS_RAISE_OFF, VS_RAISE_STOPPED, VS_RAISE_NO_PERMISSION };
/* What triggered: a crossing of raise.at, or a refused call. */
enum vs_raise_reason { VS_RAISE_FILL, VS_RAISE_REFUSAL, VS_RAISE_REASON_COUNT };
/* Why a step was not taken. */
/* scope: the process's workload is not in raise.for. */
enum vs_raise_why {
	VS_RAISE_BUDGET,
	VS_RAISE_CEILING,
	VS_RAISE_PERMISSION,
	VS_RAISE_SCOPE,
	VS_RAISE_WHY_COUNT
};
#define VS_RAISE_SCOPE_MAX 32 /* patterns in raise.for */

/* What one trigger led to. */
enum vs_raise_result {
	VS_RAISE_NOTHING, /* not armed, or the same step again within min_interval */
	VS_RAISE_RAISED,
	VS_RAISE_WOULD,	  /* dry-run: logged and counted, nothing written */
	VS_RAISE_REFUSED, /* the budget or the ceiling: rec->why */
	VS_RAISE_STOPPED_NOW, /* someone else wrote the limit: the policy stops */
	VS_RAISE_DENIED,  /* the write was refused: no permission */
	VS_RAISE_UNNAMED, /* raise.for, and the process's container not named yet: ask again */
	VS_RAISE_OUT_OF_SCOPE, /* not in raise.for, its refusal said already this min_interval */
};
/* How long a process's container may stay unnamed before raise.for judges it by its
 * short id: the names are read again at once when one is missing. */
#define VS_RAISE_NAME_WAIT_S 1.0

/* The process and the moment that triggered (a BPF event, or a scan's row). */
struct vs_raise_trigger {
	double crossed; /* monotonic seconds: the kernel's time of the call, or the scan's */
	long pid, map_count;
	int err; /* the refused call's errno, 0 for a crossing */
	const char *comm, *unit;
	const struct vs_workload *workload; /* NULL: the host's */
};

struct vs_raise_record {
	double time; /* realtime seconds */
	long pid, map_count, from, to;
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX];
	char workload[VS_WATCH_UNIT_MAX]; /* its workload's name, and kind */
	enum vs_workload_kind kind;
	enum vs_raise_reason reason;
	enum vs_raise_result result; /* RAISED, WOULD or REFUSED */
	enum vs_raise_why why;	     /* with REFUSED */
	double reaction_ms;	     /* crossing to the new value written; < 0 none */
};

struct vs_raise {
	/* raise.* as resolved */
	bool enabled, dry_run, restore_on_stop;
	double at;
	long ceiling;
	unsigned min_interval;
	uint64_t budget;      /* bytes one process at the new limit may pin */
	char scope_for[256];  /* raise.for as given */
	char scope_text[256]; /* and its patterns split in place */
	const char *scope[VS_RAISE_SCOPE_MAX];
	unsigned nscope; /* 0: any workload */
	double bytes_per_vma; /* the kernel's, per VMA */
	/* state */
	enum vs_raise_state state;
	char reason[240]; /* why not armed; "" when armed */
	long found;	  /* the limit at start */
	long known;	  /* the limit the policy last read or wrote */
	/* The watch's owner of the limit (limit.h), set after the first setup: every
	 * read and write of the policy goes through it, so the catch has what it wrote. */
	struct vs_watch_limit *limit;
	uint64_t raises[VS_RAISE_REASON_COUNT];
	uint64_t refused[VS_RAISE_WHY_COUNT];
	char refusal[400]; /* the last refused step, said; "" none */
	unsigned head, n;
	struct vs_raise_record kept[VS_RAISE_KEPT];
	double reaction_ms[VS_RAISE_SAMPLES];
	unsigned nreact;
	uint64_t reaction_buckets[VS_RAISE_BUCKETS + 1], reaction_count;
	double reaction_sum; /* seconds */
	double scope_tried_at; /* the last step refused for scope, monotonic */
	long unnamed_pid;      /* the process whose container was not named yet ... */
	double unnamed_since;  /* ... since then, monotonic */
	long tried_from;     /* the last step not taken: from this limit ... */
	double tried_at;     /* ... at this monotonic time */
};

extern const double vs_raise_bucket_le[VS_RAISE_BUCKETS]; /* seconds */
const char *vs_raise_state_name(enum vs_raise_state s);
const char *vs_raise_reason_name(unsigned r); /* enum vs_raise_reason */
const char *vs_raise_why_name(unsigned w);    /* enum vs_raise_why */

/* raise.* from cfg against the running limit; found is kept from the first call
 * (start), a reload re-reads the rest and re-arms a stopped policy. memtotal:
 * /proc/meminfo's, bytes. */
void vs_raise_setup(struct vs_raise *r, const struct vs_config *cfg, long limit, uint64_t memtotal,
		    bool start);
/* The VMA count whose crossing triggers; 0 when not armed. */
long vs_raise_trigger_at(const struct vs_raise *r);
/* One trigger acted on: the step decided, written (unless dry-run), and said in rec
 * (not for NOTHING). now: monotonic seconds. */
enum vs_raise_result vs_raise_on_trigger(struct vs_raise *r, const struct vs_raise_trigger *t,
					 double now, struct vs_raise_record *rec);
/* The running limit read by a scan: another value than the policy's own is an
 * administrator's write, and stops it (true then, with reason said). */
bool vs_raise_check_limit(struct vs_raise *r, long limit);
/* On stop with restore_on_stop: the limit found at start written back, unless a
 * process holds more VMAs than that (most: the most any holds now). 0, 1 when
 * written, or -errno; what was done in msg. */
int vs_raise_restore(struct vs_raise *r, long most, char *msg, size_t len);
/* The reaction times' quantile q (0..1) in ms; -1 when none. */
double vs_raise_reaction_quantile(const struct vs_raise *r, double q);
/* MemTotal from a /proc/meminfo text, bytes (0: not found). */
uint64_t vs_raise_memtotal(const char *meminfo);
