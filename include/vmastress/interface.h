/* interface.h: what the daemon and vmastressctl agree on: paths and exit codes. */
#pragma once

#define VS_DEFAULT_CONFIG "/etc/vmastress/vmastressd.conf"
#define VS_DEFAULT_SOCKET "/run/vmastress/stats.sock"
#define VS_DEFAULT_WATCH_SOCKET "/run/vmastress/watch.sock" /* vmastress-watch.service */

/* sysexits(3): both programs use them, so scripts read one set of codes. */
#define VS_EX_OK 0
/* Not a sysexit: a bounded run whose demand the limit did not hold, so fleet
 * tools can gate on the verdict. */
#define VS_EX_NOT_HELD 2
#define VS_EX_USAGE 64
#define VS_EX_DATAERR 65 /* vmastressctl: a bad answer or report file */
#define VS_EX_NOINPUT 66 /* vmastressctl: a report file that does not exist */
#define VS_EX_UNAVAILABLE 69
#define VS_EX_SOFTWARE 70
#define VS_EX_NOPERM 77 /* also: vmastressctl plot cannot write its file */
#define VS_EX_CONFIG 78

/* The stats socket's request bound, shared so the client never sends more. */
#define VS_STATS_REQUEST_MAX 256
