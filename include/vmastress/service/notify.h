/* notify.h: sd_notify: READY, STATUS, WATCHDOG, RELOADING, STOPPING. */
#pragma once
#include <stdint.h>

void vs_notify_ready(const char *status);
void vs_notify_status(const char *status);
void vs_notify_reloading(void);
void vs_notify_stopping(void);
void vs_notify_watchdog(void);
/* The watchdog interval systemd asked for, or 0. */
uint64_t vs_notify_watchdog_usec(void);
