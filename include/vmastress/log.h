/* log.h: the daemon's log seam (stderr now; journald plugs in behind it). */
#pragma once
#include <stdarg.h>
#include <syslog.h>

void vs_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns -|err| so `return vs_log_errno(r, ...)` is one line. */
int vs_log_errno(int prio, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vs_log_set_level(int max_prio);
