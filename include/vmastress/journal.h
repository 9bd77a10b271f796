/* journal.h: structured journald entries with fixed MESSAGE_IDs; stderr without a journal. */
#pragma once
#include <stdint.h>

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
	VS_MSG_COUNT,
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
};
#define VS_FIELDS_NONE                                                                             \
	{                                                                                          \
		.worker = -1, .map_count = -1, .max_map_count = -1, .leaked_bytes = -1             \
	}

const char *vs_msg_id(enum vs_msg m);
/* Look for journald's socket; stderr stays on unless it is already the journal. */
void vs_journal_init(void);
int vs_journal_available(void);
void vs_journal_send(enum vs_msg m, int prio, const struct vs_fields *f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Plain lines (no MESSAGE_ID) from vs_log. */
void vs_journal_line(int prio, const char *msg);
int vs_journal_stderr_enabled(void);
