/* states.c: the batch and file states, their names and their machines:
 * which transitions are legal, and which states keep a file registered. */
#include "config.h"
#include "store_int.h"
#include "i18n.h"

#include <string.h>

/* clang-format off */
static const char *const bs_names[BS__COUNT] = {
	/* N_(): the TUI shows them translated; files and JSON keep these names */
	N_("collecting"), N_("ready"), N_("sent"), N_("completed"), N_("failed"),
	N_("cancelled"), N_("expired"), N_("paused"),
};
/* clang-format on */

/* clang-format off */
static const char *const fs_names[FS__COUNT] = {
	N_("pending"), N_("description_saved"), N_("batch_sent"), N_("batch_completed"),
	N_("saved_to_csv"), N_("error"), N_("file_not_found"), N_("rejected"), N_("skipped"),
	N_("dead"),
};
/* clang-format on */

const char *batch_state_name(batch_state s)
{
	return (unsigned)s < BS__COUNT ? bs_names[s] : "unknown";
}

int batch_state_parse(const char *s, batch_state *out)
{
	for (int i = 0; s && i < BS__COUNT; i++)
		if (!strcmp(s, bs_names[i])) {
			*out = (batch_state)i;
			return 0;
		}
	return -1;
}

const char *file_state_name(file_state s)
{
	return (unsigned)s < FS__COUNT ? fs_names[s] : "unknown";
}

int file_state_parse(const char *s, file_state *out)
{
	for (int i = 0; s && i < FS__COUNT; i++)
		if (!strcmp(s, fs_names[i])) {
			*out = (file_state)i;
			return 0;
		}
	return -1;
}

#define B(x) (1u << BS_##x)
/* Allowed targets per batch state.  From paused, store_set_state further
 * requires the target to fit paused_from (see resume_ok). */
/* clang-format off */
static const unsigned batch_next[BS__COUNT] = {
	[BS_COLLECTING] = B(READY) | B(PAUSED) | B(CANCELLED),
	[BS_READY] = B(SENT) | B(PAUSED) | B(CANCELLED) | B(FAILED) | B(COMPLETED),
	[BS_SENT] = B(COMPLETED) | B(FAILED) | B(CANCELLED) | B(EXPIRED) | B(PAUSED),
	[BS_COMPLETED] = 0,
	[BS_FAILED] = B(READY),
	[BS_CANCELLED] = 0,
	[BS_EXPIRED] = 0,
	[BS_PAUSED] = B(COLLECTING) | B(READY) | B(SENT) | B(CANCELLED) | B(FAILED),
};
/* clang-format on */

#undef B

#define F(x) (1u << FS_##x)
/* clang-format off */
static const unsigned file_next[FS__COUNT] = {
	[FS_PENDING] = F(DESCRIPTION_SAVED) | F(REJECTED) | F(SKIPPED) | F(FILE_NOT_FOUND) | F(ERROR) |
		       F(DEAD),
	[FS_DESCRIPTION_SAVED] = F(PENDING) | F(BATCH_SENT) | F(ERROR) | F(FILE_NOT_FOUND) |
				 F(REJECTED) | F(SKIPPED) | F(DEAD),
	[FS_BATCH_SENT] = F(BATCH_COMPLETED) | F(ERROR) | F(DESCRIPTION_SAVED) | F(FILE_NOT_FOUND) |
			  F(DEAD),
	[FS_BATCH_COMPLETED] = F(SAVED_TO_CSV) | F(ERROR) | F(FILE_NOT_FOUND) | F(DEAD),
	[FS_SAVED_TO_CSV] = 0,
	[FS_ERROR] = F(DESCRIPTION_SAVED) | F(BATCH_SENT) | F(BATCH_COMPLETED) | F(FILE_NOT_FOUND) |
		     F(DEAD),
	[FS_FILE_NOT_FOUND] = F(PENDING) | F(DESCRIPTION_SAVED) | F(ERROR) | F(DEAD),
	[FS_REJECTED] = F(PENDING),
	[FS_SKIPPED] = F(PENDING) | F(DESCRIPTION_SAVED),
	[FS_DEAD] = F(PENDING) | F(DESCRIPTION_SAVED),
};
/* clang-format on */

#undef F

bool batch_transition_ok(batch_state from, batch_state to)
{
	return (unsigned)from < BS__COUNT && (unsigned)to < BS__COUNT &&
	       (batch_next[from] >> to & 1);
}

bool file_transition_ok(file_state from, file_state to)
{
	return (unsigned)from < FS__COUNT && (unsigned)to < FS__COUNT &&
	       (file_next[from] >> to & 1);
}

bool file_state_settled(file_state s)
{
	return s == FS_REJECTED || s == FS_SKIPPED || s == FS_SAVED_TO_CSV || s == FS_DEAD;
}

bool file_state_failed(file_state s)
{
	return s == FS_ERROR || s == FS_DEAD || s == FS_FILE_NOT_FOUND;
}

bool batch_state_active(batch_state s)
{
	return s == BS_COLLECTING || s == BS_READY || s == BS_SENT || s == BS_PAUSED;
}

/* Leaving pause: back where it was, to ready (re-send / seal), or out. */
bool batch_resume_ok(batch_state paused_from, batch_state to)
{
	if (to == BS_READY || to == BS_CANCELLED || to == BS_FAILED)
		return true;
	return to == paused_from;
}

/* States that hold the file in its batch for the global registry. */
bool fs_registered(file_state s)
{
	return s != FS_REJECTED && s != FS_SKIPPED;
}
