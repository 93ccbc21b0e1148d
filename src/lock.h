/* lock.h: one instance per library (fcntl lock on STATE_DIR/lock). */
#ifndef SB_LOCK_H
#define SB_LOCK_H
#include "util.h"
/* Exit status when another instance holds the lock (documented in --help). */
#define SB_EXIT_LOCKED 3
typedef struct sb_lock sb_lock;
/* On contention: SBE_LOCKED, "stockbatch is already running on this library (pid N)". */
int lock_acquire(const char *state_dir, sb_lock **out, sb_err *e);
void lock_release(sb_lock *l);
/* The state dir (lock_acquire checks it first): created 0700; a symlink or
 * a folder of another user is refused with what to do; group and other
 * bits of ours are taken away. */
int state_dir_secure(const char *dir, sb_err *e);
/* Who holds the library: nobody, this process (lock_acquire), or another
 * process.  The store repairs crash leftovers only when it is not another's. */
typedef enum { LOCK_FREE, LOCK_OURS, LOCK_OTHER } lock_owner;
lock_owner lock_check(const char *state_dir);
#endif
