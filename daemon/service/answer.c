/* answer.c: dispatch of one stats-socket command; renders into the caller's buffer. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "vmastress/output/render.h"
#include "vmastress/service/answer.h"

static const char help[] = "commands:\n"
			   "  stats    the stats JSON\n"
			   "  metrics  Prometheus text format\n"
			   "  version  vmastressd version\n"
			   "  ping     pong\n"
			   "  help     this list\n";

int vs_answer(const char *cmd, char *buf, size_t len, void *userdata)
{
	const struct vs_answer_ctx *c = userdata;
	struct vs_snapshot s;

	if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "metrics") == 0) {
		c->snapshot(c->userdata, &s);
		return cmd[0] == 's' ? vs_render_json(&s, buf, len) : vs_render_prom(&s, buf, len);
	}
	return vs_answer_common(cmd, buf, len);
}

int vs_answer_common(const char *cmd, char *buf, size_t len)
{
	char shown[40];
	size_t i;

	if (strcmp(cmd, "version") == 0)
		return snprintf(buf, len, "vmastressd %s\n", VS_VERSION);
	if (strcmp(cmd, "ping") == 0)
		return snprintf(buf, len, "pong\n");
	if (strcmp(cmd, "help") == 0)
		return snprintf(buf, len, "%s", help);
	/* Echo a printable, bounded excerpt of what was sent. */
	for (i = 0; cmd[i] && i < sizeof(shown) - 1; i++)
		shown[i] = isprint((unsigned char)cmd[i]) && cmd[i] != '"' ? cmd[i] : '?';
	shown[i] = 0;
	if (!cmd[0])
		return snprintf(buf, len, "error: empty request (try \"help\")\n");
	return snprintf(buf, len, "error: unknown command \"%s%s\" (try \"help\")\n", shown,
			cmd[i] ? "..." : "");
}
