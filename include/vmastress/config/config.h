/* config.h: the owner of the configuration (config.c): the effective configuration
 * from the defaults, a shape's presets, a file and the command line; its rules, its
 * reload, its printing. The keys and struct vs_config are keys.h's. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "vmastress/keys.h"

/* The core's keys, by VS_KEY_ id. */
extern const struct vs_config_key_info vs_config_keys[VS_KEY_COUNT];
/* Every key, the core's then each shape's in registry order (the order of `-t`
 * and the report): i from 0 until NULL. */
const struct vs_config_key_info *vs_config_key(unsigned i);
/* The key named "group.name", NULL if none. */
const struct vs_config_key_info *vs_config_key_find(const char *path);

/* Command-line values: each applies when its has[] is set, over the file. */
struct vs_overrides {
	bool has[VS_KEY_COUNT];
	struct vs_config v;
};

/* Where the configuration comes from: kept by the loop and read again on reload. */
struct vs_config_source {
	const char *path; /* NULL: built-in defaults only */
	bool must_exist;  /* named on the command line; else a missing file means defaults */
	/* A bounded load test from the command line (-d, --max-ops): the default
	 * file is the service's, so its outputs (stats.socket, stats.textfile) are
	 * not taken from it: the run must not clobber the service's. */
	bool one_off;
	struct vs_overrides ov;
};

/*
 * The effective configuration: the shape's preset (from the overrides, else the
 * file's `shape`, else the default), then the file's keys, then the
 * overrides. On error returns -EINVAL/-ENOENT/... with "FILE:LINE: key: what"
 * in err.
 */
int vs_config_load(struct vs_config *cfg, const struct vs_config_source *src, char *err,
		   size_t errlen);
/*
 * The configuration a reload gives: vs_config_load(), with the VS_KEY_FROZEN
 * keys taken from `running`. `frozen` (may be NULL) gets the frozen keys the
 * source would have changed, comma-separated, "" if none.
 */
int vs_config_reload(struct vs_config *next, const struct vs_config_source *src,
		     const struct vs_config *running, char *frozen, size_t frozenlen, char *err,
		     size_t errlen);

/* The built-in defaults with `shape`'s preset; -EINVAL if unknown. */
int vs_config_defaults(struct vs_config *cfg, const char *shape);
/* Set a key from the command line; -EINVAL with "what" in err if out of range. */
int vs_overrides_set(struct vs_overrides *ov, enum vs_config_key k, const char *text, char *err,
		     size_t errlen);
/* Rules between keys: "key: what" in err. */
/* raise.kernel_budget's text: a share of MemTotal ("2%", "0.5%": *share in (0, 1],
 * *bytes 0) or bytes, with an optional K, M or G (binary; *share 0). 0 or -EINVAL. */
int vs_config_budget(const char *text, double *share, uint64_t *bytes);
int vs_config_validate(const struct vs_config *cfg, char *err, size_t errlen);
/* The effective configuration in libconfig syntax, each key with its doc. */
void vs_config_print(const struct vs_config *cfg, FILE *out);

/* A key's value in cfg. */
static inline void *vs_config_at(struct vs_config *cfg, const struct vs_config_key_info *ki)
{
	return (char *)cfg + ki->offset;
}

static inline const void *vs_config_value(const struct vs_config *cfg,
					  const struct vs_config_key_info *ki)
{
	return (const char *)cfg + ki->offset;
}

static inline void *vs_config_field(struct vs_config *cfg, enum vs_config_key k)
{
	return vs_config_at(cfg, &vs_config_keys[k]);
}
