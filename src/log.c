/* log.c: the activity log.  One mutex guards the file, the secret list and
 * the sinks, so lines from the worker and the UI never interleave. */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MAX_SECRETS 16
#define LOG_MIN_SECRET 6            /* shorter "secrets" would redact ordinary words */
#define LOG_ROTATE_BYTES (8L << 20) /* at open: keep one old generation */
#define REDACTED "[REDACTED]"

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static char *secrets[LOG_MAX_SECRETS];
static int nsecrets;
static void (*log_sink)(log_level, const char *, void *);
static void *log_sink_ctx;
static log_level stderr_min = LOG_ERROR + 1;

static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };

int log_open(const char *path, sb_err *e)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > LOG_ROTATE_BYTES) {
		char *old = xasprintf("%s.1", path);
		rename(path, old);
		free(old);
	}
	int fd = open_private(path, O_WRONLY | O_CREAT | O_APPEND, e);
	if (fd < 0)
		return -1;
	pthread_mutex_lock(&log_mu);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	pthread_mutex_unlock(&log_mu);
	return 0;
}

void log_close(void)
{
	pthread_mutex_lock(&log_mu);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	for (int i = 0; i < nsecrets; i++) {
		/* wipe before freeing: the key should not linger in freed memory */
		memset(secrets[i], 0, strlen(secrets[i]));
		free(secrets[i]);
		secrets[i] = NULL;
	}
	nsecrets = 0;
	log_sink = NULL;
	log_sink_ctx = NULL;
	stderr_min = LOG_ERROR + 1;
	pthread_mutex_unlock(&log_mu);
}

void log_add_secret(const char *secret)
{
	if (!secret || strlen(secret) < LOG_MIN_SECRET)
		return;
	pthread_mutex_lock(&log_mu);
	bool have = false;
	for (int i = 0; i < nsecrets; i++)
		have |= !strcmp(secrets[i], secret);
	if (!have && nsecrets < LOG_MAX_SECRETS)
		secrets[nsecrets++] = xstrdup(secret);
	pthread_mutex_unlock(&log_mu);
}

void log_set_sink(void (*sink)(log_level lv, const char *line, void *ctx), void *ctx)
{
	pthread_mutex_lock(&log_mu);
	log_sink = sink;
	log_sink_ctx = ctx;
	pthread_mutex_unlock(&log_mu);
}

void log_set_stderr(log_level min)
{
	pthread_mutex_lock(&log_mu);
	stderr_min = min;
	pthread_mutex_unlock(&log_mu);
}

/* Caller holds log_mu. */
static void scrub_locked(char *s, size_t cap)
{
	if (!s || !cap)
		return;
	for (int i = 0; i < nsecrets; i++) {
		size_t sl = strlen(secrets[i]), rl = strlen(REDACTED);
		char *p = s;
		while ((p = strstr(p, secrets[i]))) {
			size_t len = strlen(s);
			size_t tail = len - (size_t)(p - s) - sl;
			size_t room = cap - 1 - (size_t)(p - s); /* bytes available from p */
			/* Move the tail, truncating at cap; then the marker (maybe cut). */
			size_t r = rl < room ? rl : room;
			size_t t = tail < room - r ? tail : room - r;
			memmove(p + r, p + sl, t);
			memcpy(p, REDACTED, r);
			p[r + t] = 0;
			p += r;
		}
	}
}

void log_scrub(char *s, size_t cap)
{
	pthread_mutex_lock(&log_mu);
	scrub_locked(s, cap);
	pthread_mutex_unlock(&log_mu);
}

void sb_log(log_level lv, const char *fmt, ...)
{
	if ((int)lv < LOG_DEBUG || lv > LOG_ERROR)
		lv = LOG_ERROR;
	va_list ap;
	va_start(ap, fmt);
	char *msg;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	/* room for "[REDACTED]" growth: scrub never needs more than this */
	size_t cap = strlen(msg) * 2 + 64;
	char *line = xmalloc(cap);
	snprintf(line, cap, "%s", msg);
	free(msg);
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' '; /* one event, one line */

	char ts[32];
	time_iso(time(NULL), ts);
	pthread_mutex_lock(&log_mu);
	scrub_locked(line, cap);
	if (log_fd >= 0) {
		char *full = xasprintf("%s %-5s %s\n", ts, level_names[lv], line);
		size_t n = strlen(full), off = 0;
		while (off < n) {
			ssize_t w = write(log_fd, full + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		free(full);
	}
	if (lv >= stderr_min)
		fprintf(stderr, "stockbatch: %s\n", line);
	void (*sink)(log_level, const char *, void *) = log_sink;
	void *ctx = log_sink_ctx;
	pthread_mutex_unlock(&log_mu);
	/* outside the lock: a sink may log, or take its own locks */
	if (sink)
		sink(lv, line, ctx);
	free(line);
}
