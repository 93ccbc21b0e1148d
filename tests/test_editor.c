/* test_editor.c: the TUI's description editor model (tui/editor.c):
 * UTF-8 insert and delete, the minimum counter, word wrap, motion. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "editor.h"
#include "utf8.h"

static void test_insert_czech(void **state)
{
	(void)state;
	editor ed;
	editor_init(&ed);
	editor_insert(&ed, "ěščřž", strlen("ěščřž"));
	assert_string_equal(editor_text(&ed), "ěščřž");
	assert_int_equal(editor_count(&ed), 5);
	assert_true(editor_backspace(&ed));
	assert_string_equal(editor_text(&ed), "ěščř");
	editor_left(&ed);
	editor_left(&ed);
	editor_insert_cp(&ed, 0xFD); /* ý */
	assert_string_equal(editor_text(&ed), "ěšýčř");
	assert_true(editor_delete(&ed));
	assert_string_equal(editor_text(&ed), "ěšýř");
	editor_free(&ed);
}

static void test_invalid_dropped(void **state)
{
	(void)state;
	editor ed;
	editor_init(&ed);
	editor_insert(&ed, "a\xC3\x01" "b\x1b[c\tž", 10);
	assert_string_equal(editor_text(&ed), "ab[c ž");
	editor_free(&ed);
}

static void test_count_trims(void **state)
{
	(void)state;
	editor ed;
	editor_init(&ed);
	editor_set(&ed, "  áb c \n ");
	assert_int_equal(editor_count(&ed), 4);
	editor_set(&ed, "");
	assert_int_equal(editor_count(&ed), 0);
	assert_false(editor_backspace(&ed));
	assert_false(editor_delete(&ed));
	editor_free(&ed);
}

static void test_wrap(void **state)
{
	(void)state;
	editor ed;
	editor_init(&ed);
	/* width 10: "Žluťoučký " | "kůň pěl " | "ódy" */
	editor_set(&ed, "Žluťoučký kůň pěl ódy");
	ed_line *L;
	size_t n = editor_layout(&ed, 10, &L);
	assert_int_equal(n, 3);
	assert_true(strncmp(ed.p + L[0].start, "Žluťoučký", L[0].end - L[0].start) == 0 ||
		    strncmp(ed.p + L[0].start, "Žluťoučký ", L[0].end - L[0].start) == 0);
	assert_memory_equal(ed.p + L[1].start, "kůň pěl ", strlen("kůň pěl "));
	assert_memory_equal(ed.p + L[2].start, "ódy", 4);
	free(L);
	/* a word longer than the line is cut */
	editor_set(&ed, "abcdefghijklmnop");
	n = editor_layout(&ed, 6, &L);
	assert_int_equal(n, 3);
	assert_int_equal(L[1].start, 6);
	free(L);
	/* newlines start lines; a trailing newline opens an empty line */
	editor_set(&ed, "ab\ncd\n");
	n = editor_layout(&ed, 10, &L);
	assert_int_equal(n, 3);
	assert_int_equal(L[2].start, L[2].end);
	free(L);
	int r, c;
	editor_cursor(&ed, 10, &r, &c);
	assert_int_equal(r, 2);
	assert_int_equal(c, 0);
	editor_free(&ed);
}

static void test_words(void **state)
{
	(void)state;
	editor ed;
	editor_init(&ed);
	editor_set(&ed, "Praha, Karlův most");
	editor_word_left(&ed);
	assert_string_equal(ed.p + ed.cur, "most");
	editor_word_left(&ed);
	assert_string_equal(ed.p + ed.cur, "Karlův most");
	editor_word_left(&ed);
	assert_int_equal(ed.cur, 0);
	editor_word_right(&ed);
	assert_string_equal(ed.p + ed.cur, "Karlův most");
	editor_word_right(&ed);
	assert_string_equal(ed.p + ed.cur, "most");
	editor_word_right(&ed);
	assert_int_equal(ed.cur, ed.len);
	editor_free(&ed);
}

static void test_vertical(void **state)
{
	(void)state;
	editor ed;
	editor_init(&ed);
	editor_set(&ed, "řádek jedna\nkrátký\nřádek třetí");
	int r, c;
	editor_cursor(&ed, 40, &r, &c);
	assert_int_equal(r, 2);
	assert_int_equal(c, 11);
	editor_up(&ed, 40);
	editor_cursor(&ed, 40, &r, &c);
	assert_int_equal(r, 1);
	assert_int_equal(c, 6); /* clamped to "krátký" */
	editor_up(&ed, 40);
	editor_cursor(&ed, 40, &r, &c);
	assert_int_equal(r, 0);
	assert_int_equal(c, 11); /* the sticky column comes back */
	editor_home(&ed, 40);
	assert_int_equal(ed.cur, 0);
	editor_end(&ed, 40);
	assert_string_equal(ed.p + ed.cur, "\nkrátký\nřádek třetí");
	editor_down(&ed, 40);
	editor_down(&ed, 40);
	editor_down(&ed, 40);
	assert_int_equal(ed.cur, ed.len);
	/* up/down across wrapped lines of one paragraph */
	editor_set(&ed, "aaaa bbbb cccc");
	editor_cursor(&ed, 5, &r, &c);
	assert_int_equal(r, 2);
	editor_up(&ed, 5);
	editor_cursor(&ed, 5, &r, &c);
	assert_int_equal(r, 1);
	assert_string_equal(ed.p + ed.cur, " cccc");
	editor_home(&ed, 5);
	assert_string_equal(ed.p + ed.cur, "bbbb cccc");
	editor_free(&ed);
}

static void test_encode(void **state)
{
	(void)state;
	char b[4];
	assert_int_equal(utf8_encode_cp(0x17E, b), 2); /* ž */
	assert_memory_equal(b, "ž", 2);
	assert_int_equal(utf8_encode_cp(0xD800, b), 0);
	assert_int_equal(utf8_encode_cp(0x1F600, b), 4);
	assert_int_equal(utf8_encode_cp(0x110000, b), 0);
}

static void expect(editor *ed, const char *text, size_t cur)
{
	assert_string_equal(editor_text(ed), text);
	assert_int_equal(ed->cur, cur);
}

/* Readline's kill keys over Czech words (two-byte letters). */
static void test_kill(void **state)
{
	(void)state;
	editor ed;
	editor_init(&ed);
	editor_set(&ed, "Horská chata, při západu");
	unsigned g = ed.gen;
	editor_kill_word_back(&ed, false); /* Alt+Backspace */
	expect(&ed, "Horská chata, při ", strlen("Horská chata, při "));
	assert_true(ed.gen != g);
	editor_kill_word_back(&ed, false);
	expect(&ed, "Horská chata, ", strlen("Horská chata, "));
	editor_kill_word_back(&ed, true); /* Ctrl+W: blanks, then non-blanks */
	expect(&ed, "Horská ", strlen("Horská "));
	editor_text_start(&ed);
	editor_kill_word_fwd(&ed); /* Alt+D */
	expect(&ed, " ", 0);
	editor_kill_word_fwd(&ed); /* nothing to kill but the blank */
	expect(&ed, "", 0);
	editor_kill_word_back(&ed, true);
	expect(&ed, "", 0);

	editor_set(&ed, "první řádek\ndruhý řádek");
	editor_kill_line_back(&ed); /* Ctrl+U: the second line */
	expect(&ed, "první řádek\n", strlen("první řádek\n"));
	editor_kill_line_back(&ed); /* at the line's start: the newline */
	expect(&ed, "první řádek", strlen("první řádek"));
	editor_text_start(&ed);
	editor_word_right(&ed);
	editor_kill_line_fwd(&ed); /* Ctrl+K */
	expect(&ed, "první ", strlen("první "));
	editor_set(&ed, "a\nb");
	editor_text_start(&ed);
	editor_right(&ed);
	editor_kill_line_fwd(&ed); /* at the line's end: the newline */
	expect(&ed, "ab", 1);
	editor_text_end(&ed);
	assert_int_equal(ed.cur, 2);
	editor_free(&ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_czech), cmocka_unit_test(test_invalid_dropped),
		cmocka_unit_test(test_count_trims),  cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_words),        cmocka_unit_test(test_vertical),
		cmocka_unit_test(test_encode),       cmocka_unit_test(test_kill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
