/* keys.c: the key table (see keys.h).  Editing keys are listed so the help
 * and the man page are complete; printable characters insert themselves. */
#include "config.h"
#include "keys.h"

#include <curses.h>
#include <stdbool.h>

#include "i18n.h"

#define CTRL(c) ((c)&0x1f)
#define KEYF(n) (KEY_F0 + (n))

/* clang-format off */
const struct tui_key tui_keys[] = {
	{ KEYF(10), "F10", TC_ANY, TA_QUIT, N_("quit (everything saved is kept, the draft too)") },
	{ CTRL('q'), "Ctrl+Q", TC_ANY, TA_QUIT, N_("quit, also while typing") },
	{ 'q', "q", TC_VIEW, TA_QUIT, N_("quit (outside the editor)") },
	{ CTRL('c'), "Ctrl+C", TC_ANY, TA_QUIT_ASK, N_("quit after asking (the draft is kept)") },
	{ CTRL('z'), "Ctrl+Z", TC_ANY, TA_SUSPEND, N_("suspend to the shell (fg resumes)") },
	{ KEYF(1), "F1", TC_ANY, TA_HELP, N_("this help") },
	{ '?', "?", TC_VIEW, TA_HELP, N_("this help (outside the editor)") },
	{ '\t', "Tab", TC_ANY, TA_NEXT_PANE, N_("next pane (or view, on a small screen)") },
	{ KEY_BTAB, "Shift+Tab", TC_ANY, TA_PREV_PANE, N_("previous pane") },
	{ CTRL('l'), "Ctrl+L", TC_ANY, TA_REDRAW, N_("redraw the screen") },

	{ CTRL('s'), "Ctrl+S", TC_EDITOR, TA_SAVE, N_("save the description and show the next photo") },
	{ KEYF(2), "F2", TC_EDITOR, TA_SAVE, N_("save the description and show the next photo") },
	{ CTRL('n'), "Ctrl+N", TC_EDITOR, TA_SKIP, N_("skip this photo (nothing saved)") },
	{ KEYF(3), "F3", TC_EDITOR, TA_SKIP, N_("skip this photo (nothing saved)") },
	{ CTRL('e'), "Ctrl+E", TC_EDITOR, TA_EDITORIAL, N_("editorial on/off (asks city, country, date)") },
	{ KEYF(4), "F4", TC_EDITOR, TA_EDITORIAL, N_("editorial on/off (asks city, country, date)") },
	{ CTRL('r'), "Ctrl+R", TC_EDITOR, TA_REJECT, N_("reject this photo (asks first)") },
	{ KEYF(5), "F5", TC_EDITOR, TA_REJECT, N_("reject this photo (asks first)") },
	{ CTRL('p'), "Ctrl+P", TC_EDITOR, TA_SHOW_PATH, N_("show the photo's full path") },
	{ KEYF(6), "F6", TC_EDITOR, TA_SHOW_PATH, N_("show the photo's full path") },
	{ CTRL('o'), "Ctrl+O", TC_EDITOR, TA_EXTERNAL, N_("edit the text in $VISUAL or $EDITOR") },
	{ KEYF(7), "F7", TC_EDITOR, TA_EXTERNAL, N_("edit the text in $VISUAL or $EDITOR") },
	{ KEY_NPAGE, "Page Down", TC_EDITOR, TA_FRAME_NEXT, N_("series: show the next frame") },
	{ KEY_PPAGE, "Page Up", TC_EDITOR, TA_FRAME_PREV, N_("series: show the previous frame") },
	{ CTRL('d'), "Ctrl+D", TC_EDITOR, TA_DETACH, N_("series: take the frame shown out (it gets its own description)") },
	{ KEYF(8), "F8", TC_EDITOR, TA_DETACH, N_("series: take the frame shown out (it gets its own description)") },
	{ CTRL('t'), "Ctrl+T", TC_EDITOR, TA_SPLIT, N_("series: split it, the frame shown starting a new one") },
	{ KEYF(9), "F9", TC_EDITOR, TA_SPLIT, N_("series: split it, the frame shown starting a new one") },
	{ CTRL('g'), "Ctrl+G", TC_EDITOR, TA_SCOPE, N_("series: skip, reject and editorial for the whole series or the frame shown") },
	{ KEYF(11), "F11", TC_EDITOR, TA_SCOPE, N_("series: skip, reject and editorial for the whole series or the frame shown") },
	/* a function key: every Ctrl+letter left is readline's (Ctrl+B, Ctrl+F,
	 * Ctrl+Y) or the terminal's (Ctrl+V, Ctrl+\) */
	{ KEYF(12), "F12", TC_EDITOR, TA_PHOTOS, N_("the photo list (o in the batch view): jump to any photo, go back to one passed over") },
	{ KEY_LEFT, "Left", TC_EDITOR, TA_LEFT, N_("cursor one character left") },
	{ KEY_RIGHT, "Right", TC_EDITOR, TA_RIGHT, N_("cursor one character right") },
	{ TK_CTRL_LEFT, "Ctrl+Left", TC_EDITOR, TA_WORD_LEFT, N_("cursor one word left") },
	{ TK_ALT_B, "Alt+B", TC_EDITOR, TA_WORD_LEFT, N_("cursor one word left") },
	{ TK_CTRL_RIGHT, "Ctrl+Right", TC_EDITOR, TA_WORD_RIGHT, N_("cursor one word right") },
	{ TK_ALT_F, "Alt+F", TC_EDITOR, TA_WORD_RIGHT, N_("cursor one word right") },
	{ KEY_UP, "Up", TC_EDITOR, TA_UP, N_("cursor one (wrapped) line up") },
	{ KEY_DOWN, "Down", TC_EDITOR, TA_DOWN, N_("cursor one (wrapped) line down") },
	{ KEY_HOME, "Home", TC_EDITOR, TA_TEXT_START, N_("start of the text") },
	{ CTRL('a'), "Ctrl+A", TC_EDITOR, TA_HOME, N_("start of the (wrapped) line") },
	{ KEY_END, "End", TC_EDITOR, TA_TEXT_END, N_("end of the text") },
	{ KEY_BACKSPACE, "Backspace", TC_EDITOR, TA_BACKSPACE, N_("delete the character before the cursor") },
	{ 0x7f, "Backspace", TC_EDITOR, TA_BACKSPACE, NULL },
	{ CTRL('h'), "Ctrl+H", TC_EDITOR, TA_BACKSPACE, NULL },
	{ KEY_DC, "Delete", TC_EDITOR, TA_DELETE, N_("delete the character under the cursor") },
	/* readline's kill keys (Ctrl+E stays editorial, Ctrl+Y has nothing to yank) */
	{ TK_ALT_BACKSPACE, "Alt+Backspace", TC_EDITOR, TA_KILL_WORD_BACK, N_("delete the word before the cursor") },
	{ CTRL('w'), "Ctrl+W", TC_EDITOR, TA_KILL_TO_BLANK, N_("delete back to the previous blank") },
	{ TK_ALT_D, "Alt+D", TC_EDITOR, TA_KILL_WORD_FWD, N_("delete to the end of the word") },
	{ CTRL('u'), "Ctrl+U", TC_EDITOR, TA_KILL_LINE_BACK, N_("delete to the start of the line (again: the line break too)") },
	{ CTRL('k'), "Ctrl+K", TC_EDITOR, TA_KILL_LINE_FWD, N_("delete to the end of the line (again: the line break too)") },
	{ '\n', "Enter", TC_EDITOR, TA_NEWLINE, N_("new line in the description") },
	{ '\r', "Enter", TC_EDITOR, TA_NEWLINE, NULL },
	{ KEY_ENTER, "Enter", TC_EDITOR, TA_NEWLINE, NULL },
	{ 27, "Esc", TC_EDITOR, TA_REDO_LEAVE, N_("re-editing a saved description: leave it as it was") },

	{ KEY_UP, "Up", TC_BATCHES, TA_SEL_UP, N_("select the batch above") },
	{ 'k', "k", TC_BATCHES, TA_SEL_UP, NULL },
	{ KEY_DOWN, "Down", TC_BATCHES, TA_SEL_DOWN, N_("select the batch below") },
	{ 'j', "j", TC_BATCHES, TA_SEL_DOWN, NULL },
	{ 'p', "p", TC_BATCHES, TA_PAUSE, N_("pause the selected batch") },
	{ 'r', "r", TC_BATCHES, TA_RESUME, N_("resume the selected batch") },
	{ 'c', "c", TC_BATCHES, TA_CANCEL, N_("cancel the selected batch (asks first; completed results are kept)") },
	{ 'f', "f", TC_BATCHES, TA_RETRY, N_("retry the failed items of every batch") },
	{ '\n', "Enter", TC_BATCHES, TA_REPORT, N_("report of the selected batch") },
	{ '\r', "Enter", TC_BATCHES, TA_REPORT, NULL },
	{ KEY_ENTER, "Enter", TC_BATCHES, TA_REPORT, NULL },
	{ 'v', "v", TC_BATCHES, TA_REPORT, N_("report of the selected batch") },
	{ 's', "s", TC_BATCHES, TA_SEND_NOW, N_("send the collecting batch now, not full") },
	{ 'g', "g", TC_BATCHES, TA_POLL_NOW, N_("check the sent batches now") },
	{ 'l', "l", TC_BATCHES, TA_LOG_PAGER, N_("the activity log in the pager, every line whole") },
	{ 'x', "x", TC_BATCHES, TA_EXPORT, N_("write every agency's upload CSV of the rows ready (as export-agency)") },
	{ 'e', "e", TC_BATCHES, TA_EMBED, N_("write title, description and keywords into copies of the photos ready (as embed)") },
	{ 'w', "w", TC_BATCHES, TA_REVIEW, N_("review what was written for each photo of the selected batch") },
	{ 'o', "o", TC_BATCHES, TA_PHOTOS, N_("the photo list: those to describe, skipped, described but not sent yet") },
	{ 'i', "i", TC_BATCHES, TA_SETTINGS, N_("the settings in effect, each with where it came from") },
	{ 'm', "m", TC_BATCHES, TA_MODELS, N_("what the photos waiting cost on every model (as plan --models)") },

	{ KEY_UP, "Up", TC_PAGER, TA_PG_LINE_UP, N_("scroll one line up") },
	{ 'k', "k", TC_PAGER, TA_PG_LINE_UP, NULL },
	{ KEY_DOWN, "Down", TC_PAGER, TA_PG_LINE_DOWN, N_("scroll one line down") },
	{ 'j', "j", TC_PAGER, TA_PG_LINE_DOWN, NULL },
	{ KEY_PPAGE, "PgUp", TC_PAGER, TA_PG_PAGE_UP, N_("one page up") },
	{ 'b', "b", TC_PAGER, TA_PG_PAGE_UP, NULL },
	{ KEY_NPAGE, "PgDn", TC_PAGER, TA_PG_PAGE_DOWN, N_("one page down") },
	{ ' ', "Space", TC_PAGER, TA_PG_PAGE_DOWN, N_("one page down") },
	{ KEY_HOME, "Home", TC_PAGER, TA_PG_TOP, N_("the first line") },
	{ 'g', "g", TC_PAGER, TA_PG_TOP, NULL },
	{ KEY_END, "End", TC_PAGER, TA_PG_BOTTOM, N_("the last line") },
	{ 'G', "G", TC_PAGER, TA_PG_BOTTOM, NULL },
	{ '/', "/", TC_PAGER, TA_PG_FIND, N_("search (type it, Enter finds, Esc leaves; any case)") },
	{ 'n', "n", TC_PAGER, TA_PG_NEXT, N_("the next line with the search") },
	{ 'N', "N", TC_PAGER, TA_PG_PREV, N_("the previous line with the search") },
	{ 'q', "q", TC_PAGER, TA_PG_CLOSE, N_("close the pager") },
	{ 27, "Esc", TC_PAGER, TA_PG_CLOSE, N_("close the pager") },
	{ '\n', "Enter", TC_PAGER, TA_PG_CLOSE, NULL },
	{ '\r', "Enter", TC_PAGER, TA_PG_CLOSE, NULL },

	{ KEY_DOWN, "Down", TC_REVIEW, TA_RV_NEXT, N_("the next photo of the batch") },
	{ 'j', "j", TC_REVIEW, TA_RV_NEXT, NULL },
	{ KEY_NPAGE, "PgDn", TC_REVIEW, TA_RV_NEXT, N_("the next photo of the batch") },
	{ ' ', "Space", TC_REVIEW, TA_RV_NEXT, NULL },
	{ KEY_UP, "Up", TC_REVIEW, TA_RV_PREV, N_("the previous photo of the batch") },
	{ 'k', "k", TC_REVIEW, TA_RV_PREV, NULL },
	{ KEY_PPAGE, "PgUp", TC_REVIEW, TA_RV_PREV, N_("the previous photo of the batch") },
	{ KEY_HOME, "Home", TC_REVIEW, TA_RV_FIRST, N_("the first photo") },
	{ 'g', "g", TC_REVIEW, TA_RV_FIRST, NULL },
	{ KEY_END, "End", TC_REVIEW, TA_RV_LAST, N_("the last photo") },
	{ 'G', "G", TC_REVIEW, TA_RV_LAST, NULL },
	{ 'r', "r", TC_REVIEW, TA_RV_REDO, N_("redo this photo: correct your description, then Ctrl+S queues it") },
	{ 'q', "q", TC_REVIEW, TA_RV_CLOSE, N_("close the review") },
	{ 27, "Esc", TC_REVIEW, TA_RV_CLOSE, N_("close the review") },
	{ CTRL('s'), "Ctrl+S", TC_REDO, TA_RV_QUEUE, N_("queue the redo with the corrected description (one new request)") },
	{ KEYF(2), "F2", TC_REDO, TA_RV_QUEUE, N_("queue the redo with the corrected description (one new request)") },
	{ 27, "Esc", TC_REDO, TA_RV_BACK, N_("back to the review, nothing queued") },
	{ KEY_UP, "Up", TC_PHOTOS, TA_PG_LINE_UP, N_("the photo above") },
	{ 'k', "k", TC_PHOTOS, TA_PG_LINE_UP, NULL },
	{ KEY_DOWN, "Down", TC_PHOTOS, TA_PG_LINE_DOWN, N_("the photo below") },
	{ 'j', "j", TC_PHOTOS, TA_PG_LINE_DOWN, NULL },
	{ KEY_PPAGE, "PgUp", TC_PHOTOS, TA_PG_PAGE_UP, N_("one page up") },
	{ KEY_NPAGE, "PgDn", TC_PHOTOS, TA_PG_PAGE_DOWN, N_("one page down") },
	{ KEY_HOME, "Home", TC_PHOTOS, TA_PG_TOP, N_("the first photo") },
	{ 'g', "g", TC_PHOTOS, TA_PG_TOP, NULL },
	{ KEY_END, "End", TC_PHOTOS, TA_PG_BOTTOM, N_("the last photo") },
	{ 'G', "G", TC_PHOTOS, TA_PG_BOTTOM, NULL },
	{ '/', "/", TC_PHOTOS, TA_PG_FIND, N_("search by file name or folder (type it, Enter finds, Esc leaves; any case)") },
	{ 'n', "n", TC_PHOTOS, TA_PG_NEXT, N_("the next photo with the search") },
	{ 'N', "N", TC_PHOTOS, TA_PG_PREV, N_("the previous photo with the search") },
	{ '\n', "Enter", TC_PHOTOS, TA_PL_OPEN, N_("describe this photo now, or re-edit its saved description (before its batch is sealed)") },
	{ '\r', "Enter", TC_PHOTOS, TA_PL_OPEN, NULL },
	{ KEY_ENTER, "Enter", TC_PHOTOS, TA_PL_OPEN, NULL },
	{ 'e', "e", TC_PHOTOS, TA_PL_OPEN, N_("describe or re-edit this photo (as Enter)") },
	{ 'u', "u", TC_PHOTOS, TA_PL_UNSKIP, N_("un-skip: a photo skipped this session comes next") },
	{ 'q', "q", TC_PHOTOS, TA_PG_CLOSE, N_("close the photo list") },
	{ 27, "Esc", TC_PHOTOS, TA_PG_CLOSE, N_("close the photo list") },
};
/* clang-format on */
const size_t tui_nkeys = sizeof tui_keys / sizeof tui_keys[0];

const char *tui_ctx_name(tui_ctx c)
{
	switch (c) {
	case TC_ANY: return _("anywhere");
	case TC_EDITOR: return _("editor");
	case TC_BATCHES: return _("batches");
	case TC_VIEW: return _("outside the editor");
	case TC_PAGER: return _("pager");
	case TC_REVIEW: return _("review");
	case TC_REDO: return _("redo editor");
	case TC_PHOTOS: return _("photo list");
	}
	return "";
}

/* Characters typed into the editor are text; only control characters and
 * function keys are commands there. */
static bool ctx_matches(tui_ctx entry, tui_ctx ctx)
{
	if (entry == ctx || entry == TC_ANY)
		return true;
	return entry == TC_VIEW && ctx != TC_EDITOR && ctx != TC_REDO;
}

tui_action tui_key_action(tui_ctx ctx, int code, bool is_key)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < tui_nkeys; i++) {
			const struct tui_key *k = &tui_keys[i];
			bool own = k->ctx == ctx;
			if ((pass == 0) != own || !ctx_matches(k->ctx, ctx) || k->code != code)
				continue;
			/* a function key code must not match a character of the same value */
			bool k_is_key = k->code >= KEY_MIN && k->code < TK_FIRST;
			if (k_is_key != is_key && k->code < TK_FIRST)
				continue;
			return k->action;
		}
	return TA_NONE;
}

void tui_print_keys(FILE *out)
{
	for (size_t i = 0; i < tui_nkeys; i++)
		if (tui_keys[i].desc)
			fprintf(out, "%s\t%s\t%s\n", tui_keys[i].name,
				tui_ctx_name(tui_keys[i].ctx), _(tui_keys[i].desc));
}
