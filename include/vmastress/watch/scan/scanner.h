/* scanner.h: the watch's scans on a thread of their own (scanner.c). A scan reads
 * what grows with other processes' VMAs (/proc/PID/maps for the /proc backend and
 * for a unit's shape), so it never runs on the loop that answers clients: the loop
 * asks for a scan and takes the finished one, under a lock held only for a copy. */
#pragma once
#include <stdbool.h>
#include "vmastress/watch/limit/limit.h"
#include "vmastress/watch/watch.h"

struct vs_watch_scanner;

/* Start the thread; scans use catch (NULL: the /proc scan), read the limit through
 * its owner (which hands it to the catch), and name each listed process's workload
 * from names, which the thread reads again before each scan. 0 or -errno. */
int vs_watch_scanner_start(struct vs_watch_scanner **out, struct vs_catch *catch,
			   struct vs_watch_limit *limit, struct vs_names *names);
/* Stop and join it; NULL is fine. */
void vs_watch_scanner_stop(struct vs_watch_scanner *s);
/* Ask for a scan as cfg says (watch.top, watch.catch, watch.catch_from; hold: a
 * subscriber of the event channel keeps the exit hook attached); one already
 * asked for or running is not repeated. Never blocks beyond the lock. Between scans,
 * where the catch's exit hook is a tracepoint and watch.catch is "near", the thread
 * counts the host with the iterator every VS_WATCH_NEAR_CHECK_MS and attaches the
 * hook while a process holds catch_from of the limit (then every second, only to
 * detach it once none has for VS_WATCH_NEAR_DETACH_S). */
#define VS_WATCH_NEAR_CHECK_MS 100
#define VS_WATCH_NEAR_HOOKED_CHECK_MS 1000 /* attached: only whether to detach */
#define VS_WATCH_NEAR_DETACH_S 10
/* Between scans, the workloads' names are looked at (a stat of each source) this often. */
#define VS_WATCH_NAMES_CHECK_MS 250
void vs_watch_scanner_request(struct vs_watch_scanner *s, const struct vs_config *cfg, bool hold);
/* The workloads' names read again now, on the thread (any thread may ask; a
 * container started since the last reading is named before its next mark). */
void vs_watch_scanner_names_now(void *scanner);
/* Readable (an eventfd) when a finished scan waits. */
int vs_watch_scanner_fd(const struct vs_watch_scanner *s);
/* The finished scan's figures into w (its catch part untouched): a scan, or only
 * its forecast refreshed by a tick since (forecast.h); NONE when neither waits.
 * wait: block until a scan does. */
enum vs_scanner_took { VS_SCANNER_NONE, VS_SCANNER_SCAN, VS_SCANNER_FORECAST };
enum vs_scanner_took vs_watch_scanner_take(struct vs_watch_scanner *s, struct vs_watch *w,
					   bool wait);

/* One whole scan, on the caller's thread: the limit read through its owner (which
 * hands it to the catch), the sysctl.d source, every process's count, and for each listed process
 * near the limit (a hundredth of it, and grown a tenth since it was last judged) the shape of its
 * mappings. */
struct vs_scan;
void vs_watch_scan_all(struct vs_scan *s, unsigned top_n, struct vs_watch_limit *limit);
/* The scan's figures of from into to: what a client sees of a scan. */
void vs_watch_copy_scan(struct vs_watch *to, const struct vs_watch *from);
