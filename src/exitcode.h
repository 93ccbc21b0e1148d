/* exitcode.h: the program's exit codes, shared by both front ends
 * (documented in --help and stockbatch(1)). */
#ifndef SB_EXITCODE_H
#define SB_EXITCODE_H
#include "lock.h" /* SB_EXIT_LOCKED */

enum {
	SB_EXIT_OK = 0,    /* done */
	SB_EXIT_ERROR = 1, /* error: the message says what to do */
	SB_EXIT_USAGE = 2, /* bad command line or configuration */
	/* 3 = SB_EXIT_LOCKED (lock.h): another instance holds the library */
	SB_EXIT_WAITING = 4, /* batches still out at the provider */
	SB_EXIT_PARTIAL = 5, /* some items failed or were dead-lettered */
	SB_EXIT_NOT_SENT = 6, /* the provider could not be reached or asked to
			       * wait: batches stay ready (or unchecked); run again later */
	SB_EXIT_INTERRUPTED = 130,
};
#endif
