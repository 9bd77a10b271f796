/* notify.c: sd_notify to the service manager (a no-op without NOTIFY_SOCKET). */
#include <stdio.h>
#include <time.h>
#include <systemd/sd-daemon.h>
#include "vmastress/service/notify.h"

void vs_notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void vs_notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void vs_notify_reloading(void)
{
	struct timespec ts;

	/* MONOTONIC_USEC lets Type=notify-reload match the reload to this message. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL +
		       (unsigned long long)ts.tv_nsec / 1000);
}

void vs_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void vs_notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

uint64_t vs_notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	return sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
}
