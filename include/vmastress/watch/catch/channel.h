/* channel.h: the watch's event channel. A subscriber (the raise policy; next, the
 * forecast) asks for a level of VMAs; the channel arms the catch's mark (catch.bpf.c)
 * at the lowest level asked for, and hands each mark, from the kernel or from a scan,
 * to every subscriber whose level it reached. The catch knows levels, never what a
 * subscriber does with them. One thread (the watch's loop); no allocation. */
#pragma once
#include <stdbool.h>

struct vs_catch;
struct vs_names;
struct vs_watch;
struct vs_workload;

/* One process at or above a level. */
struct vs_watch_event {
	double crossed; /* monotonic seconds: the kernel's time of the call, or the scan's */
	long pid, tid, map_count, limit;
	int err;       /* 0: a crossing; else the refused call's errno */
	unsigned call; /* enum vs_catch_call; VS_CATCH_CALL_COUNT from a scan */
	bool scan;     /* from a scan's count, not the kernel's hook */
	const char *comm, *unit;
	const struct vs_workload *workload;
};
typedef void (*vs_watch_event_fn)(const struct vs_watch_event *e, void *userdata);

#define VS_WATCH_SUBSCRIBERS_MAX 4
struct vs_watch_channel {
	struct vs_catch *catch; /* NULL: marks come from the scans only */
	struct vs_names *names; /* a kernel mark's workload named from it; NULL: none */
	/* Called with a kernel mark whose container was not named: the names are read
	 * again at once (the scanner's thread). NULL: nothing. */
	void (*unnamed)(void *userdata);
	void *unnamed_userdata;
	unsigned n;
	struct {
		vs_watch_event_fn fn;
		void *userdata;
		long level;  /* <= 0: wants none */
		bool paused; /* the kernel's marks not wanted for now; the scans' still */
	} sub[VS_WATCH_SUBSCRIBERS_MAX];
};

void vs_watch_channel_init(struct vs_watch_channel *ch, struct vs_catch *catch,
			   struct vs_names *names);
/* A subscriber, wanting nothing yet: its id, or -ENOSPC. */
int vs_watch_channel_subscribe(struct vs_watch_channel *ch, vs_watch_event_fn fn, void *userdata);
/* The level subscriber id wants now (<= 0: none). The kernel's mark disarms once it
 * has sent one: a subscriber handed a mark says here what it wants next, and the
 * mark is armed again at the lowest level wanted. */
void vs_watch_channel_want(struct vs_watch_channel *ch, int id, long level);
/* The kernel's marks not wanted by subscriber id until it wants a level again (a
 * subscriber that acts at most every so often); the scans' are still handed. */
void vs_watch_channel_pause(struct vs_watch_channel *ch, int id);
/* No kernel mark of process pid any more, for anyone (a subscriber for which it is
 * out of scope: the kernel's marks stay for the others); pid < 0: every process
 * marked again (the scope changed). The scans' marks still come. */
void vs_watch_channel_skip(struct vs_watch_channel *ch, long pid);
/* The lowest level wanted and not paused; 0: none. */
long vs_watch_channel_level(const struct vs_watch_channel *ch);
/* Whether any subscriber wants a level, paused or not: the catch's exit hook stays
 * attached for it (watch.catch = near detaches it only when none does). */
bool vs_watch_channel_holds(const struct vs_watch_channel *ch);
/* The kernel's marks: an fd readable when one waits (-1 without the catch), and
 * each waiting one handed on. The number handed, or -errno. */
int vs_watch_channel_fd(const struct vs_watch_channel *ch);
int vs_watch_channel_drain(struct vs_watch_channel *ch);
/* A finished scan's listed processes at a level wanted, as marks: the /proc
 * backend's only ones, and the kernel's backstop. */
void vs_watch_channel_scanned(struct vs_watch_channel *ch, const struct vs_watch *w);
/* e handed to each subscriber whose level it reached; the number handed. */
unsigned vs_watch_channel_publish(struct vs_watch_channel *ch, const struct vs_watch_event *e);
