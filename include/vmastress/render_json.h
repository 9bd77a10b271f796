/* render_json.h: snapshot -> the stats JSON of DESIGN.md, into the caller's buffer. */
#pragma once
#include <stddef.h>
#include "vmastress/snapshot.h"

/* Returns the length written (without NUL), or -ENOBUFS if buf is too small. */
int vs_render_json(const struct vs_snapshot *s, char *buf, size_t len);
