/* lock.c: one instance per library.  An fcntl write lock on STATE_DIR/lock;
 * the kernel drops it when the process dies, so a crash never leaves a stale
 * lock.  Open-file-description locks (Linux) are used where available: they
 * also conflict within one process and survive other code closing an fd of
 * the same file, which classic POSIX locks do not. */
#include "config.h"
#include "lock.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef F_OFD_SETLK
#define SB_SETLK F_OFD_SETLK
#define SB_GETLK F_OFD_GETLK
#else
#define SB_SETLK F_SETLK
#define SB_GETLK F_GETLK
#endif

struct sb_lock {
	int fd;
	char *path;
	struct sb_lock *next;
};

/* Locks this process holds, for lock_check (OFD locks would report our own
 * lock as a conflict). */
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sb_lock *held;

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

lock_owner lock_check(const char *state_dir)
{
	char *path = path_join(state_dir, "lock");
	lock_owner r = LOCK_FREE;
	pthread_mutex_lock(&held_mu);
	for (struct sb_lock *l = held; l; l = l->next)
		if (same_file(l->path, path))
			r = LOCK_OURS;
	pthread_mutex_unlock(&held_mu);
	if (r == LOCK_FREE) {
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		if (fd >= 0 && fcntl(fd, SB_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			r = LOCK_OTHER;
		if (fd >= 0)
			close(fd);
	}
	free(path);
	return r;
}

/* The holder's pid: the file's content, else what F_GETLK says. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n > 0) {
		buf[n] = 0;
		long pid = strtol(buf, NULL, 10);
		if (pid > 0)
			return pid;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0)
		return (long)fl.l_pid;
	return 0;
}

int state_dir_secure(const char *dir, sb_err *e)
{
	struct stat st;
	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT)
			return sb_fail(e, SBE_IO, _("cannot read %s: %s"), dir, strerror(errno));
		if (mkdir_p(dir, 0700, e) < 0)
			return -1;
		if (lstat(dir, &st) < 0)
			return sb_fail(e, SBE_IO, _("cannot read %s: %s"), dir, strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return sb_fail(
			e, SBE_IO,
			_("the state folder %s is a symbolic link; stockbatch keeps its state "
			  "only in a real folder of yours: remove the link (rm %s) or set "
			  "state_dir to the folder it points to"),
			dir, dir);
	if (!S_ISDIR(st.st_mode))
		return sb_fail(e, SBE_IO, _("the state folder %s is not a folder: move it away"),
			       dir);
	if (st.st_uid != geteuid())
		return sb_fail(
			e, SBE_IO,
			_("the state folder %s belongs to another user (uid %ld); run stockbatch "
			  "as that user, or move the folder away (mv %s %s.old) to start anew"),
			dir, (long)st.st_uid, dir, dir);
	if ((st.st_mode & 077) && chmod(dir, st.st_mode & 0700) < 0)
		return sb_fail(e, SBE_IO, _("cannot make %s private (chmod 700): %s"), dir,
			       strerror(errno));
	return 0;
}

int lock_acquire(const char *state_dir, sb_lock **out, sb_err *e)
{
	*out = NULL;
	if (state_dir_secure(state_dir, e) < 0)
		return -1;
	char *path = path_join(state_dir, "lock");
	sb_err oe;
	sb_err_clear(&oe);
	int fd = open_private(path, O_RDWR | O_CREAT, &oe);
	if (fd < 0) {
		if (errno == ELOOP && e)
			*e = oe; /* a planted symlink: what to remove */
		else
			sb_fail(e, SBE_IO, _("cannot open the lock file %s: %s"), path,
				strerror(errno));
		free(path);
		return -1;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	if (fcntl(fd, SB_SETLK, &fl) < 0) {
		int err = errno;
		if (err == EACCES || err == EAGAIN) {
			long pid = holder_pid(fd);
			if (pid > 0)
				sb_fail(e, SBE_LOCKED,
					_("stockbatch is already running on this library (pid %ld); "
					  "quit it first (lock file %s)"),
					pid, path);
			else
				sb_fail(e, SBE_LOCKED,
					_("stockbatch is already running on this library; "
					  "quit it first (lock file %s)"),
					path);
		} else {
			sb_fail(e, SBE_IO, _("cannot lock %s: %s"), path, strerror(err));
		}
		close(fd);
		free(path);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		sb_fail(e, SBE_IO, _("cannot write the lock file %s: %s"), path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	sb_lock *l = xcalloc(1, sizeof *l);
	l->fd = fd;
	l->path = path;
	pthread_mutex_lock(&held_mu);
	l->next = held;
	held = l;
	pthread_mutex_unlock(&held_mu);
	*out = l;
	return 0;
}

void lock_release(sb_lock *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&held_mu);
	for (struct sb_lock **pp = &held; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	pthread_mutex_unlock(&held_mu);
	/* Empty the pid first: a reader between truncate and close sees no holder. */
	if (ftruncate(l->fd, 0) < 0) {
		/* nothing to do: closing releases the lock anyway */
	}
	close(l->fd);
	free(l->path);
	free(l);
}
