/* shape.h: a workload shape (a profile): the real consumer it models, the config
 * keys it sets over the defaults, what its calls are to that consumer, and
 * optionally its own step. One file per shape in daemon/shapes/, registered in
 * shapes.c, as stress-ng's stressors are. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/config/config.h"
#include "vmastress/stats.h"

struct vs_worker;

struct vs_preset {
	enum vs_config_key key;
	double value; /* UINT and FILL keys: every preset value is exact in a double */
};

struct vs_shape {
	const char *name;
	const char *models;    /* the real consumer */
	const char *signature; /* its VMAs, and how it fails at the limit */
	const struct vs_preset *set;
	unsigned n;
	/* What each call is to the consumer ("guard page"): one per op, and the extra
	 * one a shape's step may make (w->call); NULL: the op's name. */
	const char *call[VS_CALLS_MAX];
	/* The shape's own calls in the common step (work/step.c, which chooses,
	 * unmaps, and counts held or idle steps); NULL: the generic ones.
	 * map: a new region. protect: re-protect live region i. Each returns 0,
	 * -EDQUOT (held at the cap), -ENOSPC (no room), -ENOENT (nothing to do)
	 * or -errno. */
	/* Without a demand, churn from the start: no build to the cap first (short-
	 * lived mappings have no population to build; a build would hold the cap
	 * and make every call walk a larger tree than the workload's). */
	bool no_build;
	int (*map)(struct vs_worker *w);
	int (*protect)(struct vs_worker *w, size_t i, bool building);
	/* What the shape holds of its own beyond its regions (w->shape_state, see
	 * VS_SHAPE_STATE()), released as the worker ends; NULL: nothing. */
	void (*teardown)(struct vs_worker *w);
};

#define VS_SET(k, v)                                                                               \
	{                                                                                          \
		VS_KEY_##k, v                                                                      \
	}
#define VS_PRESETS(...)                                                                            \
	.set = (const struct vs_preset[]){__VA_ARGS__},                                            \
	.n = sizeof((const struct vs_preset[]){__VA_ARGS__}) / sizeof(struct vs_preset)

const struct vs_shape *vs_shape_find(const char *name);
/* "guarded, fragment, churn, ..." */
const char *vs_shape_names(void);
/* Every shape, for documentation; NULL-terminated. */
extern const struct vs_shape *const vs_shapes[];
