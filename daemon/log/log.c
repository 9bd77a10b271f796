/* log.c: every line the daemon writes: formatted once, then to stderr (unless that
 * is the journal already) and to journald through sd_journal_sendv. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include "vmastress/log/errnames.h"
#include "vmastress/log/log.h"

#define IDENT "vmastressd"
#define FIELDS_MAX 24 /* MESSAGE_ID .. VMASTRESS_UNIT, MESSAGE */

/* Documented in systemd/vmastressd.catalog. */
static const char *const ids[VS_MSG_COUNT] = {
    [VS_MSG_START] = "1ac1e8b320224372ba999030ca0606db",
    [VS_MSG_STOP] = "84019c3f1b914cca825190bbe6d3e9b7",
    [VS_MSG_RELOAD] = "d2cda3a34a404fb2b29f7f818e8dd39d",
    [VS_MSG_RELOAD_FAILED] = "1de24d51e7bf4c2ba0f996f8e65cf08e",
    [VS_MSG_LIMIT_REACHED] = "cd117031d55447e9b0b7a0c06b10a433",
    [VS_MSG_FAILURE] = "31a06da1f0584433a738da2075c7b55b",
    [VS_MSG_LEAK] = "6e0430ad43b1438f98cc33c249ed60f8",
    [VS_MSG_RECLAIMED] = "72f74da5a22f4501b99bf31bca1b8bcd",
    [VS_MSG_SYSCTL] = "69ec50b435154b27839cacfc054f6020",
    [VS_MSG_SUMMARY] = "f0218b61e9c74240a7a52c1fa10434c6",
    [VS_MSG_DRIFT] = "d76bf4b28e1545bfbd478a97e19be8ac",
    [VS_MSG_VERDICT] = "caab7fea6cc240dda9bbe7ec1ed8ad31",
    [VS_MSG_WATCH_CROSSED] = "5b0d3c1e8f7a4e2c9d6b1a0f4e3c2d17",
    [VS_MSG_WATCH_CAUGHT] = "8e1f6a2b7c3d4e5f9a0b1c2d3e4f5a6b",
    [VS_MSG_RAISE] = "a54ab57bc9a549f7a02eb168be486c90",
    [VS_MSG_RAISE_REFUSED] = "539f1f4d7664452ea9035c51b6dadfda",
    [VS_MSG_WATCH_SOON] = "31cf44f2251e4f8385a359196c06c426",
};
static const char *const prio_names[] = {"emerg",   "alert",  "crit", "error",
					 "warning", "notice", "info", "debug"};

static int journal = -1;  /* journald's socket exists; -1: not looked yet */
static int to_stderr = 1; /* stderr is not already the journal */
static const char *journal_ident = IDENT;

const char *vs_msg_id(enum vs_msg m)
{
	return (unsigned)m < VS_MSG_COUNT ? ids[m] : "";
}

void vs_log_init(const char *ident)
{
	struct stat st;
	const char *js = getenv("JOURNAL_STREAM");

	/* sd_journal_send() returns 0 whether or not anyone listens: look. */
	if (ident)
		journal_ident = ident;
	journal = stat("/run/systemd/journal/socket", &st) == 0 && S_ISSOCK(st.st_mode);
	to_stderr = 1;
	if (journal && js && fstat(2, &st) == 0) {
		char me[64];
		snprintf(me, sizeof(me), "%lu:%lu", (unsigned long)st.st_dev,
			 (unsigned long)st.st_ino);
		if (strcmp(me, js) == 0)
			to_stderr = 0; /* systemd connected stderr to the journal already */
	}
}

struct entry {
	struct iovec iov[FIELDS_MAX];
	char buf[FIELDS_MAX - 1][160];
	int n;
};

static void field(struct entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void field(struct entry *e, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(e->buf[e->n], sizeof(e->buf[e->n]), fmt, ap);
	va_end(ap);
	e->iov[e->n].iov_base = e->buf[e->n];
	e->iov[e->n].iov_len = k < (int)sizeof(e->buf[0]) ? (size_t)k : sizeof(e->buf[0]) - 1;
	e->n++;
}

/* The one writer: msg (no prefix, no newline) to stderr and to the journal. */
static void emit(enum vs_msg m, int prio, const struct vs_fields *f, const char *msg)
{
	struct entry e = {.n = 0};
	char full[800];
	int k;

	if (journal < 0)
		vs_log_init(NULL);
	/* One write per line so concurrent lines never interleave mid-line. */
	if (to_stderr)
		fprintf(stderr, IDENT ": %s%s%s\n", m == VS_MSG_COUNT ? prio_names[prio & 7] : "",
			m == VS_MSG_COUNT ? ": " : "", msg);
	if (!journal)
		return;
	if (m != VS_MSG_COUNT)
		field(&e, "MESSAGE_ID=%s", vs_msg_id(m));
	field(&e, "PRIORITY=%d", prio);
	field(&e, "SYSLOG_IDENTIFIER=%s", journal_ident);
	if (f && f->op)
		field(&e, "VMASTRESS_OP=%s", f->op);
	if (f && f->err) {
		field(&e, "ERRNO=%d", f->err);
		field(&e, "VMASTRESS_ERRNO_NAME=%s", vs_errno_name(f->err));
	}
	if (f && f->addr)
		field(&e, "VMASTRESS_ADDR=0x%" PRIxPTR, f->addr);
	if (f && f->length)
		field(&e, "VMASTRESS_LENGTH=%" PRIu64, f->length);
	if (f && f->worker >= 0)
		field(&e, "VMASTRESS_WORKER=%d", f->worker);
	if (f && f->map_count >= 0)
		field(&e, "VMASTRESS_MAP_COUNT=%ld", f->map_count);
	if (f && f->max_map_count >= 0)
		field(&e, "VMASTRESS_MAX_MAP_COUNT=%ld", f->max_map_count);
	if (f && f->leaked_bytes >= 0)
		field(&e, "VMASTRESS_LEAKED_BYTES=%lld", f->leaked_bytes);
	if (f && f->pid >= 0) {
		/* OBJECT_PID: journald adds the process's own fields (when we are root). */
		field(&e, "OBJECT_PID=%ld", f->pid);
		field(&e, "VMASTRESS_PID=%ld", f->pid);
	}
	if (f && f->comm)
		field(&e, "VMASTRESS_COMM=%s", f->comm);
	if (f && f->unit && f->unit[0])
		field(&e, "VMASTRESS_UNIT=%s", f->unit);
	if (f && f->workload && f->workload[0])
		field(&e, "VMASTRESS_WORKLOAD=%s", f->workload);
	if (f && f->workload_kind && f->workload_kind[0])
		field(&e, "VMASTRESS_WORKLOAD_KIND=%s", f->workload_kind);
	if (f && f->call) {
		field(&e, "VMASTRESS_CALL=%s", f->call);
		field(&e, "VMASTRESS_ERRNO=%s", vs_errno_name(f->err));
	}
	if (f && f->from >= 0)
		field(&e, "VMASTRESS_FROM=%ld", f->from);
	if (f && f->to >= 0)
		field(&e, "VMASTRESS_TO=%ld", f->to);
	if (f && f->reason)
		field(&e, "VMASTRESS_REASON=%s", f->reason);
	if (f && f->reaction_us >= 0)
		field(&e, "VMASTRESS_REACTION_US=%lld", f->reaction_us);
	if (f && f->seconds_to_limit >= 0)
		field(&e, "VMASTRESS_SECONDS_TO_LIMIT=%.1f", f->seconds_to_limit);
	if (f && f->rate_per_s >= 0)
		field(&e, "VMASTRESS_RATE_PER_S=%.1f", f->rate_per_s);
	/* sendv takes one whole FIELD=value per iovec; MESSAGE may be long. */
	k = snprintf(full, sizeof(full), "MESSAGE=%s", msg);
	e.iov[e.n].iov_base = full;
	e.iov[e.n].iov_len = k < (int)sizeof(full) ? (size_t)k : sizeof(full) - 1;
	sd_journal_sendv(e.iov, e.n + 1);
}

/* Format once; err > 0 appends ": ENAME (text)". */
static void vemit(enum vs_msg m, int prio, const struct vs_fields *f, int err, const char *fmt,
		  va_list ap) __attribute__((format(printf, 5, 0)));
static void vemit(enum vs_msg m, int prio, const struct vs_fields *f, int err, const char *fmt,
		  va_list ap)
{
	char msg[768];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (err > 0 && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s (%s)", vs_errno_name(err),
			 strerror(err));
	emit(m, prio, f, msg);
}

void vs_log_msg(enum vs_msg m, int prio, const struct vs_fields *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(m, prio, f, 0, fmt, ap);
	va_end(ap);
}

void vs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(VS_MSG_COUNT, prio, NULL, 0, fmt, ap);
	va_end(ap);
}

int vs_log_errno(int prio, int err, const char *fmt, ...)
{
	va_list ap;

	err = err < 0 ? -err : err;
	va_start(ap, fmt);
	vemit(VS_MSG_COUNT, prio, NULL, err, fmt, ap);
	va_end(ap);
	return -err;
}
