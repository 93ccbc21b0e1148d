/* term.c: the command line's terminal: a progress bar on a terminal, plain
 * lines every tenth when piped or under cron, log lines printed around the
 * bar, and Ctrl+C taken by a thread in sigwait(), so that the engine is told
 * from ordinary code, not from a signal handler.  No curses here. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "i18n.h"
#include "log.h"
#include "report.h"

static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static bool tty_err;
static char bar_line[256]; /* the bar currently on screen, "" if none */
static log_level echo_min = LOG_INFO;

static struct prog_state {
	char what[64];
	size_t last_done, last_total;
	double start;
	int last_decile;
} PS;

void cli_term_progress(const char *what, size_t done, size_t total, void *ctx)
{
	(void)ctx;
	if (cli_opt.quiet || cli_opt.json || total == 0)
		return;
	pthread_mutex_lock(&out_mu);
	double now = now_mono();
	if (strcmp(PS.what, what ? what : "") || done < PS.last_done || total != PS.last_total) {
		snprintf(PS.what, sizeof PS.what, "%s", what ? what : "");
		PS.start = now;
		PS.last_decile = -1;
	}
	PS.last_done = done;
	PS.last_total = total;
	double eta = -1;
	if (done > 0 && total >= done && now > PS.start)
		eta = (now - PS.start) / (double)done * (double)(total - done);
	char etas[32];
	report_fmt_duration(eta, etas, sizeof etas);
	if (tty_err) {
		enum { W = 24 };
		char bar[W + 1];
		size_t fill = total ? done * W / total : 0;
		for (size_t i = 0; i < W; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[W] = '\0';
		snprintf(bar_line, sizeof bar_line, _("%s [%s] %zu/%zu, %s left"), PS.what, bar,
			 done, total, etas);
		fprintf(stderr, "\r\033[K%s", bar_line);
		if (done >= total) {
			fputc('\n', stderr);
			bar_line[0] = '\0';
		}
	} else {
		/* Piped or under cron: a line at the start, every tenth, and the end. */
		int decile = total ? (int)(done * 10 / total) : 10;
		if (decile != PS.last_decile) {
			PS.last_decile = decile;
			fprintf(stderr, _("%s: %zu/%zu, %s left\n"), PS.what, done, total, etas);
		}
	}
	fflush(stderr);
	pthread_mutex_unlock(&out_mu);
}

static void log_sink(log_level lv, const char *line, void *ctx)
{
	(void)ctx;
	if (lv < echo_min) /* -q: echo_min is LOG_ERROR (errors are not quieted) */
		return;
	pthread_mutex_lock(&out_mu);
	if (tty_err && bar_line[0])
		fputs("\r\033[K", stderr);
	fputs(line, stderr);
	size_t n = strlen(line);
	if (!n || line[n - 1] != '\n')
		fputc('\n', stderr);
	if (tty_err && bar_line[0])
		fputs(bar_line, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&out_mu);
}

void cli_term_progress_end(void)
{
	pthread_mutex_lock(&out_mu);
	if (tty_err && bar_line[0]) {
		fputs("\r\033[K", stderr);
		bar_line[0] = '\0';
	}
	pthread_mutex_unlock(&out_mu);
}

/* The log's lines go to stderr through log_sink for this run. */
void cli_term_begin(void)
{
	tty_err = isatty(STDERR_FILENO);
	echo_min = cli_opt.verbose ? LOG_DEBUG
		   : cli_opt.quiet ? LOG_ERROR
		   : tty_err       ? LOG_WARN
				   : LOG_INFO;
	log_set_stderr(LOG_ERROR + 1);
	log_set_sink(log_sink, NULL);
}

void cli_term_end(void)
{
	cli_term_progress_end();
	log_set_sink(NULL, NULL);
}

/* Ctrl+C: a thread waits for the signal (blocked everywhere else). */
static pthread_mutex_t sig_mu = PTHREAD_MUTEX_INITIALIZER;
static engine *sig_engine;
static atomic_int interrupted;
static pthread_t sig_thread;
static bool sig_running;

static void *sig_main(void *arg)
{
	sigset_t *set = arg;
	for (;;) {
		int sig = 0;
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGUSR1)
			return NULL;
		if (atomic_fetch_add(&interrupted, 1) > 0) {
			/* A second Ctrl+C: the user means it.  Every write is atomic. */
			static const char m[] = "\nstockbatch: interrupted again, stopping now\n";
			if (write(STDERR_FILENO, m, sizeof m - 1) < 0) { /* nothing to do */
			}
			_exit(SB_EXIT_INTERRUPTED);
		}
		cli_term_progress_end();
		pthread_mutex_lock(&out_mu);
		fprintf(stderr, _("\nInterrupted: stopping at the next safe point (Ctrl+C again to "
				  "stop at once)...\n"));
		pthread_mutex_unlock(&out_mu);
		pthread_mutex_lock(&sig_mu);
		if (sig_engine)
			engine_interrupt(sig_engine);
		pthread_mutex_unlock(&sig_mu);
	}
}

bool cli_term_interrupted(void)
{
	return atomic_load(&interrupted) != 0;
}

static sigset_t sig_set;

void cli_term_signals_start(void)
{
	sigemptyset(&sig_set);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		/* An ignored signal stays ignored (nohup, background jobs). */
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaddset(&sig_set, sigs[i]);
	}
	sigaddset(&sig_set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sig_set, NULL);
	sig_running = pthread_create(&sig_thread, NULL, sig_main, &sig_set) == 0;
}

void cli_term_signals_set_engine(engine *en)
{
	pthread_mutex_lock(&sig_mu);
	sig_engine = en;
	if (en && interrupted)
		engine_interrupt(en);
	pthread_mutex_unlock(&sig_mu);
}

void cli_term_signals_stop(void)
{
	if (!sig_running)
		return;
	pthread_kill(sig_thread, SIGUSR1);
	pthread_join(sig_thread, NULL);
	sig_running = false;
	pthread_sigmask(SIG_UNBLOCK, &sig_set, NULL);
}
