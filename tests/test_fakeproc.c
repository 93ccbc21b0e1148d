/* test_fakeproc.c: the fake API never outlives the test that started it.
 * A test child starts a fake and then dies on SIGKILL (no atexit, no
 * cleanup): the fake must get its death signal.  A child that exits
 * normally without fake_stop must kill and reap its fake.  This process is
 * a child subreaper, so orphaned fakes come back to it and their end can
 * be waited for, without polling or timing. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sys/prctl.h>

#include "fakeproc.h"

/* Fork a child that starts a fake, reports its pid on a pipe, then ends
 * the way `how` says; returns the fake's pid, *child_st the child's status. */
static pid_t run_child(int how, int *child_st)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		close(p[0]);
		fakeproc f;
		pid_t fp = fake_start(&f, NULL) == 0 ? f.pid : -1;
		if (write(p[1], &fp, sizeof fp) != (ssize_t)sizeof fp)
			_exit(3);
		close(p[1]);
		if (how == SIGKILL)
			raise(SIGKILL); /* a crash: nothing of ours runs */
		exit(0);            /* a normal end that forgot fake_stop */
	}
	close(p[1]);
	pid_t fp = -1;
	assert_int_equal(read(p[0], &fp, sizeof fp), (ssize_t)sizeof fp);
	close(p[0]);
	assert_true(fp > 0);
	assert_int_equal(waitpid(c, child_st, 0), c);
	return fp;
}

static void test_dies_with_killed_test(void **state)
{
	(void)state;
	int st;
	pid_t fp = run_child(SIGKILL, &st);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* Orphaned, the fake is now our child: it must end by itself.  If it
	 * did not, this wait would block and the alarm fail the test. */
	alarm(60);
	int fst;
	assert_int_equal(waitpid(fp, &fst, 0), fp);
	alarm(0);
	assert_true(WIFEXITED(fst) || (WIFSIGNALED(fst) && WTERMSIG(fst) == SIGTERM));
}

static void test_reaped_at_exit(void **state)
{
	(void)state;
	int st;
	pid_t fp = run_child(0, &st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The child's atexit hook killed and reaped it before the child ended. */
	assert_int_equal(kill(fp, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(waitpid(fp, NULL, WNOHANG), -1);
}

static void test_stop_still_clean(void **state)
{
	(void)state;
	fakeproc f;
	assert_int_equal(fake_start(&f, NULL), 0);
	pid_t fp = f.pid;
	assert_int_equal(fake_stat(&f, "batches_created"), 0);
	assert_int_equal(fake_stop(&f), 0); /* SIGTERM: a clean exit */
	assert_int_equal(kill(fp, 0), -1);
}

int main(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		fprintf(stderr, "SKIP: no PR_SET_CHILD_SUBREAPER\n");
		return 77;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dies_with_killed_test),
		cmocka_unit_test(test_reaped_at_exit),
		cmocka_unit_test(test_stop_still_clean),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
