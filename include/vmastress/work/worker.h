/* worker.h: one worker thread: set-up, its loop, parking, teardown. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "vmastress/calls/state.h"

/* Sizes the table for `regions` and the arena for as many average regions
 * of sh->cfg. */
int vs_worker_init(struct vs_worker *w, unsigned index, struct vs_shared *sh, uint64_t seed,
		   size_t regions, uint64_t max_ops);
void vs_worker_destroy(struct vs_worker *w);
void *vs_worker_main(void *arg);
/* After the thread ended: unmap every live region, retry leaks until no progress. */
void vs_worker_teardown(struct vs_worker *w);
/* Parked, at a change of shape: torn down, the old shape's state released
 * (`was`'s teardown) and zeroed, the arena one reservation again, as at start. */
void vs_worker_start_over(struct vs_worker *w, const struct vs_shape *was);
#include "vmastress/calls/clock.h" /* vs_now_ns() */
