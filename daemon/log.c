/* log.c: the daemon's log seam; stderr for now, journald plugs in behind it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vmastress/errnames.h"
#include "vmastress/journal.h"
#include "vmastress/log.h"

static int max_prio = LOG_INFO;
static const char *const prio_names[] = {"emerg",   "alert",  "crit", "error",
					 "warning", "notice", "info", "debug"};

void vs_log_set_level(int prio)
{
	max_prio = prio;
}

static void vlog(int prio, const char *suffix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void vlog(int prio, const char *suffix, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (prio > max_prio)
		return;
	/* One write per line so concurrent lines never interleave mid-line. */
	n = snprintf(line, sizeof(line), "vmastressd: %s: ", prio_names[prio & 7]);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = (int)strlen(line);
	snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", suffix ? suffix : "");
	if (vs_journal_stderr_enabled())
		fputs(line, stderr);
	n = (int)strlen(line);
	line[n - 1] = 0; /* the journal takes the text without the prefix and newline */
	vs_journal_line(prio, strchr(line, ':') + 2 + strlen(prio_names[prio & 7]) + 2);
}

void vs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, NULL, fmt, ap);
	va_end(ap);
}

int vs_log_errno(int prio, int err, const char *fmt, ...)
{
	char suffix[64];
	va_list ap;

	err = err < 0 ? -err : err;
	snprintf(suffix, sizeof(suffix), ": %s (%s)", vs_errno_name(err), strerror(err));
	va_start(ap, fmt);
	vlog(prio, suffix, fmt, ap);
	va_end(ap);
	return -err;
}
