/* limit.c: the watch's one owner of vm.max_map_count (limit.h): reads and writes of
 * the sysctl and the publication of the value, one at a time. */
#include <errno.h>
#include "vmastress/model/vma.h"
#include "vmastress/watch/limit/limit.h"

void vs_watch_limit_init(struct vs_watch_limit *l, const char *path,
			 void (*publish)(void *to, long value), void *to)
{
	*l = (struct vs_watch_limit){.path = path, .publish = publish, .to = to};
	pthread_mutex_init(&l->lock, NULL);
}

void vs_watch_limit_destroy(struct vs_watch_limit *l)
{
	pthread_mutex_destroy(&l->lock);
}

int vs_watch_limit_read(struct vs_watch_limit *l, long *value)
{
	long v = 0;

	pthread_mutex_lock(&l->lock);
	int e = vs_vma_read_limit(l->path, &v);
	l->err = e;
	if (e == 0) {
		if (l->between)
			l->between(l->between_arg);
		l->value = v;
		if (l->publish)
			l->publish(l->to, v);
	}
	*value = l->value;
	pthread_mutex_unlock(&l->lock);
	return e;
}

int vs_watch_limit_write(struct vs_watch_limit *l, long value)
{
	pthread_mutex_lock(&l->lock);
	int e = vs_vma_write_limit(l->path, value);
	if (e == 0) {
		l->value = value;
		if (l->publish)
			l->publish(l->to, value);
	}
	pthread_mutex_unlock(&l->lock);
	return e;
}

long vs_watch_limit_value(struct vs_watch_limit *l)
{
	pthread_mutex_lock(&l->lock);
	long v = l->value;
	pthread_mutex_unlock(&l->lock);
	return v;
}
