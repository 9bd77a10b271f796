/* svg.h: what plot.c draws with (svg.c): panels on one time axis. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define WIDTH 960   /* the picture, pixels */
#define LEFT 90	    /* the panels' left edge (room for the y labels) */
#define RIGHT 30    /* and the margin on their right */
#define PANEL_H 170 /* a panel's height */

struct vs_svg_frame {
	double y0;     /* top of the panel, pixels */
	double tmax;   /* seconds on the x axis */
	double lo, hi; /* the y range */
	bool log;
};

/* Pixels of a time (seconds) and of a value in the frame. */
double vs_svg_x(const struct vs_svg_frame *f, double t);
double vs_svg_y(const struct vs_svg_frame *f, double v);
/* A round step (1, 2 or 5 times a power of ten) giving at most `most` steps to span. */
double vs_svg_step(double span, int most);
/* Text with &, < and > escaped. */
void vs_svg_text(FILE *o, const char *s);
/* The frame, its title, y labels (with unit) and time labels. */
void vs_svg_axes(FILE *o, const struct vs_svg_frame *f, const char *title, const char *unit);
/* A horizontal line at v (none for NAN), of class cls, for report. */
void vs_svg_hline(FILE *o, const struct vs_svg_frame *f, double v, const char *cls,
		  const char *colour, const char *dash, int report);
