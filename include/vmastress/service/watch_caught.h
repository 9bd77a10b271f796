/* watch_caught.h: the watch's caught refusals taken into its state (watch_caught.c). */
#pragma once
#include "vmastress/watch/peaks.h"
#include "vmastress/watch/watch.h"

/* Drain the waiting events (each into w->caught.recent, the journal and peaks),
 * then read the kernel's counters, per call and per unit. Nothing without BPF. */
void vs_watch_caught_update(struct vs_watch *w, struct vs_peaks *peaks);
