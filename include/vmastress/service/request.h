/* request.h: the stats socket's request framing, pure (fuzzed: tests/fuzz). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum vs_request {
	VS_REQUEST_MORE,     /* no newline yet: keep reading */
	VS_REQUEST_COMMAND,  /* buf now holds the command, NUL-terminated */
	VS_REQUEST_TOO_LONG, /* max bytes without a newline */
	VS_REQUEST_NUL,	     /* a NUL byte inside the line */
	VS_REQUEST_GONE,     /* the peer closed without sending anything */
};

/* buf holds len bytes received so far (len <= max, buf has room for max + 1);
 * eof: the peer closed its side. A final line without '\n' at EOF is accepted. */
enum vs_request vs_request_parse(char *buf, size_t len, size_t max, bool eof);
