/* ctl.h: what the client's files share: the tables of stats.h as JSON keys, and the
 * JSON helpers (json-c) that read the daemon's answers and the report files. */
#pragma once
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/interface.h"
#include "vmastress/stats.h"

extern const char *const stat_json[VS_STAT_COUNT];
extern const unsigned stat_flags[VS_STAT_COUNT];
extern const char *const family_json[VS_FAMILY_COUNT];
extern const unsigned family_flags[VS_FAMILY_COUNT];
extern const char *const op_names[VS_OP_COUNT];
extern const char *const cause_names[VS_CAUSE_COUNT];
#define J(f) stat_json[VS_STAT_##f]
#define VS_CTL_ANSWER_MAX (1 << 17) /* above the daemon's VS_STATS_ANSWER_MAX */
#define VS_CTL_UNIT_WIDTH 40	    /* top: the workload column */

enum { CHECK_OK, CHECK_WARNING, CHECK_CRITICAL, CHECK_UNKNOWN }; /* monitoring-plugin codes */

/* The socket (socket.c): --socket's, else the default (the command's daemon's). */
void vs_ctl_set_socket(const char *path);
/* seconds as people say them: "0.4 s", "74 s", "12 min", "3 h", "5 days" (into buf) */
const char *vs_ctl_duration(double seconds, char *buf, size_t len);
void vs_ctl_default_socket(const char *path);
/* Send one command to the socket, read the whole answer; 0 or a sysexits code. */
int vs_ctl_query(const char *cmd, char *buf, size_t len, char *err, size_t errlen);
/* The load daemon's stats JSON; 0 or a sysexits code, the reason in err. */
int vs_ctl_fetch_stats(json_object **out, char *err, size_t errlen);
/* The watch daemon's stats JSON (socket.c); 0 or a sysexits code, the reason in err. */
int vs_ctl_fetch_watch(json_object **out, char *err, size_t errlen);
/* One file per command. check [...], and check --watch: check.c. */
int vs_ctl_check(int argc, char **argv);
int vs_ctl_check_watch(double warning, double critical, double window, double within);
/* top [-n SECONDS]: top.c. */
int vs_ctl_top(int argc, char **argv);
/* advise [--headroom F] [--allow-lower] [--json]: advise.c. */
int vs_ctl_advise(int argc, char **argv);
/* events [-f] [--json]: events.c. */
int vs_ctl_events(int argc, char **argv);
/* A watch daemon's stats as top prints them. */
void vs_ctl_print_top(json_object *s);
/* The raise policy (raise.c): status's line, when it is enabled; and its raises newer
 * than *last (realtime seconds, moved on), as events prints them; how many shown. */
void vs_ctl_print_raise(json_object *s);
unsigned vs_ctl_print_raises(json_object *s, double *last, bool json);

/* text -> a JSON object, or NULL with the parser's reason in err. */
json_object *vs_ctl_parse(const char *text, size_t len, char *err, size_t errlen);
/* The value at a dotted key path ("failures.munmap.ENOMEM"), or NULL. */
json_object *vs_ctl_at(json_object *o, const char *path);
/* A number at path; NAN when absent, null or not a number. */
double vs_ctl_num(json_object *o, const char *path);
/* text as a number, all of it and finite (an option's value); false if not. */
bool vs_ctl_number(const char *text, double *v);
/* A listed process's VMA count: map_count, or "vmas" from a watch before that name. */
/* A process's workload's name ("workload.name"; from a daemon before workloads, its
 * "unit"), "-" when none. */
const char *vs_ctl_workload(json_object *p, char *buf, size_t len);
double vs_ctl_map_count(json_object *p);
/* The value at path as text ("-" when absent); 64-bit integers stay exact. */
const char *vs_ctl_text(json_object *o, const char *path, char *buf, size_t len);
/* A report's or a daemon's shape: "shape", or "profile" from one before that name. */
const char *vs_ctl_shape(json_object *o, char *buf, size_t len);
/* verdict.first_failure as "mprotect ENOMEM at 65529", or "-". */
const char *vs_ctl_first_failure(json_object *o, char *buf, size_t len);
/* Every failed call by op and errno ("munmap ENOMEM 12, mmap EEXIST 3", "none"),
 * into buf; returns how many failed with an errno other than ENOMEM: the kernel
 * refuses at the VMA limit with ENOMEM only, so any other is not the load's. */
double vs_ctl_failures(json_object *s, char *buf, size_t len, double *unexpected);
/* "family.a[.b]" */
void vs_ctl_family_key(char *buf, size_t len, enum vs_stat_family f, const char *a, const char *b);

/* A --report file (json.c); 0 or a sysexits code, with the file named in the message. */
int vs_ctl_load_report(const char *path, json_object **out);
/* summary REPORT... [--json|--csv]: one row per report (summary.c). */
#define VS_CTL_SUMMARY_MAX 4096 /* reports at once: a fleet's worth */
int vs_ctl_summary(int argc, char **argv);

/* compare A.json B.json: both verdicts, like-for-like keys, every differing config
 * key, the rows of stats.h; a sysexits code. */
int vs_ctl_compare(const char *a, const char *b, const char *plot);

/* plot REPORT... -o FILE.svg: the runs over time (plot.c); a sysexits code. */
int vs_ctl_plot(int argc, char **argv);
/* The same for count reports (at most 8) into out; --plot of summary and compare. */
int vs_ctl_plot_files(char *const *paths, int count, const char *out);
