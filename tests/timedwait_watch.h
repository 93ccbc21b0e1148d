/* timedwait_watch.h: included by one test file, it stands in for
 * pthread_cond_timedwait (the program's own calls resolve to it) and counts
 * the deadlines that are not on CLOCK_MONOTONIC: a CLOCK_REALTIME deadline
 * lies decades away from the monotonic now, so polling would follow a
 * wall-clock jump (NTP, a laptop's sleep). */
#ifndef SB_TEST_TIMEDWAIT_WATCH_H
#define SB_TEST_TIMEDWAIT_WATCH_H
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static atomic_int timed_waits, realtime_deadlines;

int pthread_cond_timedwait(pthread_cond_t *restrict cv, pthread_mutex_t *restrict mu,
			   const struct timespec *restrict abstime)
{
	int (*real)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
	*(void **)&real = dlsym(RTLD_NEXT, "pthread_cond_timedwait");
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	atomic_fetch_add(&timed_waits, 1);
	/* the waits of the tests are far below a day */
	if (labs((long)(abstime->tv_sec - mono.tv_sec)) > 86400)
		atomic_fetch_add(&realtime_deadlines, 1);
	return real(cv, mu, abstime);
}
#endif
