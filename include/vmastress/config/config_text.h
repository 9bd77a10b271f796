/* config_text.h: the config file's text, for what libconfig 1.5 reads wrongly. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Read a regular file under 1 MiB without NUL bytes; the caller frees *out.
 * Returns 0 or -errno (with "FILE:0: file: ..." in err for what is not errno). */
int vs_config_read_text(const char *path, char **out, char *err, size_t errlen);

/*
 * libconfig 1.5 wraps integers above 2^31 without an L suffix (4294967297 reads
 * as 1), so read the literal again from the source line: `name` as a whole word
 * followed by '=' or ':'. Returns 0, -ERANGE (beyond 64 bits), -ENOENT or -EINVAL.
 */
int vs_config_raw_integer(const char *text, int line, const char *name, unsigned long long *out,
			  bool *negative);
