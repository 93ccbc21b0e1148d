/* test_keys.c: the TUI's key table (tui/keys.c): the dispatcher finds the
 * pane's own keys first, typed characters are text in the editor, function
 * keys never collide with characters, and --list-keys prints every
 * documented key. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

static void test_editor_keys(void **state)
{
	(void)state;
	assert_int_equal(tui_key_action(TC_EDITOR, 0x13, false), TA_SAVE);       /* Ctrl+S */
	assert_int_equal(tui_key_action(TC_EDITOR, KEY_F(2), true), TA_SAVE);
	assert_int_equal(tui_key_action(TC_EDITOR, 0x11, false), TA_QUIT);       /* Ctrl+Q */
	assert_int_equal(tui_key_action(TC_EDITOR, KEY_F(10), true), TA_QUIT);
	assert_int_equal(tui_key_action(TC_EDITOR, TK_ALT_B, false), TA_WORD_LEFT);
	assert_int_equal(tui_key_action(TC_EDITOR, '\r', false), TA_NEWLINE);
	/* q and ? are text while typing */
	assert_int_equal(tui_key_action(TC_EDITOR, 'q', false), TA_NONE);
	assert_int_equal(tui_key_action(TC_EDITOR, '?', false), TA_NONE);
	assert_int_equal(tui_key_action(TC_EDITOR, 'p', false), TA_NONE);
	/* a character whose code equals a function key's is still text */
	assert_int_equal(tui_key_action(TC_EDITOR, KEY_F(2), false), TA_NONE);
	assert_int_equal(tui_key_action(TC_EDITOR, 0x161 /* š */, false), TA_NONE);
	/* readline's kill keys; Home and End reach the whole text's ends */
	assert_int_equal(tui_key_action(TC_EDITOR, 0x17, false), TA_KILL_TO_BLANK);  /* Ctrl+W */
	assert_int_equal(tui_key_action(TC_EDITOR, 0x15, false), TA_KILL_LINE_BACK); /* Ctrl+U */
	assert_int_equal(tui_key_action(TC_EDITOR, 0x0b, false), TA_KILL_LINE_FWD);  /* Ctrl+K */
	assert_int_equal(tui_key_action(TC_EDITOR, TK_ALT_D, false), TA_KILL_WORD_FWD);
	assert_int_equal(tui_key_action(TC_EDITOR, TK_ALT_BACKSPACE, false), TA_KILL_WORD_BACK);
	assert_int_equal(tui_key_action(TC_EDITOR, KEY_END, true), TA_TEXT_END);
	assert_int_equal(tui_key_action(TC_EDITOR, KEY_HOME, true), TA_TEXT_START);
	assert_int_equal(tui_key_action(TC_EDITOR, 0x05, false), TA_EDITORIAL); /* Ctrl+E stays */
	/* synthetic codes are above Unicode: an emoji is text */
	assert_int_equal(tui_key_action(TC_EDITOR, 0x1F332, false), TA_NONE);
}

static void test_batch_keys(void **state)
{
	(void)state;
	assert_int_equal(tui_key_action(TC_BATCHES, 'q', false), TA_QUIT);
	assert_int_equal(tui_key_action(TC_BATCHES, '?', false), TA_HELP);
	assert_int_equal(tui_key_action(TC_BATCHES, 'p', false), TA_PAUSE);
	assert_int_equal(tui_key_action(TC_BATCHES, 'c', false), TA_CANCEL);
	assert_int_equal(tui_key_action(TC_BATCHES, '\r', false), TA_REPORT);
	/* the pane's Up beats nothing, and is not the editor's cursor motion */
	assert_int_equal(tui_key_action(TC_BATCHES, KEY_UP, true), TA_SEL_UP);
	assert_int_equal(tui_key_action(TC_BATCHES, 0x13, false), TA_NONE);
	assert_int_equal(tui_key_action(TC_BATCHES, '\t', false), TA_NEXT_PANE);
}

/* The photo list: the pager's moves, its own Enter, e and u; q closes it
 * (not the program), F10 and F1 stay the program's. */
static void test_photo_list_keys(void **state)
{
	(void)state;
	assert_int_equal(tui_key_action(TC_PHOTOS, 'j', false), TA_PG_LINE_DOWN);
	assert_int_equal(tui_key_action(TC_PHOTOS, KEY_NPAGE, true), TA_PG_PAGE_DOWN);
	assert_int_equal(tui_key_action(TC_PHOTOS, KEY_END, true), TA_PG_BOTTOM);
	assert_int_equal(tui_key_action(TC_PHOTOS, '/', false), TA_PG_FIND);
	assert_int_equal(tui_key_action(TC_PHOTOS, 'N', false), TA_PG_PREV);
	assert_int_equal(tui_key_action(TC_PHOTOS, '\r', false), TA_PL_OPEN);
	assert_int_equal(tui_key_action(TC_PHOTOS, 'e', false), TA_PL_OPEN);
	assert_int_equal(tui_key_action(TC_PHOTOS, 'u', false), TA_PL_UNSKIP);
	assert_int_equal(tui_key_action(TC_PHOTOS, 'q', false), TA_PG_CLOSE);
	assert_int_equal(tui_key_action(TC_PHOTOS, 27, false), TA_PG_CLOSE);
	assert_int_equal(tui_key_action(TC_PHOTOS, KEY_F(10), true), TA_QUIT);
	assert_int_equal(tui_key_action(TC_PHOTOS, '?', false), TA_HELP);
	/* Esc in the editor leaves a re-edit; the batch list's e stays embed */
	assert_int_equal(tui_key_action(TC_EDITOR, 27, false), TA_REDO_LEAVE);
	assert_int_equal(tui_key_action(TC_BATCHES, 'e', false), TA_EMBED);
}

static void test_list(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	tui_print_keys(f);
	fclose(f);
	size_t documented = 0;
	for (size_t i = 0; i < tui_nkeys; i++)
		documented += tui_keys[i].desc != NULL;
	size_t lines = 0;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, documented);
	assert_non_null(strstr(buf, "Ctrl+S\teditor\tsave the description"));
	assert_non_null(strstr(buf, "F10\tanywhere\tquit"));
	/* every action someone can press has a documented key */
	for (size_t i = 0; i < tui_nkeys; i++) {
		bool doc = false;
		for (size_t j = 0; j < tui_nkeys; j++)
			doc |= tui_keys[j].action == tui_keys[i].action && tui_keys[j].desc;
		assert_true(doc);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_editor_keys),
		cmocka_unit_test(test_batch_keys), cmocka_unit_test(test_photo_list_keys),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
