/* watch_backend.c: the watch's backend on its loop (watch_backend.h): the BPF catch or
 * the /proc scan, and the caught calls' ring drained below the clients. */
#include <string.h>
#include <sys/epoll.h>
#include "vmastress/log/log.h"
#include "vmastress/service/loop.h"
#include "vmastress/service/watch_backend.h"
#include "vmastress/watch/catch/caught.h"

static int on_ring(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct vs_watch_backend *b = userdata;

	(void)s, (void)fd, (void)revents;
	vs_watch_caught_drain(&b->caught, b->peaks); /* one batch: the fd stays readable */
	return 0;
}

static int on_marks(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct vs_watch_backend *b = userdata;

	(void)s, (void)fd, (void)revents;
	vs_watch_channel_drain(&b->channel);
	return 0;
}

/* The rings on the loop: the marks above the clients (a climber leaves a few ms
 * between a subscriber's level and the limit), the caught calls below them (a
 * storm's batches wait while a client is answered). */
static int add_rings(struct vs_watch_backend *b, sd_event *ev)
{
	int r;

	if ((r = sd_event_add_io(ev, &b->ring, vs_catch_fd(b->caught.catch), EPOLLIN, on_ring,
				 b)) < 0 ||
	    (r = sd_event_source_set_priority(b->ring, SD_EVENT_PRIORITY_NORMAL + 10)) < 0 ||
	    (r = sd_event_add_io(ev, &b->marks, vs_watch_channel_fd(&b->channel), EPOLLIN,
				 on_marks, b)) < 0 ||
	    (r = sd_event_source_set_priority(b->marks, SD_EVENT_PRIORITY_IMPORTANT)) < 0)
		return r;
	return 0;
}

int vs_watch_backend_open(struct vs_watch_backend *b, sd_event *ev, struct vs_watch *w,
			  struct vs_peaks *peaks, struct vs_names *names, const struct vs_config *cfg)
{
	struct vs_watch_catch *c = &b->caught;
	int r;

	*b = (struct vs_watch_backend){.w = w, .peaks = peaks};
	vs_watch_channel_init(&b->channel, NULL, names);
	c->names = names;
	c->kept = cfg->watch_events_kept;
	if (strcmp(cfg->watch_backend, "proc") == 0) {
		snprintf(c->reason, sizeof(c->reason), "proc: watch.backend = \"proc\"");
		return 0;
	}
	if (vs_catch_open(&c->catch, c->reason, sizeof(c->reason)) < 0) {
		if (strcmp(cfg->watch_backend, "bpf") == 0) {
			vs_log(LOG_ERR, "watch.backend = \"bpf\": %s", c->reason);
			return VS_EX_UNAVAILABLE;
		}
		vs_log(LOG_WARNING, "%s: counting from /proc instead, no failure caught",
		       c->reason);
		return 0;
	}
	c->bpf = true;
	vs_watch_channel_init(&b->channel, c->catch, names);
	snprintf(c->attach, sizeof(c->attach), "%s", vs_catch_attach(c->catch));
	c->reason[0] = 0;
	if ((r = add_rings(b, ev)) < 0) {
		vs_log_errno(LOG_ERR, r, "cannot watch the BPF ring buffers");
		return VS_EX_SOFTWARE;
	}
	return 0;
}

void vs_watch_backend_reload(struct vs_watch_backend *b, const struct vs_config *next)
{
	struct vs_watch_catch *c = &b->caught;

	if (next->watch_events_kept != c->kept) {
		c->kept = next->watch_events_kept;
		c->head = c->n = 0; /* the ring starts over */
	}
}

void vs_watch_backend_publish_limit(void *catch, long limit)
{
	vs_catch_set_limit(catch, limit);
}

static void most_of(unsigned pid, int count, void *ud)
{
	(void)pid;
	if (count > *(long *)ud)
		*(long *)ud = count;
}

long vs_watch_backend_most(const struct vs_watch_backend *b)
{
	long most = 0;

	if (!b->caught.catch || vs_catch_count(b->caught.catch, most_of, &most) < 0)
		most = b->w && b->w->ntop ? b->w->top[0].vmas : 0;
	return most;
}

void vs_watch_backend_close(struct vs_watch_backend *b)
{
	sd_event_source_disable_unref(b->ring);
	sd_event_source_disable_unref(b->marks);
	b->ring = b->marks = NULL;
	vs_catch_close(b->caught.catch);
	b->caught.catch = NULL;
}
