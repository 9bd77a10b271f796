/* catch_private.h: the loaded BPF program, shared by catch.c (loading, attaching)
 * and catch_read.c (its maps and rings). Private to watch/catch/, with libbpf only. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "vmastress/watch/catch/catch.h"

struct vs_catch {
	struct catch *skel;
	const char *attach;	       /* "fexit", "tp_btf" or "raw_tp" */
	struct bpf_program *exit_prog; /* the tracepoint's program; NULL with fexit */
	struct bpf_link **exit_link;   /* its link in the skeleton (destroyed with it) */
	_Atomic bool hooked;	       /* the exit hook is attached */
	struct ring_buffer *rb;
	struct ring_buffer *mark_rb; /* the marks (channel.h) */
	vs_catch_event_fn mark_fn;
	void *mark_userdata;
	vs_catch_event_fn fn;
	void *userdata;
	unsigned left; /* events this drain may still hand over */
	int ncpus;
	struct vs_catch_counters *percpu; /* one per possible CPU, read at once */
};
