/* i18n.h: gettext macros.  _() at run time, N_() in static tables. */
#ifndef SB_I18N_H
#define SB_I18N_H
#include "config.h"
#include <libintl.h>
#include <locale.h>
#include <stddef.h>
#define _(s) gettext(s)
#define N_(s) (s)
#define P_(s, p, n) ngettext(s, p, n)
/* Sets the locale and binds the text domain: $STOCKBATCH_LOCALEDIR, else the
 * build tree's locale/ when run uninstalled, else LOCALEDIR. */
void i18n_init(void);
/* The directory of the running program when it is not the installed one
 * (not in BINDIR): a build tree, whose locale/ and data/ the build made.
 * NULL when installed or unknown. */
const char *uninstalled_dir(void);
/* dir/sub when the program runs uninstalled and that directory exists, else NULL. */
const char *uninstalled_subdir(const char *sub, char *buf, size_t n);
#endif
