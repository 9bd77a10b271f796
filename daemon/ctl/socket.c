/* socket.c: one request to a daemon's stats socket and its whole answer; the stats
 * JSON fetched and checked. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "ctl.h"

#define ANSWER_TIMEOUT_MS 5000 /* the daemon has a shorter deadline; this covers slow hosts */

static const char *sock_path; /* --socket, or the command's daemon's */

void vs_ctl_set_socket(const char *path)
{
	sock_path = path;
}

void vs_ctl_default_socket(const char *path)
{
	if (!sock_path)
		sock_path = path;
}

/* Send one command, read the whole answer. Returns 0 or a sysexits code. */
int vs_ctl_query(const char *cmd, char *buf, size_t len, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char line[VS_STATS_REQUEST_MAX + 1];
	size_t got = 0;
	int fd;

	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", sock_path);
		return VS_EX_USAGE;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot connect to %s: %s%s", sock_path, strerror(e),
			 e == EACCES			    ? " (are you in the vmastress group?)"
			 : e == ENOENT || e == ECONNREFUSED ? " (is vmastressd running?)"
							    : "");
		return e == EACCES || e == EPERM ? VS_EX_NOPERM : VS_EX_UNAVAILABLE;
	}
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	/* No SIGPIPE: a daemon that answered "error: busy" and closed before
	 * reading leaves that answer to read, and the caller its exit code. */
	ssize_t sent = send(fd, line, (size_t)n, MSG_NOSIGNAL);
	if (sent != n && !(sent < 0 && (errno == EPIPE || errno == ECONNRESET))) {
		snprintf(err, errlen, "cannot send to %s: %s", sock_path, strerror(errno));
		close(fd);
		return VS_EX_UNAVAILABLE;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (;;) {
		if (poll(&p, 1, ANSWER_TIMEOUT_MS) <= 0) {
			snprintf(err, errlen, "no answer from %s within %d ms", sock_path,
				 ANSWER_TIMEOUT_MS);
			close(fd);
			return VS_EX_UNAVAILABLE;
		}
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == len - 1)
			break;
	}
	close(fd);
	buf[got] = 0;
	if (strncmp(buf, "error:", 6) == 0) {
		snprintf(err, errlen, "%s", buf);
		return VS_EX_DATAERR;
	}
	return 0;
}

/* The stats JSON from the daemon at the socket, a load's (watch false) or a
 * watch's; 0 or a sysexits code, the reason in err. */
static int fetch(json_object **out, bool watch, char *err, size_t errlen)
{
	static char buf[VS_CTL_ANSWER_MAX];
	int r = vs_ctl_query("stats", buf, sizeof(buf), err, errlen);

	if (r)
		return r;
	*out = vs_ctl_parse(buf, strlen(buf), err, errlen);
	if (!*out)
		return VS_EX_DATAERR;
	if (watch && !json_object_is_type(vs_ctl_at(*out, "watch"), json_type_object))
		snprintf(err, errlen,
			 "the daemon at the socket is not in watch mode (vmastressd --watch; its "
			 "socket is " VS_DEFAULT_WATCH_SOCKET ")");
	else if (!watch && isnan(vs_ctl_num(*out, J(max_map_count))))
		snprintf(err, errlen, "the daemon's answer is not the stats JSON");
	else
		return 0;
	json_object_put(*out);
	return VS_EX_DATAERR;
}

int vs_ctl_fetch_stats(json_object **out, char *err, size_t errlen)
{
	return fetch(out, false, err, errlen);
}

int vs_ctl_fetch_watch(json_object **out, char *err, size_t errlen)
{
	return fetch(out, true, err, errlen);
}
