/* test_lock.c: a second instance (a forked child) is refused with the pid. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock.h"

/* Child: try the lock, report "code pid-in-message" through the pipe. */
static void child_try(const char *dir, int wfd)
{
	sb_lock *l;
	sb_err e;
	sb_err_clear(&e);
	char out[1200];
	int r = lock_acquire(dir, &l, &e);
	snprintf(out, sizeof out, "%d %d %s", r, (int)e.code, e.msg);
	if (write(wfd, out, strlen(out)) < 0)
		_exit(2);
	if (r == 0)
		lock_release(l);
	_exit(0);
}

static char *run_child(const char *dir)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child_try(dir, p[1]);
	}
	close(p[1]);
	char buf[1300];
	ssize_t n, off = 0;
	while ((n = read(p[0], buf + off, sizeof buf - 1 - (size_t)off)) > 0)
		off += n;
	buf[off] = 0;
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return xstrdup(buf);
}

static void test_lock(void **state)
{
	(void)state;
	char dir[] = "/tmp/sblock.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *sd = path_join(dir, "state/.stockbatch"); /* created on demand */
	sb_lock *l;
	sb_err e;
	assert_int_equal(lock_acquire(sd, &l, &e), 0);

	char *r = run_child(sd);
	char *want = xasprintf("-1 %d stockbatch is already running on this library (pid %ld)",
			       (int)SBE_LOCKED, (long)getpid());
	if (strncmp(r, want, strlen(want)))
		fail_msg("got '%s'", r);
	free(want);
	free(r);

	/* released: the child gets it */
	lock_release(l);
	r = run_child(sd);
	assert_string_equal(r, "0 0 ");
	free(r);

	/* a lock held by a process that died is free again */
	pid_t pid = fork();
	if (pid == 0) {
		sb_lock *cl;
		if (lock_acquire(sd, &cl, NULL) < 0)
			_exit(1);
		_exit(0); /* no release: the kernel drops it */
	}
	int st;
	waitpid(pid, &st, 0);
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(lock_acquire(sd, &l, &e), 0);
	lock_release(l);

	char *lf = path_join(sd, "lock");
	unlink(lf);
	free(lf);
	rmdir(sd);
	char *s1 = path_join(dir, "state");
	rmdir(s1);
	free(s1);
	rmdir(dir);
	free(sd);
}

static void test_unwritable(void **state)
{
	(void)state;
	sb_lock *l;
	sb_err e;
	/* /proc refuses mkdir even to root */
	assert_int_equal(lock_acquire("/proc/sb-no-such/state", &l, &e), -1);
	assert_int_equal(e.code, SBE_IO);
	assert_null(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_unwritable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
