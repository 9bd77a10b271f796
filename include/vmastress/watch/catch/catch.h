/* catch.h: the watch's BPF backend (catch.c, catch.bpf.c): every process's VMA count
 * from the kernel's own counter, every call the limit refuses, host-wide, and each
 * process's peak between scans. Built without libbpf, vs_catch_open says so. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/watch/catch/catch_abi.h"

struct vs_catch;

/* Load and attach; 0, or -errno with why filled in for the operator
 * ("bpf: EPERM, needs CAP_BPF CAP_PERFMON"). */
int vs_catch_open(struct vs_catch **out, char *why, size_t len);
void vs_catch_close(struct vs_catch *c);
/* The limit the kernel side judges refusals against. */
void vs_catch_set_limit(struct vs_catch *c, long limit);
/* The ring buffer's fd, readable when events wait (for sd-event). */
int vs_catch_fd(const struct vs_catch *c);
typedef void (*vs_catch_event_fn)(const struct vs_catch_event *e, void *userdata);
/* Hand at most max waiting events to fn (a storm never holds the caller longer than
 * one batch): the number handed, max when more may wait (the fd stays readable), or
 * -errno. */
int vs_catch_drain(struct vs_catch *c, vs_catch_event_fn fn, void *userdata, unsigned max);
/* The mark (the event channel's, channel.h): the first hooked call of a process
 * holding at_count VMAs or more sends one event (vs_catch_mark_drain) and disarms
 * it; at_count <= 0 disarms. Any thread; the event's err is 0 for a crossing, else
 * the refused call's. */
void vs_catch_mark_arm(struct vs_catch *c, long at_count);
/* No mark of process pid any more (pid < 0: marks of every process again). 0 or
 * -errno. */
int vs_catch_mark_skip(struct vs_catch *c, long pid);
/* The marks' ring: its fd (readable when an event waits), and its events to fn. */
int vs_catch_mark_fd(const struct vs_catch *c);
int vs_catch_mark_drain(struct vs_catch *c, vs_catch_event_fn fn, void *userdata);
/* The per-CPU counters, summed. */
int vs_catch_counters(struct vs_catch *c, struct vs_catch_counters *sum);
/* Every process with memory, from the task iterator: fn(pid, map_count). */
int vs_catch_count(struct vs_catch *c, void (*fn)(unsigned pid, int count, void *ud), void *ud);
/* The hits of every cgroup the kernel counted: fn(cgroup id, hits per call). */
int vs_catch_cgroups(struct vs_catch *c,
		     void (*fn)(unsigned long long id, const unsigned long long *hits, void *ud),
		     void *ud);
/* A process's peak since it was first seen; -ENOENT when none. */
int vs_catch_peak(struct vs_catch *c, unsigned pid, struct vs_catch_peak *p);
/* Whether the exit hook's attach puts every syscall of the host on its slow path (a
 * tracepoint, where the kernel has no BPF trampolines): there it is worth attaching
 * only while a process is near the limit. fexit costs only the hooked calls. */
bool vs_catch_every_exit(const struct vs_catch *c);
/* The exit hook attached (on) or detached (off): nothing to do for fexit, which stays.
 * The iterator and the ring stay either way. 0 or -errno. One caller at a time. */
int vs_catch_hook(struct vs_catch *c, bool on);
/* Whether the exit hook is attached now (any thread). */
bool vs_catch_hooked(const struct vs_catch *c);
/* How it attached: "fexit" (the hooked calls only) or "raw_tp" (every syscall's
 * exit, where the kernel has no BPF trampolines). */
const char *vs_catch_attach(const struct vs_catch *c);
/* "mmap", "munmap", ... */
const char *vs_catch_call_name(unsigned call);
