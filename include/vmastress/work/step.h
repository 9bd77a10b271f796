/* step.h: one step of a worker (step.c): choose the next call from the weights, run
 * it through the shape's own calls or the generic ones of mapops.c, and retry leaks. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/calls/mapops.h" /* enum vs_step */

/* Choose the next operation from the weights (pure given the RNG state). */
enum vs_step vs_step_choose(struct vs_rng *rng, const struct vs_config *cfg, size_t nlive,
			    bool building);
/* Run one operation; returns what was done. */
enum vs_step vs_step(struct vs_worker *w);
/* Unmap the leaked regions that can be now. */
void vs_step_retry_leaks(struct vs_worker *w);
