/* workload.c: a process's workload (workload.h), named from what the container
 * runtimes and the kubelet leave on the host, read on the scanner's thread. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vmastress/watch/names/workload.h"

#define CONTAINERS_JSON "/var/lib/containers/storage/overlay-containers/containers.json"
#define DOCKER_DIR "/var/lib/docker/containers"
#define KUBELET_DIR "/var/log/containers"
static const char *const sources[3] = {CONTAINERS_JSON, DOCKER_DIR, KUBELET_DIR};

#define VS_WORKLOAD_NAME(id, name) name,
static const char *const kind_names[] = {VS_WORKLOAD_KINDS(VS_WORKLOAD_NAME)};

const char *vs_workload_kind_name(enum vs_workload_kind k)
{
	return (unsigned)k < VS_WORKLOAD_KIND_COUNT ? kind_names[k] : "host";
}

void vs_names_init(struct vs_names *n, const char *root)
{
	memset(n, 0, sizeof(*n));
	pthread_mutex_init(&n->lock, NULL);
	snprintf(n->root, sizeof(n->root), "%s", root ? root : "");
}

void vs_names_destroy(struct vs_names *n)
{
	pthread_mutex_destroy(&n->lock);
}

static bool is_hex_id(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return len == 64;
}

/* The table being read: the thread's own, copied in under the lock once whole. */
static struct vs_names_table {
	unsigned n;
	struct vs_name e[VS_NAMES_MAX];
} next;

static struct vs_name *slot(const char *id)
{
	for (unsigned i = 0; i < next.n; i++)
		if (strcmp(next.e[i].id, id) == 0)
			return &next.e[i];
	if (next.n == VS_NAMES_MAX)
		return NULL;
	struct vs_name *e = &next.e[next.n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	return e;
}

/* A JSON string's value at s (just after its opening quote), unescaped simply (a
 * container's name has no escapes), into out; the end, or NULL. */
static const char *string_at(const char *s, char *out, size_t len)
{
	size_t k = 0;

	for (; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		if (k + 1 < len)
			out[k++] = *s;
	}
	out[k] = 0;
	return *s ? s + 1 : NULL;
}

static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t got = 0, r;

	if (fd < 0)
		return -1;
	while ((size_t)got + 1 < len && (r = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += r;
	close(fd);
	buf[got] = 0;
	return got;
}

/* containers/storage's containers.json: [{"id":"HEX","names":["es-data-0"],...},...]. */
static void read_containers_json(const char *root)
{
	static char buf[VS_NAMES_FILE_MAX];
	char path[512], id[65];

	snprintf(path, sizeof(path), "%s%s", root, CONTAINERS_JSON);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return;
	for (const char *p = buf; (p = strstr(p, "\"id\":\"")); ) {
		p = string_at(p + 6, id, sizeof(id));
		if (!p)
			break;
		if (!is_hex_id(id, strlen(id)))
			continue;
		/* Its names: before the next container's id. */
		const char *names = strstr(p, "\"names\":["), *after = strstr(p, "\"id\":\"");
		if (!names || (after && names > after))
			continue;
		names += 9;
		while (*names == ' ')
			names++;
		struct vs_name *e = slot(id);
		if (e && *names == '"')
			string_at(names + 1, e->name, sizeof(e->name));
	}
}

/* Docker's /var/lib/docker/containers/ID/config.v2.json: "Name":"/web". */
static void read_docker(const char *root)
{
	static char buf[256 * 1024];
	char path[512];
	struct dirent *d;

	snprintf(path, sizeof(path), "%s%s", root, DOCKER_DIR);
	DIR *dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (!is_hex_id(d->d_name, strlen(d->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s%s/%s/config.v2.json", root, DOCKER_DIR, d->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		const char *name = strstr(buf, "\"Name\":\"");
		struct vs_name *e = name ? slot(d->d_name) : NULL;
		if (e) {
			string_at(name + 8, e->name, sizeof(e->name));
			if (e->name[0] == '/')
				memmove(e->name, e->name + 1, strlen(e->name));
		}
	}
	if (dir)
		closedir(dir);
}

/* The kubelet's links, /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log: pod and
 * namespace names have no '_', a container's has none either. */
static void read_kubelet(const char *root)
{
	char path[512];
	struct dirent *d;

	snprintf(path, sizeof(path), "%s%s", root, KUBELET_DIR);
	DIR *dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		size_t len = strlen(d->d_name);
		if (len < 4 + 65 + 5 || strcmp(d->d_name + len - 4, ".log") != 0 ||
		    d->d_name[len - 4 - 65] != '-' || !is_hex_id(d->d_name + len - 4 - 64, 64))
			continue;
		char id[65], pod[64], ns[64], ctr[64];
		memcpy(id, d->d_name + len - 4 - 64, 64);
		id[64] = 0;
		int plen = (int)(len - 4 - 65);
		char rest[256];
		snprintf(rest, sizeof(rest), "%.*s", plen, d->d_name);
		char *a = strchr(rest, '_'), *b = a ? strchr(a + 1, '_') : NULL;
		if (!a || !b || strchr(b + 1, '_'))
			continue;
		*a = *b = 0;
		snprintf(pod, sizeof(pod), "%.63s", rest);
		snprintf(ns, sizeof(ns), "%.63s", a + 1);
		snprintf(ctr, sizeof(ctr), "%.63s", b + 1);
		struct vs_name *e = slot(id);
		if (e)
			snprintf(e->pod, sizeof(e->pod), "%.41s/%.41s/%.41s", ns, pod, ctr);
	}
	if (dir)
		closedir(dir);
}

static long mtime_of(const char *root, const char *what)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", root, what);
	if (stat(path, &st) < 0)
		return -1;
	return (long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

unsigned vs_names_refresh(struct vs_names *n)
{
	long m[3];
	bool changed = !n->sources_read;

	for (unsigned i = 0; i < 3; i++) {
		m[i] = mtime_of(n->root, sources[i]);
		changed |= m[i] != n->sources_mtime[i];
	}
	if (!changed)
		return n->n;
	next.n = 0;
	read_kubelet(n->root);
	read_containers_json(n->root);
	read_docker(n->root);
	pthread_mutex_lock(&n->lock);
	memcpy(n->e, next.e, next.n * sizeof(next.e[0]));
	n->n = next.n;
	memcpy(n->sources_mtime, m, sizeof(m));
	n->sources_read = true;
	pthread_mutex_unlock(&n->lock);
	return next.n;
}

static bool all_of(const char *s, size_t len, int (*is)(int))
{
	for (size_t i = 0; i < len; i++)
		if (!is((unsigned char)s[i]))
			return false;
	return len > 0;
}

static int is_lower_alnum(int c)
{
	return islower(c) || isdigit(c);
}

void vs_workload_pod_owner(const char *pod, char *owner, size_t len)
{
	char name[128];
	snprintf(name, sizeof(name), "%s", pod);
	char *dash = strrchr(name, '-');

	if (dash && all_of(dash + 1, strlen(dash + 1), isdigit)) {
		*dash = 0; /* a StatefulSet's ordinal */
	} else if (dash && strlen(dash + 1) == 5 && all_of(dash + 1, 5, is_lower_alnum)) {
		*dash = 0; /* a generated suffix: a ReplicaSet's or a DaemonSet's pod */
		char *hash = strrchr(name, '-');
		size_t h = hash ? strlen(hash + 1) : 0;
		if (hash && h >= 6 && h <= 10 && all_of(hash + 1, h, is_lower_alnum) &&
		    strpbrk(hash + 1, "0123456789"))
			*hash = 0; /* the pod-template hash of a Deployment's ReplicaSet */
	}
	snprintf(owner, len, "%s", name);
}

/* The entry whose id starts with id12; copied out under the lock. */
static bool look_up(struct vs_names *n, const char *id12, struct vs_name *out)
{
	bool found = false;

	if (!n)
		return false;
	pthread_mutex_lock(&n->lock);
	for (unsigned i = 0; i < n->n && !found; i++)
		if (strncmp(n->e[i].id, id12, 12) == 0) {
			*out = n->e[i];
			found = true;
		}
	pthread_mutex_unlock(&n->lock);
	return found;
}

static void container(struct vs_names *n, const char *runtime, const char *id12,
		      struct vs_workload *w)
{
	struct vs_name e;

	w->kind = VS_WORKLOAD_CONTAINER;
	if (look_up(n, id12, &e) && e.name[0]) {
		snprintf(w->name, sizeof(w->name), "%s:%s", runtime, e.name);
		w->named = true;
		w->why = NULL;
	} else {
		snprintf(w->name, sizeof(w->name), "%s:%s", runtime, id12);
		w->named = false;
		w->why = strcmp(runtime, "docker") == 0
			     ? "no Name in /var/lib/docker/containers/ID/config.v2.json"
			     : "not in containers/storage's containers.json";
	}
	snprintf(w->key, sizeof(w->key), "%s", w->name);
}

static void pod(struct vs_names *n, const char *unit, struct vs_workload *w)
{
	const char *id12 = strrchr(unit, '/');
	struct vs_name e;

	w->kind = VS_WORKLOAD_POD;
	if (id12 && look_up(n, id12 + 1, &e) && e.pod[0]) {
		char ns[64], name[128], owner[128];
		snprintf(w->name, sizeof(w->name), "pod:%.120s", e.pod);
		w->named = true;
		w->why = NULL;
		/* NAMESPACE/POD/CONTAINER: the key is the namespace and the pod's owner */
		if (sscanf(e.pod, "%63[^/]/%127[^/]", ns, name) == 2) {
			vs_workload_pod_owner(name, owner, sizeof(owner));
			snprintf(w->key, sizeof(w->key), "pod:%.60s/%.60s", ns, owner);
		} else
			snprintf(w->key, sizeof(w->key), "%s", w->name);
		return;
	}
	snprintf(w->name, sizeof(w->name), "%s", unit);
	snprintf(w->key, sizeof(w->key), "%s", unit);
	w->named = false;
	w->why = "no kubelet link for the container in /var/log/containers";
}

void vs_workload_of(struct vs_names *n, const char *unit, struct vs_workload *w)
{
	static const char *const runtimes[] = {"podman", "docker"};

	w->named = true;
	w->why = NULL;
	if (!unit || !unit[0]) {
		w->kind = VS_WORKLOAD_HOST;
		snprintf(w->name, sizeof(w->name), "host");
		w->key[0] = 0;
		return;
	}
	if (strncmp(unit, "pod:", 4) == 0) {
		pod(n, unit, w);
		return;
	}
	for (unsigned i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		size_t k = strlen(runtimes[i]);
		if (strncmp(unit, runtimes[i], k) == 0 && unit[k] == ':') {
			container(n, runtimes[i], unit + k + 1, w);
			return;
		}
	}
	w->kind = VS_WORKLOAD_UNIT;
	snprintf(w->name, sizeof(w->name), "%s", unit);
	snprintf(w->key, sizeof(w->key), "%s", unit);
}

enum vs_workload_kind vs_workload_kind_of(const char *name)
{
	if (!name || !name[0])
		return VS_WORKLOAD_HOST;
	if (strncmp(name, "pod:", 4) == 0)
		return VS_WORKLOAD_POD;
	if (strncmp(name, "podman:", 7) == 0 || strncmp(name, "docker:", 7) == 0)
		return VS_WORKLOAD_CONTAINER;
	return VS_WORKLOAD_UNIT;
}

bool vs_workload_in(const struct vs_workload *w, const char *const *globs, unsigned n)
{
	char kind_name[VS_WATCH_UNIT_MAX + 16];
	const char *bare = w->name, *colon = strchr(w->name, ':');

	if (!n)
		return true;
	if (w->kind == VS_WORKLOAD_CONTAINER && colon)
		bare = colon + 1;
	else if (w->kind == VS_WORKLOAD_POD && colon)
		bare = colon + 1;
	snprintf(kind_name, sizeof(kind_name), "%s:%s", vs_workload_kind_name(w->kind), bare);
	for (unsigned i = 0; i < n; i++)
		if (fnmatch(globs[i], w->name, 0) == 0 || fnmatch(globs[i], kind_name, 0) == 0)
			return true;
	return false;
}
