/* caught.h: the watch's caught refusals taken into its state (caught.c). */
#pragma once
#include "vmastress/watch/peaks.h"
#include "vmastress/watch/watch.h"

/* Events taken at most at once: a storm of refusals (100 k a second) leaves the loop
 * to its clients between two batches, each a few ms; the kernel's counters stay exact
 * whatever the ring drops. */
#define VS_WATCH_CAUGHT_BATCH 256

/* Drain one batch of the waiting events, each into w->caught.recent, the journal and
 * peaks. True when more may wait. Nothing without BPF. */
bool vs_watch_caught_drain(struct vs_watch *w, struct vs_peaks *peaks);
/* One batch drained, then the kernel's counters read, per call and per unit: before
 * the figures are shown. */
void vs_watch_caught_update(struct vs_watch *w, struct vs_peaks *peaks);
