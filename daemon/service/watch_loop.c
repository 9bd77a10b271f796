/* watch_loop.c: watch mode's sd-event loop: a scan of every process every
 * watch.interval, the stats socket, the textfile, journal lines on threshold
 * crossings, sd_notify; no load workers. */
#include <errno.h>
#include <sys/epoll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>
#include "vmastress/log/log.h"
#include "vmastress/model/vma.h"
#include "vmastress/output/render_watch.h"
#include "vmastress/output/report.h"
#include "vmastress/service/answer.h"
#include "vmastress/service/lines.h"
#include "vmastress/service/loop.h"
#include "vmastress/service/notify.h"
#include "vmastress/service/stats_server.h"
#include "vmastress/service/watch_backend.h"
#include "vmastress/service/watch_loop.h"
#include "vmastress/service/watch_peaks.h"
#include "vmastress/raise/wiring.h"
#include "vmastress/watch/catch/caught.h"
#include "vmastress/watch/scan/scanner.h"

#define STATUS_LEN 256

struct watch_loop {
	sd_event *ev;
	struct vs_config cfg; /* the running configuration (reloads replace it) */
	const struct vs_run_options *opt;
	struct vs_stats_server *server;
	sd_event_source *scan, *textfile, *scanned;
	struct vs_watch_scanner *scanner; /* the scans, off this loop */
	double started, started_realtime;
	struct vs_watch w;
	struct vs_output_state textfile_out;
	struct vs_kept_peaks kept;	 /* the peaks kept across restarts */
	struct vs_watch_limit limit;	 /* the one owner of vm.max_map_count: scans and raises */
	struct vs_names names;		 /* the workloads' names: the scanner reads, all look up */
	struct vs_watch_backend backend; /* the BPF catch or the /proc scan, its channel */
	/* The concerns (concern.h), each with its own state: started, handed each scan,
	 * reloaded and stopped in this order, rendered in their place. */
	struct vs_raiser raiser; /* raise.* */
	const struct vs_watch_concern *concerns[VS_WATCH_CONCERNS_MAX];
	struct vs_watch_concern concern[VS_WATCH_CONCERNS_MAX];
	unsigned nconcerns;
	int hook_err_said; /* the hook's error last logged */
};

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct vs_watch_view view(const struct watch_loop *l)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (struct vs_watch_view){.w = &l->w,
				      .uptime_seconds = monotonic() - l->started,
				      .start_time_seconds = l->started_realtime,
				      .interval = l->cfg.watch_interval,
				      .textfile = &l->textfile_out,
				      .peaks = &l->kept.peaks,
				      .catch_mode = l->cfg.watch_catch,
				      .workloads = l->cfg.watch_workloads,
				      .caught = &l->backend.caught,
				      .concerns = l->concerns,
				      .nconcerns = l->nconcerns,
				      .now = (double)now.tv_sec + (double)now.tv_nsec / 1e9};
}

static int answer(const char *cmd, char *buf, size_t len, void *userdata)
{
	struct watch_loop *l = userdata;
	struct vs_watch_view v = view(l);

	if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "metrics") == 0)
		vs_watch_caught_update(&l->backend.caught, &l->kept.peaks);
	if (strcmp(cmd, "stats") == 0)
		return vs_render_watch_json(&v, buf, len);
	if (strcmp(cmd, "metrics") == 0)
		return vs_render_watch_prom(&v, buf, len);
	return vs_answer_common(cmd, buf, len);
}

static void status(const struct watch_loop *l, char *line, size_t len)
{
	const struct vs_watch *w = &l->w;
	unsigned i = 0;

	while (i < w->ntop && w->top[i].load) /* a load test is near the limit on purpose */
		i++;
	size_t at;
	if (l->backend.caught.catch)
		at = (size_t)snprintf(line, len, "bpf (%s): ", l->backend.caught.attach);
	else
		at = (size_t)snprintf(line, len, "/proc scan (%s): ", l->backend.caught.reason);
	if (at >= len)
		at = len - 1;
	line += at;
	len -= at;
	if (i == w->ntop)
		snprintf(line, len, "watching: %llu processes, %llu VMAs",
			 (unsigned long long)w->processes, (unsigned long long)w->vmas);
	else
		snprintf(line, len,
			 "watching: %llu processes, %llu VMAs; most: %s (%ld) %ld of %ld (%.1f%%); "
			 "%llu at or above 80%%",
			 (unsigned long long)w->processes, (unsigned long long)w->vmas,
			 w->top[i].comm, w->top[i].pid, w->top[i].vmas, w->limit,
			 w->limit ? 100.0 * (double)w->top[i].vmas / (double)w->limit : 0,
			 (unsigned long long)w->above[1]);
	if (l->textfile_out.failing)
		snprintf(line + strlen(line), len - strlen(line), "; textfile FAILING: %s",
			 l->textfile_out.error);
	uint64_t hits = 0;
	for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++)
		hits += l->backend.caught.hits[k];
	if (hits)
		snprintf(line + strlen(line), len - strlen(line),
			 "; %llu calls refused at the limit", (unsigned long long)hits);
}

static void log_crossings(const struct watch_loop *l)
{
	const struct vs_watch *w = &l->w;
	static uint64_t suppressed_reported;

	for (unsigned i = 0; i < w->ncrossings; i++) {
		const struct vs_crossing *c = &w->crossings[i];
		struct vs_fields f = VS_FIELDS_NONE;
		f.pid = c->pid;
		f.comm = c->comm;
		f.unit = c->unit;
		f.workload = c->workload.name;
		f.workload_kind = vs_workload_kind_name(c->workload.kind);
		f.map_count = c->vmas;
		f.max_map_count = w->limit;
		vs_log_msg(VS_MSG_WATCH_CROSSED, c->threshold >= 95 ? LOG_WARNING : LOG_NOTICE, &f,
			   "process %ld (%s) at %ld VMAs: %u %% of vm.max_map_count %ld reached "
			   "(workload %s)",
			   c->pid, c->comm, c->vmas, c->threshold, w->limit, c->workload.name);
	}
	if (w->crossings_suppressed > suppressed_reported) {
		vs_log(LOG_NOTICE, "%llu more threshold crossings not logged (at most %d a scan)",
		       (unsigned long long)(w->crossings_suppressed - suppressed_reported),
		       VS_WATCH_CROSSINGS_MAX);
		suppressed_reported = w->crossings_suppressed;
	}
}

/* A finished scan taken in: what waits in the ring first, then the peaks, the
 * crossings and the status. */
static void scanned(struct watch_loop *l)
{
	char line[STATUS_LEN];

	if (l->w.limit_err < 0)
		vs_log_errno(LOG_WARNING, l->w.limit_err, "cannot read vm.max_map_count");
	if (l->w.scan_err < 0)
		vs_log_errno(LOG_ERR, l->w.scan_err, "cannot read /proc");
	if (l->w.hook_err < 0 && l->w.hook_err != l->hook_err_said)
		vs_log_errno(LOG_WARNING, l->w.hook_err,
			     "cannot attach or detach the catch's exit hook");
	l->hook_err_said = l->w.hook_err;
	vs_watch_caught_update(&l->backend.caught, &l->kept.peaks);
	for (unsigned i = 0; i < l->nconcerns; i++)
		if (l->concerns[i]->scanned)
			l->concerns[i]->scanned(l->concerns[i]->state, &l->w);
	vs_watch_channel_scanned(&l->backend.channel, &l->w);
	vs_kept_peaks_note(&l->kept, &l->w);
	log_crossings(l);
	status(l, line, sizeof(line));
	vs_notify_status(line);
}

static void request(struct watch_loop *l)
{
	vs_watch_scanner_request(l->scanner, &l->cfg, vs_watch_channel_holds(&l->backend.channel));
}

static int on_scanned(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct watch_loop *l = userdata;

	(void)s, (void)fd, (void)revents;
	enum vs_scanner_took took = vs_watch_scanner_take(l->scanner, &l->w, false);
	if (took != VS_SCANNER_NONE)
		vs_kept_peaks_climbs(&l->kept, &l->w);
	if (took == VS_SCANNER_SCAN)
		scanned(l);
	return 0;
}

static int on_scan(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct watch_loop *l = userdata;

	(void)usec;
	request(l);
	return vs_loop_rearm(s, (uint64_t)l->cfg.watch_interval * 1000000ULL);
}

static int write_text(const struct watch_loop *l, const char *path, bool json)
{
	static char buf[VS_STATS_ANSWER_MAX];
	struct vs_watch_view v = view(l);
	int n = json ? vs_render_watch_json(&v, buf, sizeof(buf))
		     : vs_render_watch_prom(&v, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (strcmp(path, "-") == 0)
		return fwrite(buf, 1, (size_t)n, stdout) == (size_t)n ? 0 : -EIO;
	return vs_textfile_write(path, buf, (size_t)n);
}

static int on_textfile(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct watch_loop *l = userdata;
	int r;

	(void)usec;
	if (!l->cfg.stats_textfile[0])
		return sd_event_source_set_enabled(s, SD_EVENT_OFF);
	r = write_text(l, l->cfg.stats_textfile, false);
	vs_lines_output(&l->textfile_out, r, l->cfg.stats_textfile);
	return vs_loop_rearm(s, (uint64_t)l->cfg.stats_textfile_interval * 1000000ULL);
}

static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)usec;
	(void)userdata;
	vs_notify_watchdog();
	return vs_loop_rearm(s, vs_notify_watchdog_usec() / 2);
}

static int on_duration(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	return sd_event_exit(((struct watch_loop *)userdata)->ev, 0);
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct watch_loop *l = userdata;
	struct vs_config next;
	struct vs_fields f = VS_FIELDS_NONE;
	char line[STATUS_LEN];

	(void)s;
	(void)si;
	if (vs_loop_reload_config(l->opt->src, &l->cfg, &next)) {
		vs_watch_backend_reload(&l->backend, &next);
		l->cfg = next;
		for (unsigned i = 0; i < l->nconcerns; i++)
			if (l->concerns[i]->reload)
				l->concerns[i]->reload(l->concerns[i]->state, &l->cfg);
		vs_log_msg(VS_MSG_RELOAD, LOG_NOTICE, &f,
			   "configuration reloaded: watch every %u s, top %u", next.watch_interval,
			   next.watch_top);
		vs_loop_rearm(l->scan, 1000);
		if (l->cfg.stats_textfile[0])
			vs_loop_rearm(l->textfile, 1000);
	}
	status(l, line, sizeof(line));
	vs_notify_ready(line);
	return 0;
}

static int setup(struct watch_loop *l)
{
	int r;

	if ((r = vs_loop_signals(&l->ev, on_hup, l)) < 0 ||
	    (r = sd_event_add_time_relative(l->ev, &l->scan, CLOCK_MONOTONIC,
					    (uint64_t)l->cfg.watch_interval * 1000000ULL, 10000,
					    on_scan, l)) < 0 ||
	    (r = sd_event_add_time_relative(l->ev, &l->textfile, CLOCK_MONOTONIC, 1000, 10000,
					    on_textfile, l)) < 0)
		return r;
	if (vs_notify_watchdog_usec() &&
	    (r = sd_event_add_time_relative(l->ev, NULL, CLOCK_MONOTONIC,
					    vs_notify_watchdog_usec() / 2, 10000, on_watchdog, l)) <
		0)
		return r;
	if (l->cfg.duration &&
	    (r = sd_event_add_time_relative(l->ev, NULL, CLOCK_MONOTONIC,
					    (uint64_t)l->cfg.duration * 1000000ULL, 10000,
					    on_duration, l)) < 0)
		return r;
	return vs_stats_server_new(&l->server, l->ev, l->cfg.stats_socket, answer, l);
}

/* The loop, its socket and timers: 0 or an exit code, said. */
static int start_loop(struct watch_loop *l)
{
	int r = setup(l);

	if (r == -EACCES || r == -EPERM) {
		vs_log(LOG_ERR,
		       "not allowed to create the stats socket %s: run as root (or as the "
		       "service's user), or give another place with --socket PATH, or --socket "
		       "none",
		       l->cfg.stats_socket);
		return VS_EX_NOPERM;
	}
	if (r == -EADDRINUSE) /* said, with the way out, where it was found */
		return VS_EX_UNAVAILABLE;
	if (r < 0) {
		vs_log_errno(LOG_ERR, r, "cannot set up the event loop");
		return VS_EX_SOFTWARE;
	}
	return 0;
}

/* The concerns, in their order: each subscribes to the channel and reads the limit
 * through its owner. */
static int start_concerns(struct watch_loop *l)
{
	struct vs_watch_house h = {
	    .ev = l->ev, .channel = &l->backend.channel, .limit = &l->limit, .cfg = &l->cfg};
	int r;

	vs_raiser_concern(&l->raiser, &l->concern[l->nconcerns++]);
	for (unsigned i = 0; i < l->nconcerns; i++) {
		l->concerns[i] = &l->concern[i];
		if (l->concern[i].start && (r = l->concern[i].start(l->concern[i].state, &h)) < 0) {
			vs_log_errno(LOG_ERR, r, "cannot start the %s concern", l->concern[i].name);
			return r;
		}
	}
	return 0;
}

/* The scans on their own thread; the first one's figures before READY=1. */
static int start_scans(struct watch_loop *l)
{
	struct vs_fields f = VS_FIELDS_NONE;
	int r;

	struct vs_catch *catch = l->backend.caught.catch;

	vs_watch_limit_init(&l->limit, NULL, catch ? vs_watch_backend_publish_limit : NULL, catch);
	if ((r = vs_watch_scanner_start(&l->scanner, catch, &l->limit, &l->names)) < 0 ||
	    (r = sd_event_add_io(l->ev, &l->scanned, vs_watch_scanner_fd(l->scanner), EPOLLIN,
				 on_scanned, l)) < 0) {
		vs_log_errno(LOG_ERR, r, "cannot start the scans");
		return VS_EX_SOFTWARE;
	}
	l->backend.channel.unnamed = vs_watch_scanner_names_now;
	l->backend.channel.unnamed_userdata = l->scanner;
	if ((r = start_concerns(l)) < 0)
		return VS_EX_SOFTWARE;
	request(l);
	vs_watch_scanner_take(l->scanner, &l->w, true);
	scanned(l);
	vs_log_msg(VS_MSG_START, LOG_INFO, &f,
		   "started in watch mode (%s%s%s): every %u s, top %u, vm.max_map_count %ld, "
		   "%llu processes, %llu VMAs, first scan %.3f s",
		   catch ? "bpf, " : "/proc scan: ",
		   catch ? l->backend.caught.attach : l->backend.caught.reason,
		   catch ? ", every refused call caught" : "", l->cfg.watch_interval,
		   l->cfg.watch_top, l->w.limit, (unsigned long long)l->w.processes,
		   (unsigned long long)l->w.vmas, l->w.scan_seconds);
	return 0;
}

/* After the loop: the peaks kept, the textfile gone on a clean stop, the report. */
static int finish(struct watch_loop *l, int code)
{
	struct vs_fields f = VS_FIELDS_NONE;

	vs_notify_stopping();
	long most = vs_watch_backend_most(&l->backend);
	for (unsigned i = l->nconcerns; i-- > 0;)
		if (l->concerns[i]->stop)
			l->concerns[i]->stop(l->concerns[i]->state, most);
	vs_kept_peaks_save(&l->kept);
	if (!code) /* a clean stop: the series end with the daemon */
		vs_textfile_remove(l->cfg.stats_textfile, "stopped");
	vs_log_msg(VS_MSG_STOP, LOG_INFO, &f, "stopped after %llu scans",
		   (unsigned long long)l->w.scans);
	if (l->opt->report && write_text(l, l->opt->report, true) < 0 && !code)
		code = VS_EX_SOFTWARE;
	return code;
}

int vs_watch_run(const struct vs_config *cfg, const struct vs_run_options *opt)
{
	static struct watch_loop l; /* the scan's state is large: not on the stack */
	char line[STATUS_LEN];
	struct timespec ts;
	int r, code;

	vs_log_init(NULL);
	l.cfg = *cfg;
	/* Beside the load service's socket, never on it. */
	if (strcmp(l.cfg.stats_socket, VS_DEFAULT_SOCKET) == 0)
		snprintf(l.cfg.stats_socket, sizeof(l.cfg.stats_socket), "%s",
			 VS_DEFAULT_WATCH_SOCKET);
	l.opt = opt;
	vs_names_init(&l.names, NULL);
	l.started = monotonic();
	clock_gettime(CLOCK_REALTIME, &ts);
	l.started_realtime = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if ((code = start_loop(&l)) != 0)
		goto out;
	vs_kept_peaks_load(&l.kept, l.started_realtime);
	if ((code = vs_watch_backend_open(&l.backend, l.ev, &l.w, &l.kept.peaks, &l.names,
					  &l.cfg)) != 0 ||
	    (code = start_scans(&l)) != 0)
		goto out;
	status(&l, line, sizeof(line));
	vs_notify_ready(line);
	r = sd_event_loop(l.ev);
	if (r < 0) {
		vs_log_errno(LOG_ERR, r, "event loop failed");
		code = VS_EX_SOFTWARE;
	}
	code = finish(&l, code);
out:
	vs_watch_scanner_stop(l.scanner);
	l.scanner = NULL;
	vs_watch_limit_destroy(&l.limit);
	vs_names_destroy(&l.names);
	sd_event_source_disable_unref(l.scanned);
	sd_event_source_disable_unref(l.scan);
	sd_event_source_disable_unref(l.textfile);
	vs_stats_server_free(l.server);
	sd_event_unref(l.ev);
	vs_watch_backend_close(&l.backend);
	return code;
}
