/* catch.c: loading and attaching the watch's BPF program (catch.bpf.c) with libbpf;
 * reading it is catch_read.c's. Without libbpf, every call says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "vmastress/watch/catch/catch.h"

#define NAME(id, name, fn) name,
static const char *const call_names[VS_CATCH_CALL_COUNT] = {VS_CATCH_CALLS(NAME)};

const char *vs_catch_call_name(unsigned call)
{
	return call < VS_CATCH_CALL_COUNT ? call_names[call] : "?";
}

#ifndef VS_HAVE_BPF
int vs_catch_open(struct vs_catch **out, char *why, size_t len)
{
	*out = NULL;
	snprintf(why, len, "bpf: this build has no BPF backend (built without libbpf)");
	return -EOPNOTSUPP;
}
void vs_catch_close(struct vs_catch *c)
{
	(void)c;
}
void vs_catch_set_limit(struct vs_catch *c, long limit)
{
	(void)c, (void)limit;
}
int vs_catch_fd(const struct vs_catch *c)
{
	(void)c;
	return -1;
}
int vs_catch_drain(struct vs_catch *c, vs_catch_event_fn fn, void *userdata, unsigned max)
{
	(void)c, (void)fn, (void)userdata, (void)max;
	return -EOPNOTSUPP;
}
void vs_catch_mark_arm(struct vs_catch *c, long at_count)
{
	(void)c, (void)at_count;
}
int vs_catch_mark_fd(const struct vs_catch *c)
{
	(void)c;
	return -1;
}
int vs_catch_mark_skip(struct vs_catch *c, long pid)
{
	(void)c, (void)pid;
	return -EOPNOTSUPP;
}
int vs_catch_mark_drain(struct vs_catch *c, vs_catch_event_fn fn, void *userdata)
{
	(void)c, (void)fn, (void)userdata;
	return -EOPNOTSUPP;
}
int vs_catch_counters(struct vs_catch *c, struct vs_catch_counters *sum)
{
	(void)c;
	memset(sum, 0, sizeof(*sum));
	return -EOPNOTSUPP;
}
int vs_catch_count(struct vs_catch *c, void (*fn)(unsigned, int, void *), void *ud)
{
	(void)c, (void)fn, (void)ud;
	return -EOPNOTSUPP;
}
int vs_catch_peak(struct vs_catch *c, unsigned pid, struct vs_catch_peak *p)
{
	(void)c, (void)pid, (void)p;
	return -ENOENT;
}
int vs_catch_cgroups(struct vs_catch *c,
		     void (*fn)(unsigned long long, const unsigned long long *, void *), void *ud)
{
	(void)c, (void)fn, (void)ud;
	return -EOPNOTSUPP;
}
const char *vs_catch_attach(const struct vs_catch *c)
{
	(void)c;
	return "none";
}
bool vs_catch_every_exit(const struct vs_catch *c)
{
	(void)c;
	return false;
}
int vs_catch_hook(struct vs_catch *c, bool on)
{
	(void)c, (void)on;
	return -EOPNOTSUPP;
}
bool vs_catch_hooked(const struct vs_catch *c)
{
	(void)c;
	return false;
}
#else
#include <stdatomic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "catch.skel.h"
#include "catch_private.h"

#include <sys/syscall.h>

/* This architecture's syscall numbers, for the raw tracepoint (-1: none here). */
#define NR(id, name, fn) [VS_CATCH_##id] = NR_OF_##id,
#ifdef SYS_mmap
#define NR_OF_MMAP SYS_mmap
#else
#define NR_OF_MMAP -1
#endif
#define NR_OF_MUNMAP SYS_munmap
#define NR_OF_MPROTECT SYS_mprotect
#define NR_OF_PKEY_MPROTECT SYS_pkey_mprotect
#define NR_OF_MREMAP SYS_mremap
#ifdef SYS_brk
#define NR_OF_BRK SYS_brk
#else
#define NR_OF_BRK -1
#endif
#define NR_OF_MADVISE SYS_madvise
#ifdef SYS_process_madvise
#define NR_OF_PROCESS_MADVISE SYS_process_madvise
#else
#define NR_OF_PROCESS_MADVISE 440
#endif
#define NR_OF_MLOCK SYS_mlock
#define NR_OF_MLOCK2 SYS_mlock2
#define NR_OF_MUNLOCK SYS_munlock
#define NR_OF_MLOCKALL SYS_mlockall
#define NR_OF_MBIND SYS_mbind
#define NR_OF_PRCTL SYS_prctl
#ifdef SYS_mseal
#define NR_OF_MSEAL SYS_mseal
#else
#define NR_OF_MSEAL 462
#endif
#ifdef SYS_shmat
#define NR_OF_SHMAT SYS_shmat
#else
#define NR_OF_SHMAT -1
#endif
static const long call_nr[VS_CATCH_CALL_COUNT] = {VS_CATCH_CALLS(NR)};

static int on_event(void *ctx, void *data, size_t size)
{
	struct vs_catch *c = ctx;

	if (size >= sizeof(struct vs_catch_event) && c->fn)
		c->fn(data, c->userdata);
	/* libbpf has consumed this one; a negative return stops the drain here */
	return --c->left ? 0 : -EAGAIN;
}

static int on_mark_event(void *ctx, void *data, size_t size)
{
	struct vs_catch *c = ctx;

	if (size >= sizeof(struct vs_catch_event) && c->mark_fn)
		c->mark_fn(data, c->mark_userdata);
	return 0;
}

/* The syscall wrappers' prefix on this architecture. */
static const char *wrapper_prefix(void)
{
	struct utsname u;

	if (uname(&u) == 0 && strcmp(u.machine, "aarch64") == 0)
		return "__arm64_sys_";
	if (uname(&u) == 0 && strncmp(u.machine, "s390", 4) == 0)
		return "__s390x_sys_";
	return "__x64_sys_";
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void reason(char *why, size_t len, int err, const char *what)
{
	if (err == EPERM)
		snprintf(why, len, "bpf: EPERM, needs CAP_BPF CAP_PERFMON (%s)", what);
	else if (err == EACCES)
		snprintf(why, len, "bpf: EACCES, the verifier refused the program (%s)", what);
	else
		snprintf(why, len, "bpf: %s: %s", what, strerror(err));
}

/* How the exits are hooked, the cheapest for the host first. */
enum attach { ATTACH_FEXIT, ATTACH_TP_BTF, ATTACH_RAW_TP };
static const char *const attach_name[] = {"fexit", "tp_btf", "raw_tp"};

/* fexit, unless a test starts further down (VMASTRESS_TEST_HOOKS=1 and
 * VMASTRESS_TEST_CATCH_ATTACH=tp_btf|raw_tp: the fallbacks tested where fexit loads). */
static enum attach first_attach(void)
{
	const char *want =
	    getenv("VMASTRESS_TEST_HOOKS") ? getenv("VMASTRESS_TEST_CATCH_ATTACH") : NULL;

	for (enum attach how = ATTACH_FEXIT; want && how <= ATTACH_RAW_TP; how++)
		if (strcmp(want, attach_name[how]) == 0)
			return how;
	return ATTACH_FEXIT;
}

/* Load the programs of one way to attach; 0 or -errno. */
static int load(struct vs_catch *c, struct btf *vmlinux, enum attach how)
{
	struct bpf_program *prog;
	bool fexit = how == ATTACH_FEXIT;

	bpf_object__for_each_program(prog, c->skel->obj)
	{
		const char *name = bpf_program__name(prog);
		char target[64];
		if (strcmp(name, "on_sys_exit") == 0) {
			bpf_program__set_autoload(prog, how == ATTACH_RAW_TP);
			continue;
		}
		if (strcmp(name, "on_sys_exit_btf") == 0) {
			bpf_program__set_autoload(prog, how == ATTACH_TP_BTF);
			continue;
		}
		if (strncmp(name, "on_", 3) != 0)
			continue;
		snprintf(target, sizeof(target), "%s%s", wrapper_prefix(), name + 3);
		if (!fexit || btf__find_by_name_kind(vmlinux, target, BTF_KIND_FUNC) < 0)
			bpf_program__set_autoload(prog, false);
		else
			bpf_program__set_attach_target(prog, 0, target);
	}
	c->attach = attach_name[how];
	int r = catch__load(c->skel);
	return r < 0 ? r : 0;
}

const char *vs_catch_attach(const struct vs_catch *c)
{
	return c->attach;
}

bool vs_catch_every_exit(const struct vs_catch *c)
{
	return c->exit_prog != NULL;
}

int vs_catch_hook(struct vs_catch *c, bool on)
{
	if (!c->exit_prog || on == atomic_load(&c->hooked))
		return 0;
	if (on) {
		struct bpf_link *l = bpf_program__attach(c->exit_prog);
		if (!l)
			return -errno;
		*c->exit_link = l;
	} else {
		bpf_link__destroy(*c->exit_link);
		*c->exit_link = NULL;
	}
	atomic_store(&c->hooked, on);
	return 0;
}

bool vs_catch_hooked(const struct vs_catch *c)
{
	return atomic_load(&c->hooked);
}

/*
 * fexit on each syscall's wrapper, by this architecture's name: only the hooked
 * calls pay. A call this kernel does not have (mseal before 6.10) is left out.
 * Where fexit cannot load (no BPF trampolines), the sys_exit tracepoint, typed
 * (tp_btf) or else raw: every syscall's exit, the hooked calls picked by number.
 */
static int load_cheapest(struct vs_catch *c, struct btf *vmlinux)
{
	enum attach how = first_attach();
	int r = load(c, vmlinux, how);

	while (r < 0 && how < ATTACH_RAW_TP) {
		catch__destroy(c->skel);
		c->skel = catch__open();
		r = c->skel ? load(c, vmlinux, ++how) : -errno;
	}
	if (r < 0)
		return r;
	if (how == ATTACH_TP_BTF) {
		c->exit_prog = c->skel->progs.on_sys_exit_btf;
		c->exit_link = &c->skel->links.on_sys_exit_btf;
	} else if (how == ATTACH_RAW_TP) {
		c->exit_prog = c->skel->progs.on_sys_exit;
		c->exit_link = &c->skel->links.on_sys_exit;
	}
	if (how != ATTACH_FEXIT) /* the tracepoint's: the numbers of the hooked calls */
		for (unsigned k = 0; k < VS_CATCH_CALL_COUNT; k++) {
			__u32 nr = (__u32)call_nr[k], v = k + 1;
			if (call_nr[k] >= 0 && nr < 1024)
				bpf_map_update_elem(bpf_map__fd(c->skel->maps.calls), &nr, &v, 0);
		}
	return 0;
}

int vs_catch_open(struct vs_catch **out, char *why, size_t len)
{
	struct vs_catch *c;
	struct btf *vmlinux;
	int r;

	*out = NULL;
	if (!getenv("VMASTRESS_BPF_DEBUG"))
		libbpf_set_print(silent);
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		r = errno ? errno : ENOENT;
		snprintf(why, len, "bpf: no kernel BTF (/sys/kernel/btf/vmlinux): %s", strerror(r));
		return -r;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		btf__free(vmlinux);
		return -ENOMEM;
	}
	c->ncpus = libbpf_num_possible_cpus();
	c->percpu = c->ncpus > 0 ? calloc((size_t)c->ncpus, sizeof(*c->percpu)) : NULL;
	c->skel = catch__open();
	if (!c->percpu || !c->skel) {
		r = c->skel ? ENOMEM : errno;
		reason(why, len, r, "open");
		btf__free(vmlinux);
		vs_catch_close(c);
		return -r;
	}
	r = load_cheapest(c, vmlinux);
	btf__free(vmlinux);
	if (r < 0) {
		reason(why, len, -r, "load");
		vs_catch_close(c);
		return r;
	}
	/* The benchmark's references (test hooks only): the count alone, no exit
	 * hooked (VMASTRESS_TEST_CATCH=count), or every exit hooked and left at
	 * once (=empty): what the attach costs by itself. */
	const char *hook = getenv("VMASTRESS_TEST_HOOKS") ? getenv("VMASTRESS_TEST_CATCH") : NULL;
	if (hook && strcmp(hook, "count") == 0) {
		c->skel->links.count_tasks =
		    bpf_program__attach_iter(c->skel->progs.count_tasks, NULL);
		r = c->skel->links.count_tasks ? 0 : -errno;
		c->attach = "none";
	} else {
		if (hook && strcmp(hook, "empty") == 0)
			c->skel->bss->empty = 1;
		r = catch__attach(c->skel);
	}
	if (r < 0) {
		reason(why, len, -r, "attach");
		vs_catch_close(c);
		return r;
	}
	atomic_store(&c->hooked, !hook || strcmp(hook, "count") != 0);
	if (hook) /* the benchmark's references keep their attach as it is */
		c->exit_prog = NULL;
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.events), on_event, c, NULL);
	if (c->rb)
		c->mark_rb =
		    ring_buffer__new(bpf_map__fd(c->skel->maps.marks), on_mark_event, c, NULL);
	if (!c->rb || !c->mark_rb) {
		r = errno;
		reason(why, len, r, "ring buffer");
		vs_catch_close(c);
		return -r;
	}
	*out = c;
	return 0;
}

void vs_catch_close(struct vs_catch *c)
{
	if (!c)
		return;
	ring_buffer__free(c->rb);
	ring_buffer__free(c->mark_rb);
	catch__destroy(c->skel);
	free(c->percpu);
	free(c);
}

#endif
