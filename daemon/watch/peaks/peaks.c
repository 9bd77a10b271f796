/* peaks.c: the watch's peaks per unit, kept in peaks.json across restarts. The file
 * is ours alone: one unit a line, read back by a strict parser; anything else is
 * kept aside, never trusted. No allocation. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vmastress/model/vma.h"
#include "vmastress/shapes/shape.h"
#include "vmastress/watch/peaks/peaks.h"

#define VERSION_LINE "{\"version\":1,\"since\":"

static bool same_key(const struct vs_peak *e, const char *unit, const char *comm)
{
	return unit[0] ? strcmp(e->unit, unit) == 0 : !e->unit[0] && strcmp(e->comm, comm) == 0;
}

static struct vs_peak *find(struct vs_peaks *p, const char *unit, const char *comm)
{
	for (unsigned i = 0; i < p->n; i++)
		if (same_key(&p->e[i], unit, comm))
			return &p->e[i];
	return NULL;
}

/* A slot for a new unit: a free one, else the one seen longest ago and least. */
static struct vs_peak *slot(struct vs_peaks *p)
{
	unsigned worst = 0;

	if (p->n < VS_PEAKS_MAX)
		return &p->e[p->n++];
	for (unsigned i = 1; i < p->n; i++)
		if (p->e[i].last_seen < p->e[worst].last_seen ||
		    (p->e[i].last_seen == p->e[worst].last_seen &&
		     p->e[i].scans < p->e[worst].scans))
			worst = i;
	return &p->e[worst];
}

static struct vs_peak *get(struct vs_peaks *p, const char *unit, const char *comm)
{
	struct vs_peak *e = find(p, unit, comm);

	if (e)
		return e;
	e = slot(p);
	memset(e, 0, sizeof(*e));
	snprintf(e->unit, sizeof(e->unit), "%s", unit);
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	snprintf(e->shape, sizeof(e->shape), "%s", vs_shape_guess(0, 0, 0)->name);
	return e;
}

struct vs_peak *vs_peaks_note(struct vs_peaks *p, const char *unit, const char *comm, long pid,
			      long vmas, long limit, double at, double now, uint64_t scan)
{
	struct vs_peak *e = get(p, unit, comm);

	if (e->last_scan != scan) {
		e->last_scan = scan;
		e->scans++;
		e->level = 0;
	}
	if (vmas > e->vmas) {
		e->vmas = vmas;
		e->pid = pid;
		e->at = at;
		snprintf(e->comm, sizeof(e->comm), "%s", comm);
	}
	unsigned level = limit > 0 && 100 * vmas >= 95 * limit	 ? 2
			 : limit > 0 && 100 * vmas >= 80 * limit ? 1
								 : 0;
	if (level >= 1 && e->level < 1)
		e->scans80++;
	if (level >= 2 && e->level < 2)
		e->scans95++;
	if (level > e->level)
		e->level = level;
	e->last_seen = now;
	p->dirty = true;
	return e;
}

void vs_peaks_hit(struct vs_peaks *p, const char *unit, const char *comm, long pid, long vmas,
		  double now)
{
	struct vs_peak *e = get(p, unit, comm);

	e->hits++;
	if (vmas > e->vmas) {
		e->vmas = vmas;
		e->pid = pid;
		e->at = now;
	}
	e->last_seen = now;
	p->dirty = true;
}

const struct vs_peak *vs_peaks_top(const struct vs_peaks *p)
{
	const struct vs_peak *top = NULL;

	for (unsigned i = 0; i < p->n; i++)
		if (!top || p->e[i].vmas > top->vmas)
			top = &p->e[i];
	return top;
}

/* The shape is judged from a sample: the first this many mappings of the process
 * (20 ms of reading), not a whole 1 M-line maps (0.3 s) each time it grows a tenth. */
#define SHAPE_SAMPLE 65536

struct looks {
	unsigned long total, files, guards;
};

static int look(char *line, void *arg)
{
	struct looks *l = arg;
	char perms[8] = "";
	int pathat = 0;

	if (sscanf(line, "%*s %7s %*s %*s %*s %n", perms, &pathat) == 1) {
		const char *name = line + pathat;
		l->total++;
		if (name[0] == '/')
			l->files++;
		else if (!name[0] && strcmp(perms, "---p") == 0)
			l->guards++; /* an anonymous PROT_NONE page: a guard */
	}
	return l->total >= SHAPE_SAMPLE;
}

const char *vs_peaks_shape_of(long pid)
{
	static char buf[256 * 1024];
	char path[40];
	struct looks l = {0};

	snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
	if (vs_maps_lines(path, buf, sizeof(buf), look, &l) < 0)
		return vs_shape_guess(0, 0, 0)->name;
	return vs_shape_guess(l.total, l.guards, l.files)->name;
}

/* --- the file --- */

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	fputc('"', f);
}

int vs_peaks_save(struct vs_peaks *p, const char *path)
{
	char tmp[512];
	int fd, r = 0;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	/* Readable by the group's members and the client whatever the umask (the
	 * unit's UMask=0077 would leave it 0600). */
	if (fchmod(fd, 0644) < 0) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	if (!(f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	fprintf(f, VERSION_LINE "%.3f,\"units\":[\n", p->since);
	for (unsigned i = 0; i < p->n; i++) {
		const struct vs_peak *e = &p->e[i];
		fputs("{\"unit\":", f);
		put_string(f, e->unit);
		fputs(",\"comm\":", f);
		put_string(f, e->comm);
		fputs(",\"shape\":", f);
		put_string(f, e->shape);
		/* map_count; vmas, its old name, beside it for this release (a daemon
		 * of the last release reads the file back too) */
		fprintf(f,
			",\"map_count\":%ld,\"vmas\":%ld,\"pid\":%ld,\"at\":%.3f,"
			"\"last_seen\":%.3f,\"scans\":%llu,\"scans80\":%llu,\"scans95\":%llu,"
			"\"hits\":%llu,\"rate_per_s\":%.1f}%s\n",
			e->vmas, e->vmas, e->pid, e->at, e->last_seen, (unsigned long long)e->scans,
			(unsigned long long)e->scans80, (unsigned long long)e->scans95,
			(unsigned long long)e->hits, e->rate, i + 1 < p->n ? "," : "");
	}
	fputs("]}\n", f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		r = -errno;
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) != 0)
		r = -errno;
	if (r)
		unlink(tmp);
	else
		p->dirty = false;
	return r;
}

/* A JSON string at *s into out; advances *s. */
static bool get_string(const char **s, char *out, size_t len)
{
	const char *c = *s;
	size_t n = 0;

	if (*c++ != '"')
		return false;
	while (*c && *c != '"') {
		char v = *c++;
		if (v == '\\') {
			if (*c == 'u') {
				unsigned x;
				if (sscanf(c + 1, "%4x", &x) != 1 || x > 0x7f)
					return false;
				v = (char)x, c += 5;
			} else if (*c == '"' || *c == '\\' || *c == '/')
				v = *c++;
			else
				return false;
		} else if ((unsigned char)v < 0x20)
			return false;
		if (n + 1 >= len)
			return false;
		out[n++] = v;
	}
	if (*c != '"')
		return false;
	out[n] = 0;
	*s = c + 1;
	return true;
}

static bool lit(const char **s, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(*s, want, n) != 0)
		return false;
	*s += n;
	return true;
}

/* One unit's line; false when it is not one. */
static bool parse_line(const char *s, struct vs_peak *e, bool *last)
{
	unsigned long long scans, s80, s95, hits;
	int used = 0;

	memset(e, 0, sizeof(*e));
	if (!lit(&s, "{\"unit\":") || !get_string(&s, e->unit, sizeof(e->unit)) ||
	    !lit(&s, ",\"comm\":") || !get_string(&s, e->comm, sizeof(e->comm)) ||
	    !lit(&s, ",\"shape\":") || !get_string(&s, e->shape, sizeof(e->shape)))
		return false;
	/* map_count and vmas beside it, or vmas alone (a file of the last release) */
	long map_count = -1;
	if (lit(&s, ",\"map_count\":")) {
		char *end;
		errno = 0;
		map_count = strtol(s, &end, 10);
		if (errno || end == s || map_count < 0)
			return false;
		s = end;
	}
	if (sscanf(s,
		   ",\"vmas\":%ld,\"pid\":%ld,\"at\":%lf,\"last_seen\":%lf,\"scans\":%llu,"
		   "\"scans80\":%llu,\"scans95\":%llu,\"hits\":%llu%n",
		   &e->vmas, &e->pid, &e->at, &e->last_seen, &scans, &s80, &s95, &hits,
		   &used) != 8 ||
	    !used)
		return false;
	s += used;
	/* the climb's rate, or none (a file of the last release) */
	if (lit(&s, ",\"rate_per_s\":")) {
		char *end;
		e->rate = strtod(s, &end);
		if (end == s || !(e->rate >= 0 && e->rate < 1e12))
			return false;
		s = end;
	}
	if (!lit(&s, "}"))
		return false;
	*last = *s != ',';
	if (*s == ',')
		s++;
	if (*s)
		return false;
	if (e->vmas < 0 || e->pid < 0 || !vs_shape_find(e->shape) ||
	    (map_count >= 0 && map_count != e->vmas))
		return false;
	e->scans = scans, e->scans80 = s80, e->scans95 = s95, e->hits = hits;
	return true;
}

static int aside(const char *path, double now, char *msg, size_t len, const char *why)
{
	char to[512];

	snprintf(to, sizeof(to), "%s.bad-%.0f", path, now);
	if (rename(path, to) == 0)
		snprintf(msg, len, "%s: %s: kept aside as %s, starting afresh", path, why, to);
	else
		snprintf(msg, len, "%s: %s (and it cannot be moved aside: %s): starting afresh",
			 path, why, strerror(errno));
	return 1;
}

int vs_peaks_load(struct vs_peaks *p, const char *path, double now, char *msg, size_t len)
{
	static char text[VS_PEAKS_FILE_MAX + 1];
	struct stat st;
	ssize_t got;
	int fd;

	memset(p, 0, sizeof(*p));
	p->since = now;
	msg[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP)
			return aside(path, now, msg, len, "a symbolic link, not our file");
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > VS_PEAKS_FILE_MAX) {
		close(fd);
		return aside(path, now, msg, len, "not a regular file under 1 MiB");
	}
	got = read(fd, text, VS_PEAKS_FILE_MAX);
	close(fd);
	if (got < 0) {
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	text[got] = 0;
	if ((size_t)got != strlen(text))
		return aside(path, now, msg, len, "it holds a NUL byte");
	char *line = text, *nl = strchr(line, '\n');
	double since;
	int used = 0;
	if (!nl || strncmp(line, VERSION_LINE, strlen(VERSION_LINE)) != 0 ||
	    sscanf(line + strlen(VERSION_LINE), "%lf,\"units\":[%n", &since, &used) != 1 ||
	    line + strlen(VERSION_LINE) + used != nl)
		return aside(path, now, msg, len, "line 1: not vmastress peaks, version 1");
	unsigned lineno = 1;
	bool last = false, ended = false;
	for (line = nl + 1; *line; line = nl + 1) {
		lineno++;
		if (!(nl = strchr(line, '\n'))) {
			char why[64];
			snprintf(why, sizeof(why), "line %u: truncated", lineno);
			memset(p, 0, sizeof(*p));
			p->since = now;
			return aside(path, now, msg, len, why);
		}
		*nl = 0;
		if (strcmp(line, "]}") == 0 && (last || p->n == 0)) {
			ended = true;
			if (nl[1]) {
				memset(p, 0, sizeof(*p));
				p->since = now;
				return aside(path, now, msg, len, "text after the end");
			}
			break;
		}
		if (last || p->n == VS_PEAKS_MAX || !parse_line(line, &p->e[p->n], &last)) {
			char why[64];
			snprintf(why, sizeof(why), "line %u: not a unit's peak", lineno);
			memset(p, 0, sizeof(*p));
			p->since = now;
			return aside(path, now, msg, len, why);
		}
		p->n++;
	}
	if (!ended) {
		memset(p, 0, sizeof(*p));
		p->since = now;
		return aside(path, now, msg, len, "truncated: no end");
	}
	p->since = since;
	return 0;
}
