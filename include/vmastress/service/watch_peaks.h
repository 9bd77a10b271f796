/* watch_peaks.h: the watch's peaks kept across restarts (watch/peaks/peaks.h) on its loop:
 * where they are kept (the unit's StateDirectory=), what each scan adds, saving. */
#pragma once
#include "vmastress/watch/peaks/peaks.h"
#include "vmastress/watch/watch.h"

struct vs_kept_peaks {
	struct vs_peaks peaks;
	char path[400]; /* "" when peaks are not kept */
};

/* The peaks seen before: $STATE_DIRECTORY/peaks.json, else /var/lib/vmastress's;
 * what is wrong with the file said. now: the realtime seconds of the start. */
void vs_kept_peaks_load(struct vs_kept_peaks *k, double now);
/* The listed processes' peaks into the kept ones (load daemons left out: near the
 * limit on purpose), each unit's shape as the scanner judged it; saved if changed. */
void vs_kept_peaks_note(struct vs_kept_peaks *k, const struct vs_watch *w);
/* The climbing processes' counts and climbs (watch.soon, refreshed between scans) into
 * the kept peaks: a spike's peak and its rate, which the next scan may never see
 * climbing. Saved at the next scan. */
void vs_kept_peaks_climbs(struct vs_kept_peaks *k, const struct vs_watch *w);
/* Saved if changed (as the watch stops). */
void vs_kept_peaks_save(struct vs_kept_peaks *k);
