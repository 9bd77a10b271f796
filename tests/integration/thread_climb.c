/* thread_climb.c: a real program of the threads shape: glibc's pthread_create, N
 * times (64 KiB stacks: 2 VMAs a thread, the stack and its guard), every thread
 * parked until the end. Prints "made M err E maps V seconds S": the threads made, the
 * errno of the first refusal (0: none), the process's mappings then (or at the end).
 * Usage: thread_climb N */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int finished;

static void *park(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!finished)
		pthread_cond_wait(&done, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static long maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	long want = argc > 1 ? atol(argv[1]) : 0, made = 0;
	pthread_attr_t attr;
	pthread_t t;
	struct timespec t0, t1;
	int err = 0;

	if (want <= 0) {
		fprintf(stderr, "usage: thread_climb N\n");
		return 64;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 65536);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; made < want; made++)
		if ((err = pthread_create(&t, &attr, park, NULL)) != 0)
			break;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("made %ld err %d maps %ld seconds %.3f\n", made, err, maps(),
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	_exit(0); /* the parked threads end with the process */
}
