/* journal.c: structured entries through sd_journal_sendv; detection of a real journal. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include "vmastress/errnames.h"
#include "vmastress/journal.h"

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
};

static int journal = -1;  /* journald's socket exists */
static int to_stderr = 1; /* stderr is not already the journal */

const char *vs_msg_id(enum vs_msg m)
{
	return (unsigned)m < VS_MSG_COUNT ? ids[m] : "";
}

void vs_journal_init(void)
{
	struct stat st;
	const char *js = getenv("JOURNAL_STREAM");

	/* sd_journal_send() returns 0 whether or not anyone listens: look. */
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

int vs_journal_available(void)
{
	if (journal < 0)
		vs_journal_init();
	return journal;
}

int vs_journal_stderr_enabled(void)
{
	if (journal < 0)
		vs_journal_init();
	return to_stderr;
}

void vs_journal_line(int prio, const char *msg)
{
	if (vs_journal_available())
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%i", prio,
				"SYSLOG_IDENTIFIER=vmastressd", NULL);
}

#define FIELD(fmt, ...)                                                                            \
	do {                                                                                       \
		int k_ = snprintf(buf[n], sizeof(buf[n]), fmt, __VA_ARGS__);                       \
		iov[n].iov_base = buf[n];                                                          \
		iov[n].iov_len = k_ < (int)sizeof(buf[n]) ? (size_t)k_ : sizeof(buf[n]) - 1;       \
		n++;                                                                               \
	} while (0)

void vs_journal_send(enum vs_msg m, int prio, const struct vs_fields *f, const char *fmt, ...)
{
	char msg[768], buf[14][96];
	struct iovec iov[15];
	int n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (vs_journal_stderr_enabled())
		fprintf(stderr, "vmastressd: %s\n", msg);
	if (!vs_journal_available())
		return;
	FIELD("MESSAGE_ID=%s", vs_msg_id(m));
	FIELD("PRIORITY=%d", prio);
	FIELD("SYSLOG_IDENTIFIER=%s", "vmastressd");
	if (f && f->op)
		FIELD("VMASTRESS_OP=%s", f->op);
	if (f && f->err) {
		FIELD("ERRNO=%d", f->err);
		FIELD("VMASTRESS_ERRNO_NAME=%s", vs_errno_name(f->err));
	}
	if (f && f->addr)
		FIELD("VMASTRESS_ADDR=0x%" PRIxPTR, f->addr);
	if (f && f->length)
		FIELD("VMASTRESS_LENGTH=%" PRIu64, f->length);
	if (f && f->worker >= 0)
		FIELD("VMASTRESS_WORKER=%d", f->worker);
	if (f && f->map_count >= 0)
		FIELD("VMASTRESS_MAP_COUNT=%ld", f->map_count);
	if (f && f->max_map_count >= 0)
		FIELD("VMASTRESS_MAX_MAP_COUNT=%ld", f->max_map_count);
	if (f && f->leaked_bytes >= 0)
		FIELD("VMASTRESS_LEAKED_BYTES=%lld", f->leaked_bytes);
	/* sendv takes one whole FIELD=value per iovec. */
	char full[800];
	int k = snprintf(full, sizeof(full), "MESSAGE=%s", msg);
	iov[n].iov_base = full;
	iov[n].iov_len = k < (int)sizeof(full) ? (size_t)k : sizeof(full) - 1;
	n++;
	sd_journal_sendv(iov, n);
}
