/* fields.h: an output declared once, as a row: its JSON path, its kind, its metric and
 * its help. The watch's renderers and the raise's write every JSON name, metric name,
 * TYPE and HELP from a row (tables: output/watch_fields.h, raise/fields.h), as the load's do
 * from stats.h; test_docs holds the served stats and metrics against the rows. */
#pragma once
#include <stdint.h>

struct vs_textbuf;

/* kind: a metric's type (counter, gauge, histogram), else the JSON value's (number,
 * string, bool, object, array). A metric's row whose JSON is an object with no rows of
 * its own is keyed by its label's values ({"mmap": 3}). */
struct vs_field {
	const char *json; /* a dotted path, "[]" after an array ("watch.top[].pid"); NULL: none */
	const char *kind;
	const char *metric; /* the name after "vmastress_"; NULL: none */
	const char *help;
};
#define VS_FIELD_ROW(id, json, kind, metric, help) {json, #kind, metric, help},

/* The row's key, its path's last name: "name": with a comma before it unless it
 * opens its object. */
void vs_field_key(struct vs_textbuf *o, const struct vs_field *f);
/* The metric's HELP and TYPE lines. */
void vs_field_head(struct vs_textbuf *o, const struct vs_field *f);
/* The metric's name, to start a series: vmastress_NAME. */
void vs_field_metric(struct vs_textbuf *o, const struct vs_field *f);
/* A label's values by index (a call, a reason): the k-th one's name. */
typedef const char *(*vs_field_name_fn)(unsigned k);
/* The row's object of counts keyed by its label's values: "skipped":{"exited":0,...}. */
void vs_field_counts(struct vs_textbuf *o, const struct vs_field *f, vs_field_name_fn name,
		     const uint64_t *n, unsigned count);
/* The row's metric, HELP, TYPE and one series a label's value: {label="name"} n. */
void vs_field_series(struct vs_textbuf *o, const struct vs_field *f, const char *label,
		     vs_field_name_fn name, const uint64_t *n, unsigned count);
/* A JSON string, or null when s is empty. */
void vs_field_string(struct vs_textbuf *o, const struct vs_field *f, const char *s);

/* "key":value, the key from a row of the includer's table, F(id) (its renderer
 * defines F): a number (printf's fmt), a string (null when empty: STR; "" then:
 * TEXT), a bool, an object's or an array's opening. */
#define NUM(o, id, fmt, v) (vs_field_key(o, F(id)), vs_textbuf_put(o, fmt, v))
#define STR(o, id, s) vs_field_string(o, F(id), s)
#define TEXT(o, id, s) (vs_field_key(o, F(id)), vs_textbuf_json_string(o, s))
#define BOOL(o, id, b) NUM(o, id, "%s", (b) ? "true" : "false")
#define OPEN(o, id, c) (vs_field_key(o, F(id)), vs_textbuf_put(o, c))
