// SPDX-License-Identifier: GPL-2.0-only
/* catch.bpf.c: the watch's kernel side (libbpf, CO-RE; built with clang -target bpf,
 * its skeleton with bpftool gen skeleton).
 * - count_tasks: a task iterator that writes {pid, mm->map_count} for every
 *   process: the kernel's own counter, no mmap lock, O(processes).
 * - one fexit program per call that can add a VMA: the caller's peak map
 *   count, and a refusal at the limit counted per CPU (nothing lost) and sent
 *   with its details through a ring buffer (what does not fit is counted).
 * The few kernel structs read are declared here with preserve_access_index, as
 * systemd's restrict-fs.bpf.c does: no vmlinux.h from the build host. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vmastress/watch/catch/catch_abi.h"

#define ENOMEM 12
#define EAGAIN 11
#define PF_KTHREAD 0x00200000

struct mm_struct {
	int map_count;
} __attribute__((preserve_access_index));
/* A 2025 series renames it. */
struct mm_struct___vma_count {
	int vma_count;
} __attribute__((preserve_access_index));
struct kernfs_node {
	const char *name;
} __attribute__((preserve_access_index));
struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));
struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));
struct pid_namespace;
struct upid {
	int nr;
	struct pid_namespace *ns;
} __attribute__((preserve_access_index));
struct pid {
	unsigned int level;
	struct upid numbers[1];
} __attribute__((preserve_access_index));
struct task_struct {
	struct mm_struct *mm;
	int pid;
	int tgid;
	unsigned int flags;
	struct css_set *cgroups;
	struct task_struct *group_leader;
	struct pid *thread_pid;
} __attribute__((preserve_access_index));
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long di;
	unsigned long orig_ax;
} __attribute__((preserve_access_index));
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#define SYSCALL_ARG1(regs) BPF_CORE_READ(regs, di)
#define SYSCALL_NR_BTF(regs) ((regs)->orig_ax)
#define SYSCALL_ARG1_BTF(regs) ((regs)->di)
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs {
	unsigned long orig_x0;
	int syscallno;
} __attribute__((preserve_access_index));
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#define SYSCALL_ARG1(regs) BPF_CORE_READ(regs, orig_x0)
#define SYSCALL_NR_BTF(regs) ((regs)->syscallno)
#define SYSCALL_ARG1_BTF(regs) ((regs)->orig_x0)
#endif

char LICENSE[] SEC("license") = "GPL";

/* Set by the daemon whenever it reads vm.max_map_count; peaks are kept from
 * peak_floor up (a sixteenth of it). */
volatile __u32 limit;
volatile __u32 peak_floor;
/* The benchmark's reference (a test hook): every exit program returns at once. */
volatile __u32 empty;
/* The watch's own pid namespace (its pointer and level), noted by the iterator
 * from the task that reads it: pids are reported as the watch sees them, and
 * processes it cannot see (the host's, from a container) are left out. */
volatile __u64 watch_ns;
volatile __u32 watch_level;
/* The mark, the watch's event channel (channel.h): the first call whose process
 * holds mark_at VMAs or more while mark_armed sends one event through `marks` and
 * disarms; the daemon re-arms once its subscribers have acted. 0: off. What the
 * subscribers do with it is theirs: the program knows only the level. */
volatile __u32 mark_at;
volatile __u32 mark_armed;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vs_catch_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Processes a subscriber wants no mark of (one outside its scope): LRU, the daemon
 * clears it when the scope changes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} mark_skip SEC(".maps");

/* The marks, apart from the refusals: never behind a storm. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024);
} marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VS_CATCH_CGROUPS_MAX);
	__type(key, __u64);
	__type(value, struct vs_catch_cgroup_hits);
} cgroup_hits SEC(".maps");

/* The raw tracepoint's syscall numbers: nr -> call + 1 (0: not hooked), filled by
 * the daemon from this architecture's numbers. */
#define VS_CATCH_NR_MAX 1024
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VS_CATCH_NR_MAX);
	__type(key, __u32);
	__type(value, __u32);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, VS_CATCH_PEAKS_MAX);
	__type(key, __u32);
	__type(value, struct vs_catch_peak);
} peaks SEC(".maps");

static __always_inline int map_count_of(struct mm_struct *mm)
{
	if (bpf_core_field_exists(mm->map_count))
		return BPF_CORE_READ(mm, map_count);
	return BPF_CORE_READ((struct mm_struct___vma_count *)mm, vma_count);
}

/* t's pid in the namespace at level (whose pointer is ns), or -1 when t is not in it. */
static __always_inline int pid_in(struct task_struct *t, __u64 ns, __u32 level)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	struct upid u;

	if (!p || BPF_CORE_READ(p, level) < level || level > 32)
		return -1;
	if (bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[level]) < 0 || (__u64)u.ns != ns)
		return -1;
	return u.nr;
}

/* The reader's (the watch's) namespace, from its own task. */
static __always_inline void note_watch_ns(void)
{
	struct task_struct *me = (struct task_struct *)bpf_get_current_task();
	struct pid *p = BPF_CORE_READ(me, thread_pid);
	struct upid u;
	__u32 level;

	if (!p)
		return;
	level = BPF_CORE_READ(p, level);
	if (level > 32 || bpf_probe_read_kernel(&u, sizeof(u), &p->numbers[level]) < 0)
		return;
	watch_level = level;
	watch_ns = (__u64)u.ns;
}

static __always_inline void note_peak(__u32 tgid, int count, __u64 now)
{
	struct vs_catch_peak *p = bpf_map_lookup_elem(&peaks, &tgid);

	if (p) {
		if (count > p->peak) {
			p->peak = count;
			p->mono_ns = now;
		}
		return;
	}
	struct vs_catch_peak fresh = {.peak = count, .mono_ns = now};
	bpf_map_update_elem(&peaks, &tgid, &fresh, BPF_NOEXIST);
}

static __always_inline void fill(struct vs_catch_event *e, struct task_struct *t, __u32 tgid,
				 __u32 tid, int count, __u32 lim, int err, __u32 call, __u64 now)
{
	e->mono_ns = now;
	e->pid = tgid;
	e->tid = tid;
	e->err = err;
	e->call = call;
	e->map_count = count;
	e->limit = lim;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	const char *name = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, name);
	if (!name || bpf_probe_read_kernel_str(e->unit, sizeof(e->unit), name) < 0)
		e->unit[0] = 0;
}

/* The mark: once per arming (a race between CPUs may send two, which the daemon
 * takes as one). err: 0 for a crossing, else the refused call's. */
static __always_inline void mark(struct task_struct *t, __u32 tgid, __u32 tid, int count,
					  __u32 lim, int err, __u32 call, __u64 now)
{
	__u32 at = mark_at;

	if (!at || (__u32)count < at || !mark_armed || bpf_map_lookup_elem(&mark_skip, &tgid))
		return;
	mark_armed = 0;
	struct vs_catch_event *e = bpf_ringbuf_reserve(&marks, sizeof(*e), 0);
	if (!e) {
		mark_armed = 1;
		return;
	}
	fill(e, t, tgid, tid, count, lim, err, call, now);
	e->cgroup = bpf_get_current_cgroup_id();
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/* The exit of one call: failed is whether it failed, err its errno (positive). */
static __always_inline int on_exit(enum vs_catch_call call, int failed, int err,
				   struct task_struct *t, int count)
{
	__u64 id, now, ns = watch_ns;
	__u32 tgid, tid, key = 0, lim = limit, at = mark_at;

	/* The common case first, and cheaply: a call that worked, in a process
	 * below the peaks' floor (and the mark), has nothing to record. */
	if (!failed && (__u32)count < peak_floor && (!at || (__u32)count < at))
		return 0;
	id = bpf_get_current_pid_tgid();
	now = bpf_ktime_get_ns();
	tgid = id >> 32;
	tid = (__u32)id;
	if (ns) { /* as the watch sees it; a process it cannot see is not its */
		int p = pid_in(BPF_CORE_READ(t, group_leader), ns, watch_level);
		int q = pid_in(t, ns, watch_level);
		if (p < 0 || q < 0)
			return 0;
		tgid = (__u32)p;
		tid = (__u32)q;
	}
	if ((__u32)count >= peak_floor)
		note_peak(tgid, count, now);
	if (!failed) {
		mark(t, tgid, tid, count, lim, 0, call & (VS_CATCH_CALL_COUNT - 1), now);
		return 0;
	}
	/* The kernel's rules: a split is refused at the limit, a new mapping
	 * above it (a MAP_FIXED one that splits: at it), mremap with fewer
	 * than 4 to spare. The count is read at the exit, and another thread
	 * of the process may have freed some since the refusal (2 in 147 k
	 * refusals of a fragment load with 2 workers): within VMS_SLACK of the
	 * limit the limit is the cause; an ENOMEM further below is another's
	 * (RLIMIT_AS, memory). */
#define VMS_SLACK 64
	int want = (call == VS_CATCH_MADVISE || call == VS_CATCH_PROCESS_MADVISE) ? EAGAIN : ENOMEM;
	int room = (call == VS_CATCH_MREMAP ? 3 : 0) + VMS_SLACK;
	struct vs_catch_counters *c = bpf_map_lookup_elem(&counters, &key);
	/* A mask the verifier sees on the register that indexes (16 calls). */
	_Static_assert(VS_CATCH_CALL_COUNT == 16, "the index mask");
	__u32 i = call & (VS_CATCH_CALL_COUNT - 1);
	if (!c)
		return 0;
	if (!lim || err != want || (long)count + room < (long)lim) {
		if (err == ENOMEM)
			c->other[i]++;
		mark(t, tgid, tid, count, lim, 0, i, now);
		return 0;
	}
	c->hits[i]++;
	__u64 cg = bpf_get_current_cgroup_id();
	struct vs_catch_cgroup_hits *ch = bpf_map_lookup_elem(&cgroup_hits, &cg);
	if (!ch) {
		struct vs_catch_cgroup_hits zero = {};
		bpf_map_update_elem(&cgroup_hits, &cg, &zero, BPF_NOEXIST);
		ch = bpf_map_lookup_elem(&cgroup_hits, &cg);
	}
	if (ch)
		ch->hits[i]++;
	mark(t, tgid, tid, count, lim, err, i, now);
	struct vs_catch_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		c->dropped++;
		return 0;
	}
	fill(e, t, tgid, tid, count, lim, err, i, now);
	e->cgroup = cg;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The caller's map count, two ways: helper reads (the raw tracepoint's program
 * type), or direct loads through the task's BTF pointer (fexit and tp_btf:
 * no helper call per field, the cheaper on a path every hooked call takes). */
static __always_inline int exit_core(enum vs_catch_call call, int failed, int err)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);

	return mm ? on_exit(call, failed, err, t, map_count_of(mm)) : 0;
}

static __always_inline int exit_btf(enum vs_catch_call call, int failed, int err)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = t->mm;
	int count;

	if (!mm)
		return 0;
	if (bpf_core_field_exists(mm->map_count))
		count = mm->map_count;
	else
		count = ((struct mm_struct___vma_count *)mm)->vma_count;
	return on_exit(call, failed, err, t, count);
}

/* Each syscall's wrapper takes the registers; ret is its result. */
#define ERRNO_EXIT(id, fn)                                                                         \
	SEC("fexit/" #fn)                                                                          \
	int BPF_PROG(on_##fn, const struct pt_regs *regs, long ret)                                \
	{                                                                                          \
		if (empty)                                                                         \
			return 0;                                                                  \
		return exit_btf(VS_CATCH_##id, ret < 0 && ret > -4096, (int)-ret);                 \
	}
ERRNO_EXIT(MMAP, mmap)
ERRNO_EXIT(MUNMAP, munmap)
ERRNO_EXIT(MPROTECT, mprotect)
ERRNO_EXIT(PKEY_MPROTECT, pkey_mprotect)
ERRNO_EXIT(MREMAP, mremap)
ERRNO_EXIT(MADVISE, madvise)
ERRNO_EXIT(PROCESS_MADVISE, process_madvise)
ERRNO_EXIT(MLOCK, mlock)
ERRNO_EXIT(MLOCK2, mlock2)
ERRNO_EXIT(MUNLOCK, munlock)
ERRNO_EXIT(MLOCKALL, mlockall)
ERRNO_EXIT(MBIND, mbind)
ERRNO_EXIT(PRCTL, prctl)
ERRNO_EXIT(MSEAL, mseal)
ERRNO_EXIT(SHMAT, shmat)

/* brk returns the new break, or the old one when it cannot move it. */
SEC("fexit/brk")
int BPF_PROG(on_brk, const struct pt_regs *regs, long ret)
{
	unsigned long want;

	if (empty)
		return 0;
	want = SYSCALL_ARG1_BTF(regs);
	return exit_btf(VS_CATCH_BRK, want && (unsigned long)ret != want, ENOMEM);
}

/* Where fexit cannot attach (a kernel without BPF trampolines): every syscall's
 * exit, the hooked ones picked by number. Costlier for the host: a tracepoint
 * on sys_exit puts every syscall of every thread on the slow path. `btf` (a
 * constant at each use): regs and the task read directly, else by helpers. */
static __always_inline int exit_of_nr(struct pt_regs *regs, long ret, int btf)
{
	__u32 nr = (__u32)(btf ? SYSCALL_NR_BTF(regs) : SYSCALL_NR(regs)), *call;
	enum vs_catch_call c;
	int failed, err;

	if (nr >= VS_CATCH_NR_MAX || !(call = bpf_map_lookup_elem(&calls, &nr)) || !*call)
		return 0;
	c = *call - 1;
	if (c == VS_CATCH_BRK) { /* the new break, or the old one when it cannot move */
		unsigned long want = btf ? SYSCALL_ARG1_BTF(regs) : SYSCALL_ARG1(regs);
		failed = want && (unsigned long)ret != want;
		err = ENOMEM;
	} else {
		failed = ret < 0 && ret > -4096;
		err = (int)-ret;
	}
	return btf ? exit_btf(c, failed, err) : exit_core(c, failed, err);
}

SEC("raw_tracepoint/sys_exit")
int on_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	if (empty)
		return 0;
	return exit_of_nr((struct pt_regs *)ctx->args[0], (long)ctx->args[1], 0);
}

/* The same tracepoint with its arguments typed (tp_btf): where fexit cannot load,
 * this is tried before the raw one; the same filter, with direct loads. */
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit_btf, struct pt_regs *regs, long ret)
{
	if (empty)
		return 0;
	return exit_of_nr(regs, ret, 1);
}

SEC("iter/task")
int count_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct vs_catch_count rec;

	if (!t)
		return 0;
	note_watch_ns();
	/* One record a process: its group leader, as the watch sees it (none for
	 * one it cannot see). A kernel thread's count is -1, a process without
	 * memory (exiting, a zombie) -2. */
	if (BPF_CORE_READ(t, pid) != BPF_CORE_READ(t, tgid))
		return 0;
	int seen = pid_in(t, watch_ns, watch_level);
	if (seen < 0)
		return 0;
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	rec.pid = (__u32)seen;
	rec.map_count = BPF_CORE_READ(t, flags) & PF_KTHREAD ? -1 : mm ? map_count_of(mm) : -2;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
