/* stats_server.c: the stats socket on sd-event; fixed client pool, no allocation per query. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include "vmastress/log/log.h"
#include "vmastress/service/request.h"
#include "vmastress/service/stats_server.h"

#define ACCEPTS_PER_WAKEUP 256 /* bounded: the loop has other work too */

struct client {
	struct vs_stats_server *srv;
	int fd;
	sd_event_source *io, *timer;
	char in[VS_STATS_REQUEST_MAX + 1];
	size_t inlen;
	char out[VS_STATS_ANSWER_MAX];
	size_t outlen, outoff;
	uint64_t accepted_usec; /* monotonic: who has waited longest */
};

struct vs_stats_server {
	sd_event *ev;
	int fd;
	bool owns_path;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	sd_event_source *listen;
	vs_stats_answer_fn fn;
	void *userdata;
	unsigned long rejected, evicted;
	struct client clients[VS_STATS_CLIENTS_MAX];
};

/* Closing with unread input makes the kernel send RST, which can destroy the
 * answer before the peer reads it: drain what is there first (bounded). */
static void drain_close(int fd)
{
	char sink[1024];

	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
		;
	close(fd);
}

static void client_close(struct client *c)
{
	c->io = sd_event_source_disable_unref(c->io);
	c->timer = sd_event_source_disable_unref(c->timer);
	if (c->fd >= 0)
		drain_close(c->fd);
	c->fd = -1;
}

/* Best effort, never blocks: for refusals. */
static void say_and_close(int fd, const char *msg)
{
	ssize_t n = send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)n;
	drain_close(fd);
}

static int flush(struct client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			return sd_event_source_set_io_events(c->io, EPOLLOUT);
		if (n <= 0) {
			client_close(c);
			return 0;
		}
		c->outoff += (size_t)n;
	}
	client_close(c);
	return 0;
}

static void answer(struct client *c, const char *cmd)
{
	int n = c->srv->fn(cmd, c->out, sizeof(c->out), c->srv->userdata);

	if (n < 0)
		n = snprintf(c->out, sizeof(c->out), "error: internal: answer too large\n");
	c->outlen = (size_t)n;
	c->outoff = 0;
	flush(c);
}

static void reject(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reject(struct client *c, const char *fmt, ...)
{
	va_list ap;

	c->srv->rejected++;
	va_start(ap, fmt);
	c->outlen = (size_t)vsnprintf(c->out, sizeof(c->out), fmt, ap);
	va_end(ap);
	c->outoff = 0;
	flush(c);
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct client *c = userdata;
	ssize_t n;

	(void)s;
	if (c->outlen)
		return (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)) ? flush(c) : 0;
	n = recv(fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0) {
		client_close(c);
		return 0;
	}
	c->inlen += (size_t)n;
	switch (vs_request_parse(c->in, c->inlen, VS_STATS_REQUEST_MAX, n == 0)) {
	case VS_REQUEST_MORE:
		return 0;
	case VS_REQUEST_TOO_LONG:
		reject(c, "error: request longer than %d bytes\n", VS_STATS_REQUEST_MAX);
		return 0;
	case VS_REQUEST_NUL:
		reject(c, "error: NUL byte in request\n");
		return 0;
	case VS_REQUEST_GONE:
		client_close(c);
		return 0; /* connected, left without a word */
	case VS_REQUEST_COMMAND:
		break;
	}
	answer(c, c->in);
	return 0;
}

static int on_client_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct client *c = userdata;

	(void)s;
	(void)usec;
	if (c->outlen) { /* the peer does not read its answer */
		client_close(c);
		return 0;
	}
	c->timer = sd_event_source_disable_unref(c->timer);
	c->srv->rejected++;
	c->outlen = (size_t)snprintf(c->out, sizeof(c->out), "error: no request within %d ms\n",
				     VS_STATS_DEADLINE_MS);
	c->outoff = 0;
	flush(c);
	return 0;
}

/*
 * A free slot; with the pool full, the slot of the client that has waited
 * longest without completing a request (a silent or leaked connection must
 * never starve a client that asks). NULL when every client is being answered.
 */
static struct client *free_slot(struct vs_stats_server *s)
{
	struct client *oldest = NULL;

	for (unsigned i = 0; i < VS_STATS_CLIENTS_MAX; i++) {
		struct client *c = &s->clients[i];
		if (c->fd < 0)
			return c;
		if (!c->outlen && (!oldest || c->accepted_usec < oldest->accepted_usec))
			oldest = c;
	}
	if (oldest) {
		s->evicted++;
		static const char msg[] = "error: evicted: no request while others waited\n";
		(void)!send(oldest->fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		client_close(oldest);
	}
	return oldest;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct vs_stats_server *s = userdata;
	uint64_t now;

	(void)src;
	(void)revents;
	sd_event_now(s->ev, CLOCK_MONOTONIC, &now);
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			break;
		unsigned long evicted = s->evicted;
		struct client *c = free_slot(s);
		if (!c) {
			s->rejected++;
			say_and_close(cfd, "error: busy, too many clients\n");
			continue;
		}
		memset(c, 0, offsetof(struct client, out));
		c->outlen = c->outoff = 0;
		c->srv = s;
		c->fd = cfd;
		c->accepted_usec = now + (uint64_t)i; /* in accept order within one wakeup */
		if (sd_event_add_io(s->ev, &c->io, cfd, EPOLLIN, on_client_io, c) < 0 ||
		    sd_event_add_time_relative(s->ev, &c->timer, CLOCK_MONOTONIC,
					       VS_STATS_DEADLINE_MS * 1000ULL, 0, on_client_timeout,
					       c) < 0) {
			client_close(c);
			continue;
		}
		/* A request already there is answered now, before a later accept of
		 * this batch could take the slot of a client that did ask. */
		on_client_io(c->io, cfd, EPOLLIN, c);
		/* Past an eviction, back to the loop: the requests that arrived
		 * meanwhile are read (clients come first) before more accepts. */
		if (s->evicted != evicted)
			break;
	}
	return 0;
}

static int bind_path(struct vs_stats_server *s, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return vs_log_errno(LOG_ERR, ENAMETOOLONG, "stats socket %s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* Outside systemd (no RuntimeDirectory=), make the socket's directory. */
	char dir[sizeof(sa.sun_path)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return vs_log_errno(LOG_ERR, errno, "stats socket directory %s", dir);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return vs_log_errno(LOG_ERR, errno, "stats socket: socket()");
	/* A socket file that still answers belongs to a running daemon. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN) {
		close(fd);
		vs_log(LOG_ERR,
		       "stats socket %s is held by another running daemon (ask it: vmastressctl "
		       "--socket %s status); give this one another socket with --socket PATH, or "
		       "--socket none",
		       path, path);
		return -EADDRINUSE;
	}
	close(fd);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			vs_log(LOG_ERR, "stats socket %s: exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path); /* stale: nobody listens */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return vs_log_errno(LOG_ERR, errno, "stats socket: socket()");
	mode_t old = umask(0117);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(path, 0660) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		return vs_log_errno(LOG_ERR, r, "stats socket %s", path);
	}
	s->owns_path = true;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return fd;
}

int vs_stats_server_new(struct vs_stats_server **out, sd_event *ev, const char *path,
			vs_stats_answer_fn fn, void *userdata)
{
	struct vs_stats_server *s;
	int n, fd, r;

	*out = NULL;
	n = sd_listen_fds(1);
	if (n <= 0 && strcmp(path, "none") == 0)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (unsigned i = 0; i < VS_STATS_CLIENTS_MAX; i++)
		s->clients[i].fd = -1;
	s->ev = ev;
	s->fn = fn;
	s->userdata = userdata;
	if (n >= 1 && sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) > 0) {
		fd = SD_LISTEN_FDS_START;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		vs_log(LOG_INFO, "stats socket: passed by systemd (socket activation)");
	} else {
		fd = bind_path(s, path);
		if (fd >= 0)
			vs_log(LOG_INFO, "stats socket: listening on %s", path);
	}
	if (fd < 0) {
		free(s);
		return fd;
	}
	s->fd = fd;
	r = sd_event_add_io(ev, &s->listen, fd, EPOLLIN, on_accept, s);
	/* Clients (priority 0) are served before new connections are accepted. */
	if (r >= 0)
		r = sd_event_source_set_priority(s->listen, SD_EVENT_PRIORITY_NORMAL + 10);
	if (r < 0) {
		vs_stats_server_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void vs_stats_server_free(struct vs_stats_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < VS_STATS_CLIENTS_MAX; i++)
		if (s->clients[i].fd >= 0)
			client_close(&s->clients[i]);
	sd_event_source_disable_unref(s->listen);
	close(s->fd);
	if (s->owns_path)
		unlink(s->path);
	free(s);
}

unsigned long vs_stats_server_rejected(const struct vs_stats_server *s)
{
	return s ? s->rejected : 0;
}

unsigned long vs_stats_server_evicted(const struct vs_stats_server *s)
{
	return s ? s->evicted : 0;
}
