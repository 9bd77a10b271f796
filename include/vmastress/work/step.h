/* step.h: one step of a worker (step.c): choose the next call from the weights, run
 * it through the shape's own calls or the generic ones of mapops.c, and retry leaks. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/work/state.h"

enum vs_step { VS_STEP_MAP, VS_STEP_PROTECT, VS_STEP_UNMAP, VS_STEP_PUNCH, VS_STEP_IDLE };

/* Choose the next operation from the weights (pure given the RNG state). */
enum vs_step vs_step_choose(struct vs_rng *rng, const struct vs_config *cfg, size_t nlive,
			    bool building);
/* Run one operation; returns what was done. */
enum vs_step vs_step(struct vs_worker *w);
/* A shape's build: the next offset in its newest region, from `first` every
 * `stride` pages while below `end`; -ENOENT: none left (map the next region). */
int vs_step_build_next(struct vs_worker *w, size_t first, size_t stride, size_t end, size_t *off);
/* Unmap the leaked regions that can be now. */
void vs_step_retry_leaks(struct vs_worker *w);
