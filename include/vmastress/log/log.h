/* log.h: the daemon's one logging module: plain lines and structured entries with
 * fixed MESSAGE_IDs, to journald when one listens and to stderr unless that is
 * the journal already. */
#pragma once
#include <stdint.h>
#include <syslog.h>

enum vs_msg {
	VS_MSG_START,
	VS_MSG_STOP,
	VS_MSG_RELOAD,
	VS_MSG_RELOAD_FAILED,
	VS_MSG_LIMIT_REACHED,
	VS_MSG_FAILURE,
	VS_MSG_LEAK,
	VS_MSG_RECLAIMED,
	VS_MSG_SYSCTL,
	VS_MSG_SUMMARY,
	VS_MSG_DRIFT,
	VS_MSG_VERDICT,
	VS_MSG_WATCH_CROSSED,
	VS_MSG_WATCH_CAUGHT,
	VS_MSG_RAISE,
	VS_MSG_RAISE_REFUSED,
	VS_MSG_WATCH_SOON,
	VS_MSG_COUNT, /* also: a plain line, no MESSAGE_ID */
};

/* What an entry knows; unset fields (op NULL, err 0, worker < 0, counts < 0) are left out. */
struct vs_fields {
	const char *op;
	int err;
	uintptr_t addr;
	uint64_t length;
	int worker;
	long map_count, max_map_count;
	long long leaked_bytes;
	long pid;		 /* watch mode: the process a line is about (< 0: none) */
	const char *comm, *unit; /* and its name and unit (NULL: none) */
	const char *workload, *workload_kind; /* and its workload (workload.h; NULL: none) */
	const char *call;	 /* watch mode: the call the limit refused (NULL: none) */
	long from, to;		 /* the raise policy: the limit before and after (< 0: none) */
	const char *reason;	 /* and what triggered it (NULL: none) */
	long long reaction_us;	 /* and the crossing to the new value (< 0: none) */
	double seconds_to_limit; /* the forecast: time left to the limit (< 0: none) */
	double rate_per_s;	 /* and the climb it comes from (< 0: none) */
};
#define VS_FIELDS_NONE                                                                             \
	{                                                                                          \
		.worker = -1, .map_count = -1, .max_map_count = -1, .leaked_bytes = -1, .pid = -1, \
		.from = -1, .to = -1, .reaction_us = -1, .seconds_to_limit = -1, .rate_per_s = -1  \
	}

/* Look for journald's socket and whether stderr already goes to it; entries
 * carry SYSLOG_IDENTIFIER=ident (NULL: "vmastressd"). */
void vs_log_init(const char *ident);
const char *vs_msg_id(enum vs_msg m);

void vs_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns -|err| so `return vs_log_errno(r, ...)` is one line. */
int vs_log_errno(int prio, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A structured entry: MESSAGE_ID of m, VMASTRESS_* fields from f. */
void vs_log_msg(enum vs_msg m, int prio, const struct vs_fields *f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
