/* collectscan.c: the photos still to describe, checked in the background
 * (see collectscan.h). */
#include "config.h"

#include "collectscan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collect.h"
#include "photomedia.h"

/* Lookups in flight: a share answers several at once, a local disk does
 * not mind. */
#define SCAN_THREADS 8
#define SCAN_NICE 10

enum { UNCHECKED, ELIGIBLE, NOT_ELIGIBLE };

struct collect_scan {
	const settings *cfg;
	store *st;
	mediacsv *m;
	int c_cesta;
	size_t *cand, ncand;  /* the unprocessed rows in order */
	unsigned char *state; /* per candidate */
	/* under mu: */
	pthread_mutex_t mu;
	size_t next;     /* the next candidate a thread takes */
	size_t frontier; /* every candidate before it is checked and published */
	size_t *found, nfound, taken;
	int running;
	bool stop, ended, notified;
	pthread_t th[SCAN_THREADS];
	int nth;
	int pipe[2]; /* one byte while news wait to be taken */
};

/* Under mu: wake the front end, once until it takes what is new. */
static void notify(collect_scan *s)
{
	if (s->notified)
		return;
	s->notified = true;
	ssize_t w = write(s->pipe[1], "", 1);
	(void)w; /* full: a byte is waiting anyway */
}

/* Under mu: the checked candidates from the frontier on, in order. */
static void publish(collect_scan *s)
{
	size_t before = s->nfound;
	while (s->frontier < s->ncand && s->state[s->frontier] != UNCHECKED) {
		if (s->state[s->frontier] == ELIGIBLE)
			s->found[s->nfound++] = s->cand[s->frontier];
		s->frontier++;
	}
	if (s->nfound > before)
		notify(s);
}

static void *scan_main(void *arg)
{
	collect_scan *s = arg;
#ifdef __linux__
	/* Background work: on a local disk the lookups would take both cores
	 * from the screen that is about to draw what they found.  (Linux
	 * gives each thread its own nice value.) */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SCAN_NICE) < 0) {
	}
#endif
	pthread_mutex_lock(&s->mu);
	while (!s->stop && s->next < s->ncand) {
		size_t i = s->next++;
		pthread_mutex_unlock(&s->mu);
		/* Cesta is parsed at load: reading it changes nothing in m */
		const char *cesta = mediacsv_get(s->m, s->cand[i], s->c_cesta);
		bool ok = collect_eligibility(s->cfg, s->st, cesta, NULL, NULL) == COLLECT_ELIGIBLE;
		pthread_mutex_lock(&s->mu);
		s->state[i] = ok ? ELIGIBLE : NOT_ELIGIBLE;
		publish(s);
	}
	if (--s->running == 0) {
		s->ended = true;
		notify(s);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int collect_scan_start(const settings *cfg, store *st, collect_scan **out, sb_err *e)
{
	*out = NULL;
	collect_scan *s = xcalloc(1, sizeof *s);
	s->cfg = cfg;
	s->st = st;
	if (mediacsv_load_lean(cfg->media_csv, &s->m, e) < 0) {
		free(s);
		return -1;
	}
	s->c_cesta = mediacsv_col(s->m, MC_CESTA);
	s->ncand = mediacsv_unprocessed(s->m, NULL, NULL, &s->cand);
	s->state = xcalloc(s->ncand ? s->ncand : 1, 1);
	s->found = xcalloc(s->ncand ? s->ncand : 1, sizeof *s->found);
	pthread_mutex_init(&s->mu, NULL);
	if (pipe2(s->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		int err = errno;
		pthread_mutex_destroy(&s->mu);
		free(s->found);
		free(s->state);
		free(s->cand);
		mediacsv_free(s->m);
		free(s);
		return sb_fail(e, SBE_IO, "pipe: %s", strerror(err));
	}
	int want = s->ncand < SCAN_THREADS ? (int)s->ncand : SCAN_THREADS;
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < want; i++)
		if (pthread_create(&s->th[s->nth], NULL, scan_main, s) == 0)
			s->nth++;
	s->running = s->nth;
	pthread_mutex_unlock(&s->mu);
	if (s->nth == 0) /* no thread (or nothing to check): check here */
		scan_main((s->running = 1, s));
	*out = s;
	return 0;
}

const mediacsv *collect_scan_csv(const collect_scan *s)
{
	return s->m;
}

int collect_scan_fd(const collect_scan *s)
{
	return s->pipe[0];
}

bool collect_scan_take(collect_scan *s, size_t **rows, size_t *n, size_t *cap)
{
	char buf[64];
	while (read(s->pipe[0], buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&s->mu);
	s->notified = false;
	size_t add = s->nfound - s->taken;
	if (*n + add > *cap) {
		*cap = *n + add + 64;
		*rows = xrealloc(*rows, *cap * sizeof **rows);
	}
	if (add)
		memcpy(*rows + *n, s->found + s->taken, add * sizeof **rows);
	*n += add;
	s->taken = s->nfound;
	bool ended = s->ended;
	pthread_mutex_unlock(&s->mu);
	return ended;
}

void collect_scan_progress(collect_scan *s, size_t *checked, size_t *candidates)
{
	pthread_mutex_lock(&s->mu);
	*checked = s->frontier;
	*candidates = s->ncand;
	pthread_mutex_unlock(&s->mu);
}

void collect_scan_free(collect_scan *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < s->nth; i++)
		pthread_join(s->th[i], NULL);
	pthread_mutex_destroy(&s->mu);
	close(s->pipe[0]);
	close(s->pipe[1]);
	free(s->found);
	free(s->state);
	free(s->cand);
	mediacsv_free(s->m);
	free(s);
}
