/* render.h: the raise policy in the watch's stats and metrics (render.c), from its
 * rows (raise/fields.h). No allocation. */
#pragma once
#include "vmastress/raise/policy.h"

struct vs_textbuf;
/* "raise" (trigger: "bpf" or "scan"), its part of "advice", its metrics. */
void vs_render_raise_json(struct vs_textbuf *o, const struct vs_raise *r, const char *trigger);
void vs_render_raise_advice_json(struct vs_textbuf *o, const struct vs_raise *r);
void vs_render_raise_prom(struct vs_textbuf *o, const struct vs_raise *r);
