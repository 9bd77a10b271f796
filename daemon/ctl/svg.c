/* svg.c: the plot's drawing: a panel's frame, its axes with round steps, lines at a
 * value, text escaped for XML. Plain stdio: an SVG is text. */
#include <math.h>
#include <stdio.h>
#include "svg.h"

double vs_svg_x(const struct vs_svg_frame *f, double t)
{
	return LEFT + (WIDTH - LEFT - RIGHT) * (f->tmax > 0 ? t / f->tmax : 0);
}

double vs_svg_y(const struct vs_svg_frame *f, double v)
{
	double a = f->lo, b = f->hi;
	if (f->log) {
		v = log10(v > a ? v : a);
		a = log10(a);
		b = log10(b);
	}
	double k = b > a ? (v - a) / (b - a) : 0;
	return f->y0 + PANEL_H - PANEL_H * (k < 0 ? 0 : k > 1 ? 1 : k);
}

/* Text with &, < and > escaped. */
void vs_svg_text(FILE *o, const char *s)
{
	for (; *s; s++)
		if (*s == '&')
			fputs("&amp;", o);
		else if (*s == '<')
			fputs("&lt;", o);
		else if (*s == '>')
			fputs("&gt;", o);
		else
			fputc(*s, o);
}

static void human(char *buf, size_t len, double v)
{
	const char *unit = "";
	if (fabs(v) >= 1e9)
		v /= 1e9, unit = "G";
	else if (fabs(v) >= 1e6)
		v /= 1e6, unit = "M";
	else if (fabs(v) >= 1e4)
		v /= 1e3, unit = "k";
	snprintf(buf, len, "%.*f%s", fmod(v, 1) != 0 && fabs(v) < 100 ? 1 : 0, v, unit);
}

/* A round step (1, 2 or 5 times a power of ten) giving at most `most` steps to span. */
double vs_svg_step(double span, int most)
{
	double raw = span / most, p = pow(10, floor(log10(raw > 0 ? raw : 1)));
	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

void vs_svg_axes(FILE *o, const struct vs_svg_frame *f, const char *title, const char *unit)
{
	char a[32];

	fprintf(o, "<g class=\"axes\">\n");
	fprintf(o,
		"<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" "
		"stroke=\"#999999\"/>\n",
		LEFT, f->y0, WIDTH - LEFT - RIGHT, PANEL_H);
	fprintf(o, "<text x=\"%d\" y=\"%.1f\" font-weight=\"bold\">", LEFT, f->y0 - 8);
	vs_svg_text(o, title);
	fprintf(o, "</text>\n");
	/* log: every power of ten; linear: round steps */
	double step = f->log ? 10 : vs_svg_step(f->hi - f->lo, 5);
	for (double v = f->lo; v <= f->hi * (1 + 1e-9); v = f->log ? v * 10 : v + step) {
		double y = vs_svg_y(f, v);
		human(a, sizeof(a), v);
		fprintf(o,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s%s</text>\n",
			LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, a, unit);
	}
	double tstep = vs_svg_step(f->tmax, 8);
	for (double t = 0; t <= f->tmax * (1 + 1e-9); t += tstep)
		fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.*f s</text>\n",
			vs_svg_x(f, t), f->y0 + PANEL_H + 15, tstep < 1 ? 1 : 0, t);
	fprintf(o, "</g>\n");
}

void vs_svg_hline(FILE *o, const struct vs_svg_frame *f, double v, const char *cls,
		  const char *colour, const char *dash, int report)
{
	if (isnan(v))
		return;
	fprintf(o,
		"<line class=\"%s\" data-report=\"%d\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"%s\" stroke-dasharray=\"%s\" stroke-width=\"1.5\"/>\n",
		cls, report, LEFT, vs_svg_y(f, v), WIDTH - RIGHT, vs_svg_y(f, v), colour, dash);
}
