/* scan.c: every process's VMA count, from /proc/PID/maps, without allocation. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "vmastress/model/vma.h"
#include "vmastress/watch/catch/catch.h"
#include "vmastress/watch/scan/scan.h"

#define NAME(id, name) name,
static const char *const skip_names[VS_WATCH_SKIP_COUNT] = {VS_WATCH_SKIPS(NAME)};
#define PERCENT(p) p,
const unsigned vs_watch_thresholds[VS_WATCH_THRESHOLD_COUNT] = {VS_WATCH_THRESHOLDS(PERCENT)};

#define MAPS_CHUNK (256 * 1024) /* seq_file fills what the read asks: few reads */
#define DENTS_CHUNK 32768

const char *vs_watch_skip_name(unsigned s)
{
	return (unsigned)s < VS_WATCH_SKIP_COUNT ? skip_names[s] : "?";
}

static enum vs_watch_skip skip_reason(int err)
{
	switch (err) {
	case ENOENT:
	case ESRCH:
		return VS_WATCH_SKIP_EXITED;
	case EACCES:
	case EPERM:
		return VS_WATCH_SKIP_PERMISSION;
	default:
		return VS_WATCH_SKIP_ERROR;
	}
}

/* Read a small /proc/PID file into buf (NUL-terminated); 0 or -errno. */
static int read_small(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return 0;
}

/* No VMAs: a kernel thread, or a process that has exited (a zombie not yet reaped,
 * or one whose memory went between the listing and the read). /proc/PID/stat
 * tells them apart: PF_KTHREAD in its flags (the 9th field) is a kernel thread;
 * any other process without memory, or one gone by now, has exited. */
#define PF_KTHREAD 0x00200000UL
static enum vs_watch_skip no_mm(int procfd, const char *pid)
{
	char path[40], buf[512];
	unsigned long flags = 0;

	snprintf(path, sizeof(path), "%.20s/stat", pid);
	if (read_small(procfd, path, buf, sizeof(buf)) < 0)
		return VS_WATCH_SKIP_EXITED;
	const char *p = strrchr(buf, ')'); /* the comm may hold anything, ')' too */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return VS_WATCH_SKIP_ERROR;
	if (flags & PF_KTHREAD)
		return VS_WATCH_SKIP_KERNEL_THREAD;
	return VS_WATCH_SKIP_EXITED;
}

/* A vmastress load daemon: its comm is vmastressd and its command line has no
 * --watch (a watch daemon holds a few VMAs, never a load). Read only for the
 * processes at a threshold or in the top. */
static bool is_load(int procfd, const char *pid, const char *comm)
{
	static char buf[4096];
	char path[40], own[17];
	int fd;
	ssize_t n;

	if (!comm) {
		snprintf(path, sizeof(path), "%.20s/comm", pid);
		if (read_small(procfd, path, own, sizeof(own)) < 0)
			return false;
		own[strcspn(own, "\n")] = 0;
		comm = own;
	}
	if (strcmp(comm, "vmastressd") != 0)
		return false;
	snprintf(path, sizeof(path), "%.20s/cmdline", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	for (char *a = buf; a < buf + n; a += strlen(a) + 1)
		if (strcmp(a, "--watch") == 0)
			return false;
	return true;
}

static void describe(int procfd, const char *pid, struct vs_watch_proc *p)
{
	static char buf[4096];
	char path[40];

	snprintf(path, sizeof(path), "%.20s/comm", pid);
	if (read_small(procfd, path, p->comm, sizeof(p->comm)) < 0)
		p->comm[0] = 0;
	p->comm[strcspn(p->comm, "\n")] = 0;
	snprintf(path, sizeof(path), "%.20s/cgroup", pid);
	if (read_small(procfd, path, buf, sizeof(buf)) < 0)
		buf[0] = 0;
	vs_watch_unit_of(buf, p->unit, sizeof(p->unit));
	p->load = is_load(procfd, pid, p->comm);
}

void vs_watch_describe(long pid, struct vs_watch_proc *p)
{
	char name[24];
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	p->comm[0] = p->unit[0] = 0;
	p->load = false;
	if (procfd < 0)
		return;
	snprintf(name, sizeof(name), "%ld", pid);
	describe(procfd, name, p);
	close(procfd);
}

/* Keep the top N by VMAs, largest first (ties: the lower pid first); a process's
 * peak counts as much as what it holds now, so one that climbed and fell back
 * between two scans is still listed. */
static void rank(struct vs_watch *w, int procfd, const char *name, long pid, long vmas, long peak,
		 double peak_at)
{
	unsigned n = w->ntop, i;
	long key = peak > vmas ? peak : vmas;

#define KEY(p) ((p).peak > (p).vmas ? (p).peak : (p).vmas)
	if (!w->top_n || (n == w->top_n && key <= KEY(w->top[n - 1])))
		return;
	if (n < w->top_n)
		w->ntop++;
	for (i = w->ntop - 1; i > 0 && KEY(w->top[i - 1]) < key; i--)
		w->top[i] = w->top[i - 1];
#undef KEY
	w->top[i].pid = pid;
	w->top[i].vmas = vmas;
	w->top[i].peak = peak;
	w->top[i].peak_at = peak_at;
	describe(procfd, name, &w->top[i]);
}

static unsigned level_of(long vmas, long limit)
{
	unsigned level = 0;

	for (unsigned t = 0; t < VS_WATCH_THRESHOLD_COUNT; t++)
		if (limit > 0 && 100 * vmas >= (long)vs_watch_thresholds[t] * limit)
			level = t + 1;
	return level;
}

/* A process at a threshold: followed from scan to scan; an upward crossing
 * against the last scan is kept for the journal (a bounded number a scan). */
static void follow(struct vs_scan *s, int procfd, const char *name, long pid, long vmas,
		   unsigned level)
{
	struct vs_watch *w = &s->w;
	unsigned cur = s->cur, prev = !cur, before = 0;

	for (unsigned i = 0; i < s->ntrack[prev]; i++)
		if (s->track[prev][i].pid == pid) {
			before = s->track[prev][i].level;
			break;
		}
	if (s->ntrack[cur] < VS_WATCH_TRACK_MAX) {
		s->track[cur][s->ntrack[cur]].pid = pid;
		s->track[cur][s->ntrack[cur]++].level = level;
	} else {
		w->track_overflow++;
	}
	if (level <= before)
		return;
	if (w->ncrossings == VS_WATCH_CROSSINGS_MAX) {
		w->crossings_suppressed++;
		return;
	}
	struct vs_crossing *c = &w->crossings[w->ncrossings++];
	struct vs_watch_proc p;
	describe(procfd, name, &p);
	c->pid = pid;
	c->vmas = vmas;
	c->threshold = vs_watch_thresholds[level - 1];
	memcpy(c->comm, p.comm, sizeof(c->comm));
	memcpy(c->unit, p.unit, sizeof(c->unit));
}

static double realtime(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This scan's peak of a process: the kernel's high-water mark (bpf), or the
 * most any scan saw (a small table by pid; a clash forgets the older one). */
static long peak_of(struct vs_scan *s, long pid, long vmas, double now, double *at)
{
	struct vs_catch_peak kp;

	*at = now;
	if (s->catch && vs_catch_peak(s->catch, (unsigned)pid, &kp) == 0) {
		struct timespec m;
		clock_gettime(CLOCK_MONOTONIC, &m);
		double mono = (double)m.tv_sec + (double)m.tv_nsec / 1e9;
		if (kp.peak > vmas) {
			*at = now - (mono - (double)kp.mono_ns / 1e9);
			return kp.peak;
		}
		return vmas;
	}
	unsigned h = (unsigned)((unsigned long)pid * 2654435761u) % VS_PID_PEAKS;
	if (s->pid_peaks.slot[h].pid != pid || s->pid_peaks.slot[h].peak < 0) {
		s->pid_peaks.slot[h].pid = pid;
		s->pid_peaks.slot[h].peak = vmas;
		s->pid_peaks.slot[h].at = now;
	} else if (vmas > s->pid_peaks.slot[h].peak) {
		s->pid_peaks.slot[h].peak = vmas;
		s->pid_peaks.slot[h].at = now;
	}
	*at = s->pid_peaks.slot[h].at;
	return s->pid_peaks.slot[h].peak;
}

struct scan_ctx {
	struct vs_scan *s;
	int procfd;
	long limit;
	double now;
};

/* One process with memory and its count. */
static void account(struct scan_ctx *x, const char *name, long pid, long vmas)
{
	struct vs_watch *w = &x->s->w;
	double at;
	long peak = peak_of(x->s, pid, vmas, x->now, &at);

	w->processes++;
	w->vmas += (uint64_t)vmas;
	vs_forecast_sample(&x->s->forecast, pid, vmas);
	unsigned level = level_of(vmas, x->limit);
	if (level && is_load(x->procfd, name, NULL))
		level = 0; /* listed, never counted above a threshold */
	for (unsigned t = 0; t < level; t++)
		w->above[t]++;
	rank(w, x->procfd, name, pid, vmas, peak, at);
	if (level)
		follow(x->s, x->procfd, name, pid, vmas, level);
}

static void counted(unsigned pid, int count, void *ud)
{
	char name[24];

	struct scan_ctx *x = ud;

	if (count < 0 || count == 0) {
		x->s->w.skipped[count == -1 ? VS_WATCH_SKIP_KERNEL_THREAD : VS_WATCH_SKIP_EXITED]++;
		return;
	}
	snprintf(name, sizeof(name), "%u", pid);
	account(x, name, pid, count);
}

int vs_watch_scan(struct vs_scan *s, const char *proc, long limit)
{
	struct vs_watch *w = &s->w;
	static char maps[MAPS_CHUNK];
	static char dents[DENTS_CHUNK] __attribute__((aligned(8)));
	double t0 = realtime(CLOCK_MONOTONIC);
	int procfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n = 0;

	if (procfd < 0)
		return -errno;
	w->limit = limit;
	w->processes = w->vmas = 0;
	w->ntop = w->ncrossings = 0;
	memset(w->skipped, 0, sizeof(w->skipped));
	memset(w->above, 0, sizeof(w->above));
	s->cur = !s->cur;
	s->ntrack[s->cur] = 0;
	struct scan_ctx x = {
	    .s = s, .procfd = procfd, .limit = limit, .now = realtime(CLOCK_REALTIME)};
	/* The kernel's own counter, O(processes), no mmap lock taken. */
	w->bpf = s->catch && vs_catch_count(s->catch, counted, &x) == 0;
	if (w->bpf)
		goto done;
	w->processes = w->vmas = 0; /* a failed iteration: the /proc scan, afresh */
	w->ntop = w->ncrossings = 0;
	memset(w->above, 0, sizeof(w->above));
	s->ntrack[s->cur] = 0;
	while ((n = syscall(SYS_getdents64, procfd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(dents + off);
			char path[40];
			off += d->d_reclen;
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue; /* not a process */
			long pid = atol(d->d_name);
			snprintf(path, sizeof(path), "%.20s/maps", d->d_name);
			int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
			long vmas = -errno;
			if (fd >= 0) {
				int r = vs_vma_count_fd(fd, maps, sizeof(maps), &vmas);
				if (r < 0)
					vmas = r;
				close(fd);
			}
			if (vmas < 0) {
				w->skipped[skip_reason((int)-vmas)]++;
				continue;
			}
			if (vmas == 0) { /* no mm */
				w->skipped[no_mm(procfd, d->d_name)]++;
				continue;
			}
			account(&x, d->d_name, pid, vmas);
		}
	}
done:;
	int e = n < 0 ? -errno : 0;
	close(procfd);
	w->scans++;
	w->scan_seconds = realtime(CLOCK_MONOTONIC) - t0;
	w->scanned_at = realtime(CLOCK_REALTIME);
	return e;
}
