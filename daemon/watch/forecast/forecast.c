/* forecast.c: each followed process's climb, from the counts the watch already
 * takes, and its time to the limit and to the raise's ceiling. */
#include <string.h>
#include "vmastress/watch/forecast/forecast.h"

#define MIN_SPAN_S 0.2 /* a climb measured over less is noise */

bool vs_forecast_window_rate(const struct vs_forecast_ring *r, double t, long v, double span,
			     double *rate, long *rise)
{
	const struct vs_forecast_sample *from = NULL;

	for (unsigned k = r->n; k > 0; k--) { /* the oldest first */
		const struct vs_forecast_sample *s =
		    &r->s[(r->head + VS_FORECAST_RING - k) % VS_FORECAST_RING];
		if (t - s->t <= span) {
			from = s;
			break;
		}
	}
	if (!from && r->n) /* none within the span: the newest kept (a slow scan) */
		from = &r->s[(r->head + VS_FORECAST_RING - 1) % VS_FORECAST_RING];
	if (!from || t - from->t < MIN_SPAN_S)
		return false;
	*rise = v - from->v;
	*rate = (double)*rise / (t - from->t);
	return true;
}

long vs_forecast_noise(long limit)
{
	return limit / 8192 > 8 ? limit / 8192 : 8;
}

double vs_forecast_climb(long limit, bool have_s, double rate_s, long rise_s, bool have_l,
			 double rate_l, long rise_l)
{
	long noise = vs_forecast_noise(limit);

	if (have_s && rise_s >= noise)
		return rate_s;
	if (!have_s || rise_s <= 0)
		return 0; /* flat or falling now, whatever it did before */
	/* Rising, slower than the short window can tell from noise: the long window's
	 * climb, when it rose a hundredth of the limit and the short one keeps its pace
	 * (not a burst long ago, then a jitter). */
	if (have_l && rise_l >= noise && rise_l >= limit / 100 && 4 * rate_s >= rate_l)
		return rate_l;
	return 0;
}

double vs_forecast_eta(long v, long level, double rate)
{
	if (rate <= 0)
		return -1;
	if (v >= level)
		return 0;
	return (double)(level - v) / rate;
}

bool vs_forecast_should_warn(double to_limit, unsigned warn_within, bool ended, bool *warned)
{
	if (ended || to_limit > 2.0 * warn_within) {
		*warned = false; /* the climb ended, or slowed far: the next one is said again */
		return false;
	}
	if (to_limit < 0 || !warn_within || *warned || to_limit > warn_within)
		return false;
	*warned = true;
	return true;
}

static void push(struct vs_forecast_ring *r, double t, long v, double every)
{
	if (r->n && t - r->s[(r->head + VS_FORECAST_RING - 1) % VS_FORECAST_RING].t < every)
		return;
	r->s[r->head] = (struct vs_forecast_sample){t, v};
	r->head = (r->head + 1) % VS_FORECAST_RING;
	if (r->n < VS_FORECAST_RING)
		r->n++;
}

/* The count from which a process is followed: a 64th of the limit (64 at least). */
static long floor_of(long limit)
{
	return limit / 64 > 64 ? limit / 64 : 64;
}

static unsigned hash(long pid)
{
	return (unsigned)((unsigned long)pid * 2654435761u) % (2 * VS_FORECAST_TRACK);
}

static int *find(struct vs_forecast *f, long pid)
{
	unsigned h = hash(pid);

	while (f->index[h] && f->p[f->index[h] - 1].pid != pid)
		h = (h + 1) % (2 * VS_FORECAST_TRACK);
	return &f->index[h];
}

const struct vs_forecast_proc *vs_forecast_of(const struct vs_forecast *f, long pid)
{
	int slot = *find((struct vs_forecast *)f, pid);
	return slot ? &f->p[slot - 1] : NULL;
}

void vs_forecast_begin(struct vs_forecast *f, long limit, long ceiling, unsigned warn_within,
		       double now)
{
	f->limit = limit;
	f->ceiling = ceiling > limit ? ceiling : limit;
	f->warn_within = warn_within;
	f->now = now;
	f->pass++;
	f->nwarn = 0;
	f->climbing = 0;
}

static void judge(struct vs_forecast *f, struct vs_forecast_proc *p)
{
	double rate_s = 0, rate_l = 0;
	long rise_s = 0, rise_l = 0;
	bool have_s = vs_forecast_window_rate(&p->short_w, p->t, p->vmas, VS_FORECAST_SHORT_S,
					      &rate_s, &rise_s);
	bool have_l = vs_forecast_window_rate(&p->long_w, p->t, p->vmas, VS_FORECAST_LONG_S,
					      &rate_l, &rise_l);
	double climb = vs_forecast_climb(f->limit, have_s, rate_s, rise_s, have_l, rate_l, rise_l);

	p->rate = climb > 0 ? climb : have_s ? rate_s : 0;
	if (p->rate > 0 || !have_s)
		f->climbing++; /* rising, or new: looked at again soon */
	if (climb > 0)
		p->flat_since = 0;
	else if (!p->flat_since)
		p->flat_since = p->t;
	bool ended = climb <= 0 && p->t - p->flat_since >= VS_FORECAST_SHORT_S;
	p->to_limit = vs_forecast_eta(p->vmas, f->limit, climb);
	p->to_ceiling = vs_forecast_eta(p->vmas, f->ceiling, climb);
	if (vs_forecast_should_warn(p->to_limit, f->warn_within, ended, &p->warned)) {
		if (f->nwarn < VS_FORECAST_WARNS_MAX)
			f->warn[f->nwarn++] = (unsigned)(p - f->p);
		else
			p->warned = false; /* no room this pass: said in the next */
	}
	push(&p->short_w, p->t, p->vmas, VS_FORECAST_SHORT_EVERY_S);
	push(&p->long_w, p->t, p->vmas, VS_FORECAST_LONG_EVERY_S);
}

void vs_forecast_sample(struct vs_forecast *f, long pid, long vmas)
{
	long floor = floor_of(f->limit);
	int *slot = find(f, pid);
	struct vs_forecast_proc *p;

	if (*slot) {
		p = &f->p[*slot - 1];
	} else {
		if (vmas < floor)
			return;
		if (f->n == VS_FORECAST_TRACK) {
			f->overflow++;
			return;
		}
		p = &f->p[f->n];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		*slot = (int)++f->n;
	}
	p->vmas = vmas;
	p->t = f->now;
	p->seen = f->pass;
	judge(f, p);
}

void vs_forecast_end(struct vs_forecast *f, bool partial)
{
	long floor = floor_of(f->limit);
	unsigned kept = 0;

	if (partial)
		return;
	for (unsigned i = 0; i < f->n; i++) {
		struct vs_forecast_proc *p = &f->p[i];
		if (p->seen != f->pass || (p->vmas < floor / 2 && !p->warned))
			continue; /* exited, or well below the floor: forgotten */
		for (unsigned w = 0; w < f->nwarn; w++)
			if (f->warn[w] == i)
				f->warn[w] = kept;
		if (kept != i)
			f->p[kept] = *p;
		kept++;
	}
	if (kept == f->n)
		return;
	f->n = kept;
	memset(f->index, 0, sizeof(f->index));
	for (unsigned i = 0; i < f->n; i++)
		*find(f, f->p[i].pid) = (int)i + 1;
}

unsigned vs_forecast_soonest(const struct vs_forecast *f, const struct vs_forecast_proc **out,
			     unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < f->n && n; i++) {
		const struct vs_forecast_proc *p = &f->p[i];
		if (p->to_limit < 0)
			continue;
		if (k == n && p->to_limit >= out[k - 1]->to_limit)
			continue;
		unsigned j = k < n ? k++ : k - 1;
		for (; j > 0 && out[j - 1]->to_limit > p->to_limit; j--)
			out[j] = out[j - 1];
		out[j] = p;
	}
	return k;
}
