/* duration.c: a span of time as people say it: "0.4 s", "74 s", "12 min", "3 h", "5 days". */
#include <math.h>
#include <stdio.h>
#include "ctl.h"

#define MINUTE 60.0
#define HOUR 3600.0
#define DAY 86400.0

const char *vs_ctl_duration(double seconds, char *buf, size_t len)
{
	double s = seconds < 0 || isnan(seconds) ? 0 : seconds;

	/* each unit from twice the next smaller one: "90 s", not "2 min" */
	if (s < 10 && fabs(s - round(s)) >= 0.05) /* "0.4 s", but "1 s" */
		snprintf(buf, len, "%.1f s", s);
	else if (s < 2 * MINUTE)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 2 * HOUR)
		snprintf(buf, len, "%.0f min", s / MINUTE);
	else if (s < 2 * DAY)
		snprintf(buf, len, "%.0f h", s / HOUR);
	else
		snprintf(buf, len, "%.0f days", s / DAY);
	return buf;
}
