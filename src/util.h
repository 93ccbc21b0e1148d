/* util.h: small shared helpers of the core: memory, byte buffers, errors that
 * a user can act on, atomic file writes, UTF-8 and time.  No curses here. */
#ifndef SB_UTIL_H
#define SB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

/* Error classes decide what a caller does (SPEC 4.4, seed 000 #35). */
typedef enum {
	SBE_OK = 0,
	SBE_GENERIC,  /* anything else: show the message */
	SBE_INPUT,    /* malformed user input: file, line, column in the message */
	SBE_IO,       /* disk */
	SBE_NETWORK,  /* retry with backoff */
	SBE_RATE,     /* 429: wait retry_after seconds */
	SBE_AUTH,     /* stop at once, tell which key */
	SBE_SIZE,     /* too big: split */
	SBE_NOTFOUND, /* 404 / unknown id */
	SBE_CONFLICT, /* 409, row changed by someone else, illegal transition */
	SBE_LOCKED,   /* another instance holds the library */
	SBE_BUDGET,   /* over the budget cap */
} sb_errcode;

typedef struct sb_err {
	sb_errcode code;
	int http_status;    /* when it came from HTTP, else 0 */
	double retry_after; /* seconds, for SBE_RATE; 0 = unknown */
	char msg[1024];     /* never holds a secret */
} sb_err;

/* Set e (may be NULL); returns -1 so callers can `return sb_fail(...)`. */
int sb_fail(sb_err *e, sb_errcode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sb_err_clear(sb_err *e);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable byte buffer, always NUL-terminated. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;
void sbuf_add(sbuf *b, const void *data, size_t n);
void sbuf_adds(sbuf *b, const char *s);
void sbuf_addc(sbuf *b, char c);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_reset(sbuf *b);
char *sbuf_steal(sbuf *b); /* caller frees; b is empty after */
void sbuf_free(sbuf *b);

/* Files.  atomic_write: temp file in the same dir, fsync, rename, fsync dir;
 * the new file gets exactly mode (not masked by the umask).
 * atomic_write_like: the same with the mode and, where allowed, the owner of
 * like (a file it replaces); a group or owner it cannot keep takes the group
 * or other bits away, never adds any. */
int atomic_write(const char *path, const void *data, size_t len, mode_t mode, sb_err *e);
int atomic_write_like(const char *path, const void *data, size_t len, const struct stat *like,
		      sb_err *e);
/* The first half of atomic_write_like: the temp file beside path written,
 * fsync'ed, with like's mode and owner; *tmp (caller frees) is for the
 * caller to rename or exchange. */
int util_write_temp_like(const char *path, const void *data, size_t len, const struct stat *like,
			 char **tmp, sb_err *e);
/* The same, the content written by fill(fd, ctx) (0, or -1 with errno): a
 * large file streamed out instead of built in memory first. */
int util_write_temp_like_with(const char *path, int (*fill)(int, void *), void *ctx,
			      const struct stat *like, char **tmp, sb_err *e);
/* write(2) until all of data is written (EINTR retried); -1 with errno. */
int util_write_all(int fd, const void *data, size_t len);
/* Swap the names a and b atomically (renameat2 RENAME_EXCHANGE): -1 with
 * errno EINVAL, ENOSYS or EOPNOTSUPP where the system or the file system
 * cannot. */
int util_rename_exchange(const char *a, const char *b);
/* A new temp file beside target: "TARGET.tmp.PID.XXXXXX" (random letters),
 * opened O_CREAT|O_EXCL|O_NOFOLLOW with mode 0600, so no name planted in
 * advance (a symlink, a file) is ever written through.  Returns the fd and
 * the name in *tmp (caller frees), or -1. */
int util_create_temp(const char *target, char **tmp, sb_err *e);
/* Remove the temp files of dead processes in dir: names starting with
 * prefix and carrying ".tmp.PID" or ".tmp.PID.XXXXXX", regular files
 * owned by us whose PID is not running.  Returns how many went. */
size_t util_remove_dead_temps(const char *dir, const char *prefix);
/* Files in the state dir: open (O_NOFOLLOW, created 0600, an existing file
 * of ours tightened to 0600); a symlink gets a message saying to remove it. */
int open_private(const char *path, int flags, sb_err *e);
int fsync_dir_of(const char *path);
int read_whole_file(const char *path, char **data, size_t *len, sb_err *e);
/* Open a file to read, refusing what is not a regular file: a FIFO or a
 * device planted in a library (or a CSV named for one) would block the
 * reader for ever.  -1 with errno set; EINVAL for not a regular file,
 * which open_error() words. */
int open_regular(const char *path);
FILE *fopen_regular(const char *path);
const char *open_error(int err);
int mkdir_p(const char *path, mode_t mode, sb_err *e);
char *path_join(const char *a, const char *b);
char *path_dirname(const char *path);
const char *path_basename(const char *path);
/* The file name of a CSV Cesta, which may be a Windows path: split on '/' and '\\'. */
const char *cesta_basename(const char *cesta);
/* Its folder: all before the last '/' or '\\' ("J:\\Foto\\JPG" of
 * "J:\\Foto\\JPG\\a.jpg"), "." when there is none.  Caller frees. */
char *cesta_dirname(const char *cesta);
bool file_exists(const char *path);
/* Append one line and fsync (journals). */
int append_line_sync(const char *path, const char *line, sb_err *e);

/* UTF-8: utf8.h (decoding, validity, lengths, case mapping). */
#include "utf8.h"

/* Time: ISO 8601 UTC ("2026-11-23T17:55:19Z"), DD.MM.YYYY local. */
void time_iso(time_t t, char out[32]);
time_t time_parse_iso(const char *s);
void today_ddmmyyyy(char out[16]);
/* A calendar date typed as "3.8.2024", "3 8 2024", "03/08/2024" or
 * "2024-08-03" as "DD MM YYYY" in out; false when it is no valid date. */
bool date_norm_ddmmyyyy(const char *in, char out[11]);
double now_mono(void); /* seconds, monotonic */

/* FNV-1a 64-bit, hex. */
unsigned long long fnv1a64(const void *data, size_t n);
/* SHA-256 hex of a buffer (64 chars + NUL). */
void sha256_hex(const void *data, size_t n, char out[65]);

#endif
