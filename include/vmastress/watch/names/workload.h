/* workload.h: every process's workload, the name an operator acts on: its systemd
 * unit, its container (runtime and name), or its Kubernetes pod (namespace, pod,
 * container), else the host. The names come from what the runtimes and the kubelet
 * leave on the host (workload.c): containers/storage's containers.json (podman,
 * CRI-O), Docker's containers/ID/config.v2.json, the kubelet's /var/log/containers
 * links. They are read on the scanner's thread into a table (struct vs_names) that
 * the loop only looks up, under a lock held for the lookup: no file is read, and no
 * API called, per event. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "vmastress/watch/names/unit.h"

#define VS_WORKLOAD_KINDS(X) X(HOST, "host") X(UNIT, "unit") X(CONTAINER, "container") X(POD, "pod")
#define VS_WORKLOAD_ENUM(id, name) VS_WORKLOAD_##id,
enum vs_workload_kind { VS_WORKLOAD_KINDS(VS_WORKLOAD_ENUM) VS_WORKLOAD_KIND_COUNT };

struct vs_workload {
	enum vs_workload_kind kind;
	bool named; /* false: a container's short id, its name not found (why says so) */
	/* elasticsearch.service, podman:es-data-0, pod:search/es-data-0/elasticsearch,
	 * host */
	char name[VS_WATCH_UNIT_MAX];
	/* What peaks are kept by: the name, a pod's namespace and owner where its name
	 * shows one (pod:search/es-data for es-data-0 and es-data-1), or "" for the
	 * host (the command is then the key). */
	char key[VS_WATCH_UNIT_MAX];
	const char *why; /* not named: why; NULL when named */
};

/* Container ids and names (runtimes) and pods (kubelet) found on the host. */
#define VS_NAMES_MAX 1024
#define VS_NAMES_FILE_MAX (4 << 20) /* containers.json read at most this far */
struct vs_names {
	pthread_mutex_t lock;
	char root[256]; /* "" the host; tests: another root */
	unsigned n;
	struct vs_name {
		char id[65];  /* the full hex id */
		char pod[VS_WATCH_UNIT_MAX]; /* NAMESPACE/POD/CONTAINER from the kubelet; "" */
		char name[96]; /* the runtime's name for it; "" */
	} e[VS_NAMES_MAX];
	long sources_mtime[3]; /* what was read last: re-read when one changes */
	bool sources_read;
};

const char *vs_workload_kind_name(enum vs_workload_kind k);
void vs_names_init(struct vs_names *n, const char *root);
void vs_names_destroy(struct vs_names *n);
/* Read the sources again if any changed since the last read (a stat each otherwise).
 * The scanner's thread; bounded buffers, no allocation. Returns the names known. */
unsigned vs_names_refresh(struct vs_names *n);
/* A process's workload from its unit as unit.c names it (its cgroup: "x.service",
 * "podman:ID12", "docker:ID12", "pod:UID/ID12", "" outside units). Any thread; n
 * NULL: no names known. */
void vs_workload_of(struct vs_names *n, const char *unit, struct vs_workload *w);
/* The kind of a workload's name or key: pod:..., podman:... or docker:..., a unit,
 * or "" the host. */
enum vs_workload_kind vs_workload_kind_of(const char *name);
/* The owner a pod's name shows: es-data-0 -> es-data (a StatefulSet's ordinal),
 * web-7d9f8c6b5-x2k4p -> web (a Deployment's ReplicaSet hash and suffix),
 * node-agent-x2k4p -> node-agent; else the name. */
void vs_workload_pod_owner(const char *pod, char *owner, size_t len);
/* Whether w is in a raise.for list of shell globs: each against its name
 * ("podman:es-data-0", "elasticsearch.service", "pod:search/es-data-0/es") and its
 * kind:name with the bare name ("container:es-data-0", "unit:elasticsearch.service").
 * An empty list holds every workload. */
bool vs_workload_in(const struct vs_workload *w, const char *const *globs, unsigned n);
