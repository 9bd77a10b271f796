/* watch.h: host watch mode: every process's VMA count against vm.max_map_count,
 * the top N, the threshold counts, and which sysctl.d file sets the limit. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmastress/config/config.h"
#include "vmastress/watch/catch.h"

#define VS_WATCH_TOP_MAX VS_WATCH_TOP_KEEP
#define VS_WATCH_TRACK_MAX 1024	  /* processes above the lowest threshold followed */
#define VS_WATCH_CROSSINGS_MAX 10 /* journal entries a scan, the rest counted */
#define VS_WATCH_UNIT_MAX 128

/* Why a process was not counted. */
#define VS_WATCH_SKIPS(X)                                                                          \
	X(EXITED, "exited")                                                                        \
	X(PERMISSION, "permission") X(KERNEL_THREAD, "kernel_thread") X(ERROR, "error")
#define VS_WATCH_SKIP_ENUM(id, name) VS_WATCH_SKIP_##id,
enum vs_watch_skip { VS_WATCH_SKIPS(VS_WATCH_SKIP_ENUM) VS_WATCH_SKIP_COUNT };

/* Fill thresholds, percent of the limit: a process at or above counts. */
#define VS_WATCH_THRESHOLDS(X) X(50) X(80) X(95)
#define VS_WATCH_THRESHOLD_COUNT 3

struct vs_watch_proc {
	long pid;
	long vmas;
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX]; /* the systemd unit from /proc/PID/cgroup; "" none */
	bool load;		      /* a vmastress load daemon: near the limit on purpose */
	long peak;	/* the most VMAs seen: the kernel's high-water mark (bpf), or the scans' */
	double peak_at; /* when, realtime seconds */
	/* its mappings judged (threads, files, allocator); "" not judged */
	char shape[VS_SHAPE_NAME_MAX];
};

/* One call the limit refused, caught host-wide (bpf backend). */
struct vs_watch_caught {
	double time; /* realtime seconds */
	long pid, tid, map_count, limit;
	unsigned call; /* enum vs_catch_call */
	int err;
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX];
};
#define VS_WATCH_HIT_UNITS 16 /* hits by unit: these many units, the rest as "other" */

/* The catch: the backend, and what it caught. */
struct vs_watch_catch {
	bool bpf;
	char attach[8];	  /* "fexit" or "raw_tp" */
	char reason[200]; /* why not bpf; "" when it is */
	uint64_t hits[VS_CATCH_CALL_COUNT], other[VS_CATCH_CALL_COUNT], dropped;
	uint64_t journal_dropped; /* entries not written (rate limit) */
	unsigned kept, head, n;	  /* ring of recent: events_kept, next slot, filled */
	struct vs_watch_caught recent[VS_WATCH_EVENTS_MAX];
	struct {
		char unit[VS_WATCH_UNIT_MAX];
		uint64_t hits[VS_CATCH_CALL_COUNT];
	} units[VS_WATCH_HIT_UNITS];
	unsigned nunits;
};

/* Each process's highest count by pid, as the /proc scans saw it (the bpf backend
 * keeps its own in the kernel): not the units' peaks kept across restarts, peaks.h. */
#define VS_PID_PEAKS 8192
struct vs_pid_peaks {
	struct {
		long pid, peak;
		double at;
	} slot[VS_PID_PEAKS];
};

/* Which sysctl.d file sets vm.max_map_count, by systemd-sysctl's rule. */
struct vs_sysctl_source {
	long value;	   /* the running value */
	char source[300];  /* the file whose line wins; "" none */
	long source_value; /* what that line says; -1: none or not a number */
};

struct vs_crossing {
	long pid, vmas;
	unsigned threshold; /* percent */
	char comm[17];
	char unit[VS_WATCH_UNIT_MAX];
};

/* One scan's result, and the state carried from scan to scan. */
struct vs_watch {
	unsigned top_n;
	long limit;
	uint64_t processes, vmas, scans;
	uint64_t skipped[VS_WATCH_SKIP_COUNT];
	uint64_t above[VS_WATCH_THRESHOLD_COUNT];
	double scan_seconds, scanned_at; /* realtime seconds; 0 = never */
	unsigned ntop;
	struct vs_watch_proc top[VS_WATCH_TOP_MAX];
	struct vs_sysctl_source sysctl;
	/* Threshold crossings of this scan (upward, against the previous scan). */
	unsigned ncrossings;
	uint64_t crossings_suppressed;
	struct vs_crossing crossings[VS_WATCH_CROSSINGS_MAX];
	/* Processes at or above the lowest threshold: this scan's and the last. */
	unsigned ntrack[2], cur;
	uint64_t track_overflow;
	struct {
		long pid;
		unsigned level; /* thresholds reached */
	} track[2][VS_WATCH_TRACK_MAX];
	int limit_err, scan_err; /* the last scan's -errno reading the limit, /proc; 0 */
	int hook_err;		 /* the last failed attach or detach of the exit hook; 0 */
	struct {		 /* processes whose shape was judged, and at how many VMAs */
		long pid, vmas;
		char shape[VS_SHAPE_NAME_MAX];
	} judged[VS_WATCH_TOP_MAX];
	unsigned judged_next; /* the slot the next new one takes */
	struct vs_catch *catch; /* NULL: the /proc scan */
	struct vs_pid_peaks pid_peaks;
	struct vs_watch_catch caught;
};

extern const unsigned vs_watch_thresholds[VS_WATCH_THRESHOLD_COUNT];
const char *vs_watch_skip_name(enum vs_watch_skip s);

/* Count every process's VMAs under proc (normally "/proc"), as the kernel does
 * ([vsyscall] is shown but not counted). A vmastress load daemon (vmastressd
 * not in --watch mode) is listed in the top, marked `load`, and left out of
 * the threshold counts and crossings: it is near the limit on purpose. No allocation. Returns 0 or
 * -errno (only when proc itself cannot be read). */
int vs_watch_scan(struct vs_watch *w, const char *proc, long limit);
/* The systemd unit (or container) of pid, from its /proc/PID/cgroup; "" when gone. */
void vs_watch_unit_of_pid(long pid, char *unit, size_t len);
/* The same of a cgroup v2 id (its directory's inode), found in the cgroup tree; ""
 * when it is not there. Walks the tree: callers keep the answer. */
void vs_watch_unit_of_cgroup(unsigned long long id, char *unit, size_t len);

/* The systemd unit of a /proc/PID/cgroup text (cgroup v2): the deepest unit
 * in the path, else the deepest slice; "" when none. */
void vs_watch_unit_of(const char *cgroup, char *unit, size_t len);

/* systemd-sysctl's rule over root (normally ""): *.conf in /etc/sysctl.d,
 * /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d; a name in an
 * earlier directory hides it in later ones; files in name order, the last
 * line setting key wins. Fills source and source_value (value is the caller's). */
void vs_sysctld_resolve(const char *root, const char *key, struct vs_sysctl_source *out);
