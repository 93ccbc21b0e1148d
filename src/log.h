/* log.h: the activity log (STATE_DIR/stockbatch.log) with secret scrubbing:
 * every registered secret is replaced by "[REDACTED]" before anything is
 * written or handed to a callback.  Thread-safe. */
#ifndef SB_LOG_H
#define SB_LOG_H
#include "util.h"
typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;
int log_open(const char *path, sb_err *e);
void log_close(void);
void log_add_secret(const char *secret);
/* Also sent to this callback (the worker forwards to the UI), if set. */
void log_set_sink(void (*sink)(log_level lv, const char *line, void *ctx), void *ctx);
void log_set_stderr(log_level min); /* echo to stderr at or above min; LOG_ERROR+1 = off */
void sb_log(log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Scrub secrets from s in place (also used on error messages). */
void log_scrub(char *s, size_t cap);
#endif
