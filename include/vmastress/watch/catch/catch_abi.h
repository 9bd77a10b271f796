/* catch_abi.h: what the watch's BPF program (daemon/watch/catch/catch.bpf.c) and the daemon
 * share: the calls it hooks, the counters and the event it sends. Plain C types only:
 * the BPF side includes it without libc. */
#pragma once

/* Every call that can add a VMA, so every call the limit can refuse: a new
 * mapping (refused above the limit), or a split (refused at it). madvise and
 * process_madvise report a refused split as EAGAIN; the rest as ENOMEM. brk
 * fails by returning the old break, not an errno. */
#define VS_CATCH_CALLS(X)                                                                          \
	X(MMAP, "mmap", mmap)                                                                      \
	X(MUNMAP, "munmap", munmap)                                                                \
	X(MPROTECT, "mprotect", mprotect)                                                          \
	X(PKEY_MPROTECT, "pkey_mprotect", pkey_mprotect)                                           \
	X(MREMAP, "mremap", mremap)                                                                \
	X(BRK, "brk", brk)                                                                         \
	X(MADVISE, "madvise", madvise)                                                             \
	X(PROCESS_MADVISE, "process_madvise", process_madvise)                                     \
	X(MLOCK, "mlock", mlock)                                                                   \
	X(MLOCK2, "mlock2", mlock2)                                                                \
	X(MUNLOCK, "munlock", munlock)                                                             \
	X(MLOCKALL, "mlockall", mlockall)                                                          \
	X(MBIND, "mbind", mbind)                                                                   \
	X(PRCTL, "prctl", prctl)                                                                   \
	X(MSEAL, "mseal", mseal)                                                                   \
	X(SHMAT, "shmat", shmat)
#define VS_CATCH_ENUM(id, name, fn) VS_CATCH_##id,
enum vs_catch_call { VS_CATCH_CALLS(VS_CATCH_ENUM) VS_CATCH_CALL_COUNT };

/* Per CPU, summed by the daemon: nothing is lost to a full ring buffer. */
struct vs_catch_counters {
	unsigned long long hits[VS_CATCH_CALL_COUNT];  /* refused by the map count */
	unsigned long long other[VS_CATCH_CALL_COUNT]; /* ENOMEM for another reason */
	unsigned long long dropped;		       /* events the ring buffer had no room for */
};

#define VS_CATCH_UNIT_MAX 96
/* One refused call, through the ring buffer. */
struct vs_catch_event {
	unsigned long long mono_ns; /* bpf_ktime_get_ns() */
	unsigned int pid, tid;
	int err; /* positive: ENOMEM, EAGAIN */
	unsigned int call;
	int map_count;
	unsigned int limit;
	char comm[16];
	unsigned long long cgroup;    /* its cgroup v2 id (the directory's inode) */
	char unit[VS_CATCH_UNIT_MAX]; /* the leaf of its cgroup v2 path */
};

/* Hits per cgroup, counted in the kernel (per CPU): the per-unit figures are as
 * exact as the per-call ones, whatever the ring buffer drops. */
#define VS_CATCH_CGROUPS_MAX 4096
struct vs_catch_cgroup_hits {
	unsigned long long hits[VS_CATCH_CALL_COUNT];
};

/* A process's high-water mark, kept on the exit of each hooked call. */
struct vs_catch_peak {
	int peak;
	unsigned int pad;
	unsigned long long mono_ns;
};
#define VS_CATCH_PEAKS_MAX 16384 /* processes followed (LRU) */

/* The task iterator's record: one per process with memory. */
struct vs_catch_count {
	unsigned int pid;
	int map_count;
};
