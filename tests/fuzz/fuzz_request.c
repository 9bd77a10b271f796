/* fuzz_request.c: libFuzzer target: bytes arriving on the stats socket in random
 * chunks, through the request framing and the command dispatcher. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "vmastress/service/answer.h"
#include "vmastress/service/request.h"
#include "vmastress/service/stats_server.h"
#include "vmastress/work/engine.h"

static struct vs_engine *engine;

static void snapshot(void *userdata, struct vs_snapshot *s)
{
	vs_engine_snapshot(userdata, s);
}

static struct vs_answer_ctx ctx = {.snapshot = snapshot};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vs_config cfg;

	(void)argc;
	(void)argv;
	/* A real engine, never started: stats and metrics render real snapshots. */
	if (vs_config_defaults(&cfg, "guarded") < 0)
		return 1;
	cfg.workers = 1;
	if (vs_engine_new(&engine, &cfg, 0) < 0)
		return 1;
	ctx.userdata = engine;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[VS_STATS_ANSWER_MAX];
	char buf[VS_STATS_REQUEST_MAX + 1];
	size_t len = 0, i = 0;

	/* First byte: chunk size, like recv() splitting the stream. */
	size_t chunk = size ? (size_t)data[0] % 64 + 1 : 1;
	for (i = size ? 1 : 0; i <= size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;
		if (n > VS_STATS_REQUEST_MAX - len)
			n = VS_STATS_REQUEST_MAX - len;
		memcpy(buf + len, data + i, n);
		len += n;
		bool eof = i + chunk > size;
		enum vs_request r = vs_request_parse(buf, len, VS_STATS_REQUEST_MAX, eof);
		if (r == VS_REQUEST_MORE)
			continue;
		if (r == VS_REQUEST_COMMAND) {
			int k = vs_answer(buf, out, sizeof(out), &ctx);
			if (k <= 0 || out[k - 1] != '\n')
				__builtin_trap(); /* every answer is whole lines */
		}
		break;
	}
	return 0;
}
