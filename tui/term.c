/* term.c: the locale, the terminal and its hangup (see term.h).  Over SSH
 * the locale is often unset (the C locale, ASCII): ncursesw then drops
 * every character after the first non-ASCII one and draws borders as
 * letters.  The data are UTF-8 whatever the locale, so the screen reads
 * and writes UTF-8. */
#include "config.h"
#include "term.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <term.h>
#include <unistd.h>

#include "i18n.h"

static bool codeset_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

/* "cs_CZ.ISO-8859-2@euro" -> "cs_CZ" in out; false for C, POSIX, "". */
static bool language_of(const char *name, char *out, size_t cap)
{
	if (!name || !*name || !strcmp(name, "C") || !strcmp(name, "POSIX") ||
	    !strncmp(name, "C.", 2))
		return false;
	size_t n = strcspn(name, ".@");
	if (n == 0 || n >= cap || strchr(name, '/') || strchr(name, ';'))
		return false;
	memcpy(out, name, n);
	out[n] = '\0';
	return true;
}

const char *term_pick_utf8(const char *current, const char *env_lang,
			   bool (*try)(const char *name, void *ctx), void *ctx)
{
	static char cand[2][80];
	char lang[64];
	int n = 0;
	if (language_of(current, lang, sizeof lang))
		snprintf(cand[n++], sizeof cand[0], "%s.UTF-8", lang);
	if (language_of(env_lang, lang, sizeof lang)) {
		snprintf(cand[n], sizeof cand[0], "%s.UTF-8", lang);
		if (n == 0 || strcmp(cand[0], cand[n]) != 0)
			n++;
	}
	for (int i = 0; i < n; i++)
		if (try(cand[i], ctx))
			return cand[i];
	static const char *const fixed[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (try(fixed[i], ctx))
			return fixed[i];
	return NULL;
}

static bool try_ctype(const char *name, void *ctx)
{
	(void)ctx;
	return setlocale(LC_CTYPE, name) && codeset_is_utf8();
}

/* The locale the user asked for, as the environment names it. */
static const char *env_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

/* Many UTF-8 terminals (PuTTY by default, the Linux console, mosh) ignore
 * the VT100 line-drawing switch and show its letters, q and x: ncursesw
 * then draws the lines as Unicode box characters instead. */
static void lines_as_unicode(void)
{
	setenv("NCURSES_NO_UTF8_ACS", "1", 0);
}

int term_utf8_locale(char *note, size_t cap)
{
	note[0] = '\0';
	if (codeset_is_utf8()) {
		lines_as_unicode();
		return 0;
	}
	char was[128], cs[64];
	const char *cur = setlocale(LC_CTYPE, NULL);
	snprintf(was, sizeof was, "%s", cur ? cur : "C");
	snprintf(cs, sizeof cs, "%s", nl_langinfo(CODESET));
	const char *got = term_pick_utf8(was, env_locale(), try_ctype, NULL);
	if (!got) {
		setlocale(LC_CTYPE, was);
		return -1;
	}
	snprintf(note, cap, _("Keys and screen in UTF-8 (%s): the locale %s uses %s."), got, was,
		 cs);
	lines_as_unicode();
	return 1;
}

term_caps term_probe(void)
{
	term_caps c = { 0, PV_SYM_FULL };
	const char *nc = getenv("NO_COLOR");
	if (has_colors() && !(nc && *nc))
		c.colors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : 8;
	/* No line drawing in the terminfo entry and no UTF-8 claim (U8): an old
	 * console without box characters gets ASCII lines. */
	const char *acsc = tigetstr("acsc");
	if ((!acsc || acsc == (char *)-1 || !*acsc) && tigetnum("U8") <= 0) {
		static const char map[][2] = { { 'q', '-' }, { 'x', '|' }, { 'l', '+' },
					       { 'k', '+' }, { 'm', '+' }, { 'j', '+' },
					       { 'a', ':' } };
		for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
			acs_map[(unsigned char)map[i][0]] = (chtype)(unsigned char)map[i][1];
	}
	/* A terminal from before colour (vt100, vt220) has ASCII only; the
	 * Linux console's font has the block elements and shades but no
	 * quadrants, sextants or box-drawing diagonals. */
	const char *name = termname();
	if (!has_colors() || (name && name[0] == 'v' && name[1] == 't'))
		c.symbols = PV_SYM_ASCII;
	else if (name && !strncmp(name, "linux", 5))
		c.symbols = PV_SYM_BLOCKS;
	return c;
}

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_last;
static const int caught[] = { SIGHUP, SIGTERM };

static void on_signal(int sig)
{
	int saved = errno;
	sig_last = sig;
	ssize_t r = write(sig_pipe[1], "", 1); /* full: a wake-up is pending anyway */
	(void)r;
	errno = saved;
}

int term_signals_catch(void)
{
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* the worker's calls go on until it is stopped */
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaction(caught[i], &sa, NULL);
	return sig_pipe[0];
}

int term_signal_taken(void)
{
	char buf[64];
	while (sig_pipe[0] >= 0 && read(sig_pipe[0], buf, sizeof buf) > 0) {
	}
	return sig_last;
}

void term_signals_release(void)
{
	if (sig_pipe[0] < 0)
		return;
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		signal(caught[i], SIG_DFL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

void term_suspend(void)
{
	def_prog_mode();
	endwin();
	fflush(stdout);
	/* the default action (stop) whatever curses installed; raw mode
	 * means the key came as a character, not as the terminal's signal */
	struct sigaction dfl, old;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &old);
	sigset_t set, was;
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &set, &was);
	kill(getpid(), SIGTSTP); /* returns after SIGCONT */
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	sigaction(SIGTSTP, &old, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

void term_frames_whole(void)
{
	def_prog_mode();
	endwin();
	refresh();
}

void term_put(const char *s, size_t n)
{
	fflush(stdout);
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
			poll(&p, 1, 1000);
		} else if (!(w < 0 && errno == EINTR)) {
			break; /* the terminal is gone */
		}
	}
}
