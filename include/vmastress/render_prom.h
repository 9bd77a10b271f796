/* render_prom.h: snapshot -> Prometheus text exposition format 0.0.4, caller's buffer. */
#pragma once
#include <stddef.h>
#include "vmastress/snapshot.h"

/* Returns the length written (without NUL), or -ENOBUFS if buf is too small. */
int vs_render_prom(const struct vs_snapshot *s, char *buf, size_t len);
