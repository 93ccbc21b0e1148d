/* test_store_crash.c: kill -9 at random instants.  A child saves
 * descriptions in a loop (and flips file states, seals batches, compacts),
 * acknowledging each save on a pipe once store_add_file returned; the parent
 * SIGKILLs it 200 times (seeded) and after each kill the store must open
 * cleanly and hold every acknowledged description with its exact text. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batchstore.h"

static char *mktmp(void)
{
	char *d = xstrdup("/tmp/sbcrash.XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void rmtree(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static store *open_ok(const char *dir)
{
	store *s;
	sb_err e;
	sb_err_clear(&e);
	if (store_open(dir, &s, &e) < 0)
		fail_msg("store_open: %s", e.msg);
	return s;
}

static int add(store *s, const char *bid, const char *cesta, const char *desc, file_state st,
	       sb_err *e)
{
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)desc;
	f.state = st;
	return store_add_file(s, bid, &f, e);
}

#define READY_MARK 0xFFFFFFFFu

static char *desc_for(unsigned n)
{
	/* deterministic, varied length, Czech and JSON-special characters */
	sbuf b = {0};
	sbuf_printf(&b, "Popis č. %u: \"kůň\" \\ /", n);
	for (unsigned i = 0; i < n % 37; i++)
		sbuf_printf(&b, " slovo%u", i * n);
	return sbuf_steal(&b);
}

/* The child: saves descriptions (and flips states, seals batches) forever,
 * acknowledging each save on the pipe after store_add_file returned. */
static void crash_child(const char *dir, unsigned start, int ackfd)
{
	store *s;
	if (store_open(dir, &s, NULL) < 0)
		_exit(3);
	unsigned ready = READY_MARK;
	if (write(ackfd, &ready, sizeof ready) != sizeof ready)
		_exit(6);
	sb_err e;
	unsigned seed = start;
	for (unsigned n = start;; n++) {
		batch_info b;
		if (store_collecting(s, "originals", "openai", "m", &b, &e) < 0)
			_exit(4);
		char cesta[64];
		snprintf(cesta, sizeof cesta, "J:\\Foto\\%u.jpg", n);
		char *d = desc_for(n);
		if (add(s, b.id, cesta, d, FS_DESCRIPTION_SAVED, &e) < 0)
			_exit(5);
		free(d);
		if (write(ackfd, &n, sizeof n) != sizeof n)
			_exit(6);
		unsigned r = (unsigned)rand_r(&seed);
		if (r % 3 == 0) /* flip a state back and forth */
			store_file_set_state(s, b.id, cesta, r % 2 ? FS_PENDING : FS_DESCRIPTION_SAVED,
					     NULL, &e);
		if (store_seal_if_full(s, b.id, 20, &e) < 0)
			_exit(7);
		if (r % 11 == 0)
			store_compact(s, b.id, &e);
	}
}

static void test_crash_kill(void **state)
{
	(void)state;
	char *dir = mktmp();
	unsigned seed = 20261123;
	const int kills = 200;
	unsigned *acked = NULL;
	size_t nacked = 0, cap = 0;
	for (int k = 0; k < kills; k++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		unsigned start = (unsigned)k * 100000u;
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			crash_child(dir, start, p[1]);
		}
		close(p[1]);
		/* A random instant, whatever the machine's load: every fifth time
		 * 0..5 ms after the fork (open's own repairs get hit), otherwise
		 * after 0..4 acknowledged saves plus 0..5 ms. */
		unsigned n;
		int want = k % 5 ? (int)(rand_r(&seed) % 5) + 1 : 0; /* ready mark + saves */
		for (int got = 0; got < want; got++) {
			if (read(p[0], &n, sizeof n) != sizeof n)
				fail_msg("child died early at kill %d", k);
			if (n == READY_MARK)
				continue;
			if (nacked == cap) {
				cap = cap ? cap * 2 : 1024;
				acked = xrealloc(acked, cap * sizeof *acked);
			}
			acked[nacked++] = n;
		}
		struct timespec ts = {0, (long)(rand_r(&seed) % 5000) * 1000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		if (WIFEXITED(st))
			fail_msg("child exited with %d at kill %d", WEXITSTATUS(st), k);
		while (read(p[0], &n, sizeof n) == sizeof n) {
			if (n == READY_MARK)
				continue;
			if (nacked == cap) {
				cap = cap ? cap * 2 : 1024;
				acked = xrealloc(acked, cap * sizeof *acked);
			}
			acked[nacked++] = n;
		}
		close(p[0]);
		/* the store opens cleanly and holds every acknowledged save */
		store *s = open_ok(dir);
		for (size_t i = 0; i < nacked; i++) {
			char cesta[64];
			snprintf(cesta, sizeof cesta, "J:\\Foto\\%u.jpg", acked[i]);
			char bid[40];
			if (!store_file_batch(s, cesta, bid))
				fail_msg("kill %d: %s lost (not in any active batch)", k, cesta);
			file_entry f;
			assert_int_equal(store_file_get(s, bid, cesta, &f), 0);
			char *d = desc_for(acked[i]);
			assert_string_equal(f.description, d);
			assert_true(f.state == FS_DESCRIPTION_SAVED || f.state == FS_PENDING);
			free(d);
			file_entry_clear(&f);
		}
		/* counts agree with the files */
		batch_info *all;
		size_t nb = store_list(s, &all), collecting = 0;
		for (size_t i = 0; i < nb; i++) {
			size_t sum = 0;
			for (int c = 0; c < FS__COUNT; c++)
				sum += all[i].counts[c];
			assert_int_equal(sum, all[i].nfiles);
			collecting += all[i].state == BS_COLLECTING;
		}
		assert_true(collecting <= 1);
		free(all);
		store_close(s);
	}
	print_message("%d kills, %zu acknowledged saves checked after each\n", kills, nacked);
	assert_true(nacked > 0);
	free(acked);
	rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_kill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
