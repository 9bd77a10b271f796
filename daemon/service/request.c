/* request.c: one command line per connection, at most VS_STATS_REQUEST_MAX bytes, ending in '\n'.
 */
#include <string.h>
#include "vmastress/service/request.h"

enum vs_request vs_request_parse(char *buf, size_t len, size_t max, bool eof)
{
	char *nl = memchr(buf, '\n', len);
	size_t n;

	if (!nl && len >= max)
		return VS_REQUEST_TOO_LONG;
	if (!nl && !eof)
		return VS_REQUEST_MORE;
	if (!nl && len == 0)
		return VS_REQUEST_GONE;
	n = nl ? (size_t)(nl - buf) : len;
	if (memchr(buf, 0, n))
		return VS_REQUEST_NUL;
	buf[n] = 0;
	if (n && buf[n - 1] == '\r')
		buf[n - 1] = 0;
	return VS_REQUEST_COMMAND;
}
