/* scanner.c: the watch's scans, on a thread of their own, handed to the loop whole. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "vmastress/model/vma.h"
#include "vmastress/watch/peaks/peaks.h"
#include "vmastress/watch/catch/catch.h"
#include "vmastress/watch/scan/scan.h"
#include "vmastress/watch/scan/scanner.h"

struct vs_watch_scanner {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t asked;
	int done_fd;		/* eventfd: a finished scan waits */
	bool requested, stop;	/* under lock */
	bool names_now;		/* under lock: the names to be read again at once */
	bool finished;		/* under lock: `done` holds a scan not yet taken */
	bool refreshed;		/* under lock: `done`'s forecast refreshed by a tick */
	unsigned warn_within;	/* under lock: watch.warn_within */
	long ceiling;		/* under lock: raise.ceiling */
	char root[VS_PATH_MAX]; /* under lock: watch.host_root, "" for / */
	unsigned top_n;		/* under lock: the one asked for */
	bool near;		/* under lock: watch.catch = "near" */
	double catch_from;	/* under lock: watch.catch_from */
	double near_at;		/* the thread's: when a process was last near, monotonic s */
	/* the thread's: when it last counted for the forecast, checked whether a process is
	 * near, read the names (monotonic seconds) */
	double ticked_at, near_checked_at, named_at;
	struct vs_scan work;	      /* the thread's own */
	struct vs_watch done;	      /* under lock: the last finished scan */
	struct vs_watch_limit *limit; /* the limit's owner: the scan reads it there */
};

void vs_watch_copy_scan(struct vs_watch *to, const struct vs_watch *from)
{
	to->top_n = from->top_n;
	to->limit = from->limit;
	to->processes = from->processes;
	to->vmas = from->vmas;
	to->scans = from->scans;
	memcpy(to->skipped, from->skipped, sizeof(to->skipped));
	memcpy(to->above, from->above, sizeof(to->above));
	to->scan_seconds = from->scan_seconds;
	to->scanned_at = from->scanned_at;
	to->ntop = from->ntop;
	memcpy(to->top, from->top, from->ntop * sizeof(to->top[0]));
	to->sysctl = from->sysctl;
	to->ncrossings = from->ncrossings;
	to->crossings_suppressed = from->crossings_suppressed;
	memcpy(to->crossings, from->crossings, from->ncrossings * sizeof(to->crossings[0]));
	to->track_overflow = from->track_overflow;
	to->limit_err = from->limit_err;
	to->scan_err = from->scan_err;
	to->hook_err = from->hook_err;
	to->bpf = from->bpf;
	to->nsoon = from->nsoon;
	memcpy(to->soon, from->soon, from->nsoon * sizeof(to->soon[0]));
	to->foreseen_at = from->foreseen_at;
	to->warn_within = from->warn_within;
	to->forecast_overflow = from->forecast_overflow;
}

/* A listed process's shape, judged again only once it grew a tenth: reading a big
 * /proc/PID/maps costs 0.3 us a VMA. */
static void judge(struct vs_scan *w, struct vs_watch_proc *p)
{
	long vmas = p->vmas;
	unsigned i = 0;

	p->shape[0] = 0;
	if (p->load || w->w.limit <= 0 || vmas < w->w.limit / 100)
		return;
	while (i < VS_WATCH_TOP_MAX && w->judged[i].pid != p->pid)
		i++;
	if (i == VS_WATCH_TOP_MAX) {
		i = w->judged_next;
		w->judged_next = (w->judged_next + 1) % VS_WATCH_TOP_MAX;
		w->judged[i].pid = p->pid;
		w->judged[i].vmas = 0;
	}
	if (!w->judged[i].vmas || vmas > w->judged[i].vmas + w->judged[i].vmas / 10) {
		snprintf(w->judged[i].shape, sizeof(w->judged[i].shape), "%s",
			 vs_peaks_shape_of(p->pid));
		w->judged[i].vmas = vmas;
	}
	memcpy(p->shape, w->judged[i].shape, sizeof(p->shape));
}

void vs_watch_scan_all(struct vs_scan *s, unsigned top_n, struct vs_watch_limit *owner)
{
	struct vs_watch *w = &s->w;
	long limit = 0;

	if (s->names)
		vs_names_refresh(s->names);
	w->limit_err = vs_watch_limit_read(owner, &limit);
	w->top_n = top_n;
	w->sysctl.value = limit;
	vs_sysctld_resolve(s->root, "vm.max_map_count", &w->sysctl);
	vs_scan_foresee_begin(s, limit);
	w->scan_err = vs_watch_scan(s, "/proc", limit);
	for (unsigned i = 0; i < w->ntop; i++) {
		judge(s, &w->top[i]);
		vs_workload_of(s->names, w->top[i].unit, &w->top[i].workload);
	}
	for (unsigned i = 0; i < w->ncrossings; i++)
		vs_workload_of(s->names, w->crossings[i].unit, &w->crossings[i].workload);
	vs_scan_foresee_end(s, w->scan_err < 0);
}

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void most(unsigned pid, int count, void *ud)
{
	(void)pid;
	if (count > *(int *)ud)
		*(int *)ud = count;
}

/* watch.catch = "near" on a tracepoint: the exit hook attached while some process
 * holds catch_from of the limit (the iterator's count: O(processes), no /proc),
 * detached once none has for VS_WATCH_NEAR_DETACH_S. "always": attached. */
static void near_decide(struct vs_watch_scanner *s, bool near, double from, bool counted, int top)
{
	struct vs_scan *w = &s->work;
	int r = 0;

	if (!w->catch || !vs_catch_every_exit(w->catch))
		return;
	if (!near)
		r = vs_catch_hook(w->catch, true);
	else if (counted) {
		double now = monotonic();
		if (w->w.limit > 0 && (double)top >= from * (double)w->w.limit) {
			s->near_at = now;
			r = vs_catch_hook(w->catch, true);
		} else if (now - s->near_at >= VS_WATCH_NEAR_DETACH_S)
			r = vs_catch_hook(w->catch, false);
	}
	w->w.hook_err = r;
}

static void near_check(struct vs_watch_scanner *s, bool near, double from)
{
	int top = 0;
	bool counted = s->work.catch && vs_catch_count(s->work.catch, most, &top) == 0;

	near_decide(s, near, from, counted, top);
}

struct tick {
	struct vs_forecast *f;
	int most;
};

static void ticked(unsigned pid, int count, void *ud)
{
	struct tick *t = ud;

	if (count > t->most)
		t->most = count;
	if (count > 0)
		vs_forecast_sample(t->f, pid, count);
}

/* Between scans (bpf): every process counted by the iterator, O(processes), for the
 * forecast and the near check at once; the forecast's figures published for the loop
 * when a process climbs or just stopped. */
static void tick(struct vs_watch_scanner *s, bool nearing, bool near, double from)
{
	struct vs_scan *w = &s->work;
	struct tick t = {.f = &w->forecast};
	uint64_t one = 1;
	long limit = vs_watch_limit_value(s->limit);

	if (limit <= 0)
		limit = w->w.limit;
	vs_scan_foresee_begin(w, limit);
	bool counted = vs_catch_count(w->catch, ticked, &t) == 0;
	unsigned had = w->w.nsoon;
	vs_scan_foresee_end(w, !counted);
	if (nearing)
		near_decide(s, near, from, counted, t.most);
	if (!had && !w->w.nsoon)
		return;
	pthread_mutex_lock(&s->lock);
	vs_watch_copy_scan(&s->done, &w->w);
	s->refreshed = true;
	pthread_mutex_unlock(&s->lock);
	if (write(s->done_fd, &one, sizeof(one)) < 0) {
		/* the counter is far from full: only its readiness is read */
	}
}

/* Between scans, under the lock (released while it works): wait for what is due
 * next, then do it. The near attach's checks: detached, every check counts (a process
 * may be climbing); attached, a second will do (only whether none is near any more).
 * The forecast's counts (a tick: they make the near check too) every
 * VS_FORECAST_TICK_MS while a process it follows rises, else every
 * VS_FORECAST_IDLE_TICK_MS. The workloads' names every VS_WATCH_NAMES_CHECK_MS (a
 * container started since the last scan is named before its first mark). false:
 * nothing is ever due (wait for a request). */
static bool between_scans(struct vs_watch_scanner *s)
{
	bool nearing = s->near && s->work.catch && vs_catch_every_exit(s->work.catch);
	bool ticking = s->work.catch != NULL;
	double now = monotonic();

	if (!nearing && !ticking && !s->work.names)
		return false;
	double near_every = nearing && vs_catch_hooked(s->work.catch)
				? VS_WATCH_NEAR_HOOKED_CHECK_MS / 1e3
				: VS_WATCH_NEAR_CHECK_MS / 1e3;
	double tick_every =
	    (s->work.forecast.climbing ? VS_FORECAST_TICK_MS : VS_FORECAST_IDLE_TICK_MS) / 1e3;
	double next = now + 3600;
	if (nearing && s->near_checked_at + near_every < next)
		next = s->near_checked_at + near_every;
	if (ticking && s->ticked_at + tick_every < next)
		next = s->ticked_at + tick_every;
	if (s->work.names && s->named_at + VS_WATCH_NAMES_CHECK_MS / 1e3 < next)
		next = s->named_at + VS_WATCH_NAMES_CHECK_MS / 1e3;
	if (next > now) {
		struct timespec until;
		double at = next + 0.0005;
		until.tv_sec = (time_t)at;
		until.tv_nsec = (long)((at - (double)until.tv_sec) * 1e9);
		if (pthread_cond_timedwait(&s->asked, &s->lock, &until) != ETIMEDOUT ||
		    s->requested || s->stop)
			return true;
		now = monotonic();
	}
	bool near = s->near, tick_due = ticking && now >= s->ticked_at + tick_every,
	     near_due = nearing && now >= s->near_checked_at + near_every,
	     names_due = s->work.names && now >= s->named_at + VS_WATCH_NAMES_CHECK_MS / 1e3;
	double from = s->catch_from;
	s->work.warn_within = s->warn_within;
	s->work.ceiling = s->ceiling;
	pthread_mutex_unlock(&s->lock);
	if (tick_due || (ticking && near_due)) {
		tick(s, nearing, near, from);
		s->ticked_at = s->near_checked_at = now;
	} else if (near_due) {
		near_check(s, near, from);
		s->near_checked_at = now;
	}
	if (names_due) {
		vs_names_refresh(s->work.names);
		s->named_at = now;
	}
	pthread_mutex_lock(&s->lock);
	return true;
}

static void *run(void *arg)
{
	struct vs_watch_scanner *s = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->requested && !s->stop) {
			if (s->names_now) {
				s->names_now = false;
				pthread_mutex_unlock(&s->lock);
				if (s->work.names)
					vs_names_refresh(s->work.names);
				pthread_mutex_lock(&s->lock);
				continue;
			}
			if (!between_scans(s))
				pthread_cond_wait(&s->asked, &s->lock);
		}
		if (s->stop)
			break;
		unsigned top_n = s->top_n;
		bool near = s->near;
		double from = s->catch_from;
		s->work.warn_within = s->warn_within;
		s->work.ceiling = s->ceiling;
		memcpy(s->work.root, s->root, sizeof(s->work.root));
		s->requested = false;
		pthread_mutex_unlock(&s->lock);
		vs_watch_scan_all(&s->work, top_n, s->limit);
		near_check(s, near, from);
		pthread_mutex_lock(&s->lock);
		vs_watch_copy_scan(&s->done, &s->work.w);
		s->finished = true;
		s->refreshed = false;
		if (write(s->done_fd, &one, sizeof(one)) < 0) {
			/* the counter is far from full: only its readiness is read */
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int vs_watch_scanner_start(struct vs_watch_scanner **out, struct vs_catch *catch,
			   struct vs_watch_limit *limit, struct vs_names *names)
{
	struct vs_watch_scanner *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->work.catch = catch;
	s->work.names = names;
	s->limit = limit;
	if ((s->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		r = -errno;
		free(s);
		return r;
	}
	pthread_condattr_t on_monotonic;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&on_monotonic);
	pthread_condattr_setclock(&on_monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&s->asked, &on_monotonic);
	pthread_condattr_destroy(&on_monotonic);
	if ((r = pthread_create(&s->thread, NULL, run, s)) != 0) {
		close(s->done_fd);
		pthread_cond_destroy(&s->asked);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -r;
	}
	*out = s;
	return 0;
}

void vs_watch_scanner_stop(struct vs_watch_scanner *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->asked);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	close(s->done_fd);
	pthread_cond_destroy(&s->asked);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void vs_watch_scanner_request(struct vs_watch_scanner *s, const struct vs_config *cfg, bool hold)
{
	pthread_mutex_lock(&s->lock);
	s->requested = true;
	s->top_n = cfg->watch_top;
	/* A subscriber of the event channel keeps the exit hook attached: its marks
	 * are sent there. */
	s->near = strcmp(cfg->watch_catch, "near") == 0 && !hold;
	s->catch_from = cfg->watch_catch_from;
	s->warn_within = cfg->watch_warn_within;
	s->ceiling = (long)cfg->raise_ceiling;
	snprintf(s->root, sizeof(s->root), "%s",
		 strcmp(cfg->watch_host_root, "/") == 0 ? "" : cfg->watch_host_root);
	pthread_cond_signal(&s->asked);
	pthread_mutex_unlock(&s->lock);
}

void vs_watch_scanner_names_now(void *scanner)
{
	struct vs_watch_scanner *s = scanner;

	pthread_mutex_lock(&s->lock);
	s->names_now = true;
	pthread_cond_signal(&s->asked);
	pthread_mutex_unlock(&s->lock);
}

int vs_watch_scanner_fd(const struct vs_watch_scanner *s)
{
	return s->done_fd;
}

enum vs_scanner_took vs_watch_scanner_take(struct vs_watch_scanner *s, struct vs_watch *w,
					   bool wait)
{
	uint64_t n;
	enum vs_scanner_took got;

	struct pollfd ready = {.fd = s->done_fd, .events = POLLIN};
	do {
		while (wait && poll(&ready, 1, -1) < 0 && errno == EINTR) /* the first scan */
			;
		if (read(s->done_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
			return VS_SCANNER_NONE;
		pthread_mutex_lock(&s->lock);
		got = s->finished    ? VS_SCANNER_SCAN
		      : s->refreshed ? VS_SCANNER_FORECAST
				     : VS_SCANNER_NONE;
		if (got)
			vs_watch_copy_scan(w, &s->done);
		s->finished = s->refreshed = false;
		pthread_mutex_unlock(&s->lock);
	} while (wait && got != VS_SCANNER_SCAN);
	return got;
}
