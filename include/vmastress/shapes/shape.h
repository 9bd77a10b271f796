/* shape.h: a workload shape: the real consumer it models, the config
 * keys it sets over the defaults, its own keys, what its calls are to that
 * consumer, and optionally its own step, state and teardown. One file per shape
 * in daemon/shapes/, registered in vmastress/registry.h, as stress-ng's stressors are. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/keys.h"
#include "vmastress/stats.h"

struct vs_worker;

/* What a shape's VMAs look like in /proc/PID/maps, for the watch's guess of a
 * process's shape (watch/peaks.c, from a sample of its mappings): a process is
 * judged this shape when at least `guards` of its mappings are anonymous
 * PROT_NONE pages, or at least `files` are file-backed (0: not judged on it);
 * the first shape in registry order that matches is the guess, and the one
 * marked `otherwise` is the guess when none does. */
struct vs_shape_look {
	double guards, files;
	bool otherwise;
};

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
	/* Its own keys ("NAME.key", VS_SHAPE_KEYS_DECLARE, VS_SHAPE_KEY_ROWS). */
	const struct vs_config_key_info *keys;
	unsigned nkeys;
	/* Rules on its keys beyond each one's range, for every configuration
	 * (`active`: this shape is the configured one): 0, or -EINVAL with "key: what"
	 * in err. NULL: none. */
	int (*validate)(const struct vs_config *cfg, bool active, char *err, size_t errlen);
	/* How the watch knows a process of this shape, and what its advice adds
	 * for one (NULL: nothing). */
	struct vs_shape_look look;
	const char *advice;
};

#define VS_SET(k, v)                                                                               \
	{                                                                                          \
		VS_KEY_##k, v                                                                      \
	}
#define VS_PRESETS(...)                                                                            \
	.set = (const struct vs_preset[]){__VA_ARGS__},                                            \
	.n = sizeof((const struct vs_preset[]){__VA_ARGS__}) / sizeof(struct vs_preset)

/*
 * A shape's own keys, declared in its file as rows of config.h's form with the
 * shape's name first:
 *   #define FILES_KEYS(X) X(files, count, UINT, 1, 64, 16, 0, NULL, "doc") ...
 *   VS_SHAPE_KEYS_DECLARE(files, FILES_KEYS);
 * X(shape, field, type, min, max, default, flags, choices, doc): the key is
 * "shape.field" and is parsed, checked, printed by -t, reported and reloaded
 * as the core's are; choices: a STRING's accepted values, "a|b" (NULL: any).
 * This declares `struct vs_keys_SHAPE`, its fields, stored at the shape's slot
 * of every vs_config and read with VS_SHAPE_KEYS(cfg, SHAPE), and the rows the
 * shape's VS_SHAPE_KEY_ROWS(SHAPE) gives the configuration.
 */
#define VS_SHAPE_KEY_FIELD(s, f, ty, lo, hi, ...) VS_CONFIG_CTYPE_##ty(f, hi)
#define VS_SHAPE_KEY_DEF_UINT(d) .def = (d)
#define VS_SHAPE_KEY_DEF_SEED(d) .def = (d)
#define VS_SHAPE_KEY_DEF_FILL(d) .def = (d)
#define VS_SHAPE_KEY_DEF_STRING(d) .def_string = (d)
#define VS_SHAPE_KEY_ROW(s, f, ty, lo, hi, dflt, fl, ch, text)                                     \
	{.path = #s "." #f,                                                                        \
	 .type = VS_KEY_##ty,                                                                      \
	 .offset = offsetof(struct vs_config, shape_keys) +                                        \
		   (size_t)VS_SHAPE_SLOT_##s * VS_SHAPE_KEYS_BYTES +                               \
		   offsetof(struct vs_keys_##s, f),                                                \
	 .size = sizeof(((struct vs_keys_##s *)0)->f),                                             \
	 .min = (lo),                                                                              \
	 .max = (hi),                                                                              \
	 .flags = (fl),                                                                            \
	 .doc = (text),                                                                            \
	 .choices = (ch),                                                                          \
	 VS_SHAPE_KEY_DEF_##ty(dflt)},
#define VS_SHAPE_KEYS_DECLARE(s, LIST)                                                             \
	struct vs_keys_##s {                                                                       \
		LIST(VS_SHAPE_KEY_FIELD)                                                           \
	};                                                                                         \
	_Static_assert(sizeof(struct vs_keys_##s) <= VS_SHAPE_KEYS_BYTES &&                        \
			   _Alignof(struct vs_keys_##s) <= 8,                                      \
		       #s "'s keys fit its slot of a vs_config");                                  \
	static const struct vs_config_key_info vs_key_rows_##s[] = {LIST(VS_SHAPE_KEY_ROW)}
#define VS_SHAPE_KEY_ROWS(s)                                                                       \
	.keys = vs_key_rows_##s, .nkeys = sizeof(vs_key_rows_##s) / sizeof(vs_key_rows_##s[0])
/* The shape's keys in cfg (its struct vs_keys_SHAPE). */
#define VS_SHAPE_KEYS(cfg, s)                                                                      \
	((const struct vs_keys_##s *)(const void *)(cfg)->shape_keys[VS_SHAPE_SLOT_##s])

const struct vs_shape *vs_shape_find(const char *name);
/* "guarded, fragment, churn, ..." */
const char *vs_shape_names(void);
/* The watch's guess for a process with `total` mappings in a sample, `guards` of
 * them anonymous PROT_NONE and `files` file-backed (shape.look); never NULL. */
const struct vs_shape *vs_shape_guess(unsigned long total, unsigned long guards,
				      unsigned long files);
/* Every shape in registry order (vs_shapes[VS_SHAPE_SLOT_NAME]); NULL-terminated. */
extern const struct vs_shape *const vs_shapes[];
