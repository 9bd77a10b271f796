/* config_internal.h: what config.c (the key table, its rules, the defaults) gives
 * config_file.c (the file's reader); not for other modules. */
#pragma once
#include "vmastress/config/config.h"

#define KEY(k) (vs_config_keys[VS_KEY_##k].path)

/* The built-in defaults (each row's default), before a shape's presets. */
extern const struct vs_config vs_config_builtin;
/* What a string key accepts beyond its length, into what; "" when fine. */
const char *vs_config_check_string(const struct vs_config_key_info *ki, const char *v, char *what,
				   size_t len);
/* stats.textfile = "auto" made a path, or off. */
void vs_config_resolve_textfile(struct vs_config *cfg);
/* The command line's keys over cfg. */
void vs_config_apply_overrides(struct vs_config *cfg, const struct vs_overrides *ov);
