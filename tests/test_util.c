/* test_util.c: the shared helpers. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void test_sha256(void **state)
{
	(void)state;
	char h[65];
	sha256_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *s56 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(s56, strlen(s56), h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_utf8(void **state)
{
	(void)state;
	const char *cz = "Příliš žluťoučký kůň";
	assert_true(utf8_valid(cz, strlen(cz), NULL));
	assert_int_equal(utf8_chars(cz), 20);
	assert_int_equal(utf8_prefix_bytes(cz, 2), 3);
	size_t off = 0;
	assert_false(utf8_valid("ab\xC3", 3, &off));
	assert_int_equal(off, 2);
	assert_false(utf8_valid("\xC0\x80", 2, &off)); /* overlong */
	assert_false(utf8_valid("\xED\xA0\x80", 3, &off)); /* surrogate */
}

static void test_atomic_write(void **state)
{
	(void)state;
	char dir[] = "/tmp/sbtestXXXXXX";
	assert_non_null(mkdtemp(dir));
	char *p = path_join(dir, "a/b/c.txt");
	char *d = path_dirname(p);
	sb_err e = {0};
	assert_int_equal(mkdir_p(d, 0755, &e), 0);
	assert_int_equal(atomic_write(p, "hello", 5, 0644, &e), 0);
	char *data;
	size_t len;
	assert_int_equal(read_whole_file(p, &data, &len, &e), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	assert_int_equal(read_whole_file("/nonexistent/x", &data, &len, &e), -1);
	assert_int_equal(e.code, SBE_NOTFOUND);
	free(p);
	free(d);
	char *cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Temp files: a unique name each time, never through a planted symlink;
 * atomic_write gives exactly the mode asked; dead processes' temps go. */
static void test_temp_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/sbtestXXXXXX";
	assert_non_null(mkdtemp(dir));
	char *target = path_join(dir, "f.csv");
	char *victim = path_join(dir, "victim");
	sb_err e = {0};
	assert_int_equal(atomic_write(victim, "keep", 4, 0644, &e), 0);
	/* every old-style name of this pid planted as a symlink */
	char *planted = xasprintf("%s.tmp.%ld", target, (long)getpid());
	assert_int_equal(symlink(victim, planted), 0);
	char *t1, *t2;
	int fd1 = util_create_temp(target, &t1, &e), fd2 = util_create_temp(target, &t2, &e);
	assert_true(fd1 >= 0 && fd2 >= 0);
	assert_string_not_equal(t1, t2);
	struct stat st;
	assert_int_equal(fstat(fd1, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	close(fd1);
	close(fd2);
	unlink(t1);
	unlink(t2);
	free(t1);
	free(t2);
	umask(0);
	assert_int_equal(atomic_write(target, "new", 3, 0640, &e), 0);
	umask(022);
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	char *data;
	size_t len;
	assert_int_equal(read_whole_file(victim, &data, &len, &e), 0);
	assert_memory_equal(data, "keep", 4);
	free(data);
	/* a dead pid's temp goes; ours, a live one's, a symlink and others stay */
	char *dead = xasprintf("%s.tmp.%d.aB3dE9", target, 0x3ffffe);
	char *dead_old = xasprintf("%s.tmp.%d", target, 0x3ffffe);
	char *other = xasprintf("%s/g.csv.tmp.%d", dir, 0x3ffffe);
	char *mine = xasprintf("%s.tmp.%ld.xxxxxx", target, (long)getpid());
	/* the XMP toolkit's own temp beside a dead run's (embed --in-place) */
	char *dead_xmp = xasprintf("%s.tmp.%d.aB3dE9._00_", target, 0x3ffffe);
	char *not_temp = xasprintf("%s.tmp.%d.aB3dE9.bak", target, 0x3ffffe);
	const char *const make[] = {dead, dead_old, other, mine, dead_xmp, not_temp};
	for (int i = 0; i < 6; i++)
		assert_int_equal(atomic_write(make[i], "", 0, 0600, &e), 0);
	assert_int_equal(util_remove_dead_temps(dir, "f"), 3);
	assert_false(file_exists(dead));
	assert_false(file_exists(dead_old));
	assert_false(file_exists(dead_xmp));
	assert_true(file_exists(not_temp));
	free(dead_xmp);
	free(not_temp);
	assert_true(file_exists(other) && file_exists(mine));
	assert_int_equal(lstat(planted, &st), 0);
	free(dead);
	free(dead_old);
	free(other);
	free(mine);
	free(planted);
	free(victim);
	free(target);
	char *cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_sbuf(void **state)
{
	(void)state;
	sbuf b = {0};
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&b, "%d,", i);
	assert_int_equal(strncmp(b.p, "0,1,2,", 6), 0);
	char *s = sbuf_steal(&b);
	assert_null(b.p);
	free(s);
}

static void test_cesta_basename(void **state)
{
	(void)state;
	assert_string_equal(cesta_basename("J:\\Upraven\xc3\xa9 foto\\JPG\\IMG_0101_bw.jpg"), "IMG_0101_bw.jpg");
	assert_string_equal(cesta_basename("/home/p/Foto/IMG_0101.jpg"), "IMG_0101.jpg");
	assert_string_equal(cesta_basename("J:/Foto\\IMG_1.jpg"), "IMG_1.jpg");
	assert_string_equal(cesta_basename("IMG_2.jpg"), "IMG_2.jpg");
	/* and its folder, as the photo list shows it */
	const char *cases[][2] = { { "J:\\Foto\\JPG\\IMG_0101.jpg", "J:\\Foto\\JPG" },
				   { "/home/p/Foto/IMG_0101.jpg", "/home/p/Foto" },
				   { "J:/Foto\\IMG_1.jpg", "J:/Foto" },
				   { "IMG_2.jpg", "." },
				   { "/IMG_3.jpg", "/" } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *d = cesta_dirname(cases[i][0]);
		assert_string_equal(d, cases[i][1]);
		free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_temp_files),
		cmocka_unit_test(test_sbuf),
		cmocka_unit_test(test_cesta_basename),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
