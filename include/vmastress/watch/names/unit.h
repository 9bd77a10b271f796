/* unit.h: a process's name for the operator: its systemd unit, or its container
 * (unit.c). */
#pragma once
#include <stddef.h>

#define VS_WATCH_UNIT_MAX 128

/* The systemd unit (or container) of pid, from its /proc/PID/cgroup; "" when gone. */
void vs_watch_unit_of_pid(long pid, char *unit, size_t len);
/* The same of a cgroup v2 id (its directory's inode), found in the cgroup tree; ""
 * when it is not there. Walks the tree: callers keep the answer. */
void vs_watch_unit_of_cgroup(unsigned long long id, char *unit, size_t len);

/* The systemd unit of a /proc/PID/cgroup text (cgroup v2): the deepest unit
 * in the path, else the deepest slice; "" when none. */
void vs_watch_unit_of(const char *cgroup, char *unit, size_t len);
