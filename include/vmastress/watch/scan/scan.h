/* scan.h: one scan of every process's VMAs (scan.c), and what the scan carries from
 * one to the next: the processes it follows at a threshold, the shapes it judged,
 * the peaks it saw by pid. The scanner's thread owns it (scanner.h). */
#pragma once
#include "vmastress/watch/forecast/forecast.h"
#include "vmastress/watch/watch.h"

/* Each process's highest count by pid, as the /proc scans saw it (the bpf backend
 * keeps its own in the kernel): not the units' peaks kept across restarts, peaks.h. */
#define VS_PID_PEAKS 8192
struct vs_pid_peaks {
	struct {
		long pid, peak;
		double at;
	} slot[VS_PID_PEAKS];
};

struct vs_scan {
	struct vs_watch w;	/* this scan's figures */
	struct vs_catch *catch; /* NULL: the /proc scan */
	struct vs_names *names; /* the workloads' names, read again before each scan; NULL */
	/* Processes at or above the lowest threshold: this scan's and the last. */
	unsigned ntrack[2], cur;
	struct {
		long pid;
		unsigned level; /* thresholds reached */
	} track[2][VS_WATCH_TRACK_MAX];
	struct { /* processes whose shape was judged, and at how many VMAs */
		long pid, vmas;
		char shape[VS_SHAPE_NAME_MAX];
	} judged[VS_WATCH_TOP_MAX];
	unsigned judged_next; /* the slot the next new one takes */
	struct vs_pid_peaks pid_peaks;
	/* Each process's climb, from every count taken: the scans' and the ticks'. */
	struct vs_forecast forecast;
	long ceiling;	      /* raise.ceiling: the forecast's second level */
	char root[VS_PATH_MAX]; /* watch.host_root: the host's / ("" when it is ours) */
	unsigned warn_within; /* watch.warn_within; 0: no warning */
};

/* The forecast's pass over a scan or a tick's counts begun (vs_watch_scan samples
 * each count into it), and ended: the top rows' and the soonest list's forecast,
 * each warning logged (soon.c). partial: not every process was counted. */
void vs_scan_foresee_begin(struct vs_scan *s, long limit);
void vs_scan_foresee_end(struct vs_scan *s, bool partial);

/* Count every process's VMAs under proc (normally "/proc"), as the kernel does
 * ([vsyscall] is shown but not counted). A vmastress load daemon (vmastressd
 * not in --watch mode) is listed in the top, marked `load`, and left out of
 * the threshold counts and crossings: it is near the limit on purpose. No allocation. Returns 0 or
 * -errno (only when proc itself cannot be read). */
int vs_watch_scan(struct vs_scan *s, const char *proc, long limit);
/* A process's comm, unit and whether it is a load daemon, from /proc (empty: gone). */
void vs_watch_describe(long pid, struct vs_watch_proc *p);
