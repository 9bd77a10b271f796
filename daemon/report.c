/* report.c: the --report file, written at exit (and at the test hold point). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vmastress/log.h"
#include "vmastress/render_json.h"
#include "vmastress/report.h"

int vs_report_write(const struct vs_answer_ctx *c, const char *path, bool final)
{
	static char buf[8192];
	struct vs_snapshot s;
	FILE *f;
	int n;

	vs_answer_snapshot(c, &s);
	n = vs_render_json(&s, buf, sizeof(buf));
	if (n < 2)
		return -ENOBUFS;
	f = strcmp(path, "-") == 0 ? stdout : fopen(path, "we");
	if (!f)
		return vs_log_errno(LOG_ERR, errno, "cannot write report %s", path);
	fwrite(buf, 1, (size_t)n - 2, f); /* without the closing "}\n" */
	fprintf(f, ",\"final\":%s,\"leaked_regions\":", final ? "true" : "false");
	vs_engine_write_leaks(c->eng, f);
	fputs("}\n", f);
	if (f == stdout)
		return fflush(f) == 0 ? 0 : -errno;
	return fclose(f) == 0 ? 0 : vs_log_errno(LOG_ERR, errno, "cannot write report %s", path);
}
