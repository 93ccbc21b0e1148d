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
/* Who holds the library: nobody, this process (lock_acquire), or another
 * process.  The store repairs crash leftovers only when it is not another's. */
typedef enum { LOCK_FREE, LOCK_OURS, LOCK_OTHER } lock_owner;
lock_owner lock_check(const char *state_dir);
#endif
