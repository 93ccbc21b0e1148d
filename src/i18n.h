/* i18n.h: gettext macros.  _() at run time, N_() in static tables. */
#ifndef SB_I18N_H
#define SB_I18N_H
#include "config.h"
#include <libintl.h>
#include <locale.h>
#define _(s) gettext(s)
#define N_(s) (s)
#define P_(s, p, n) ngettext(s, p, n)
/* Sets the locale and binds the text domain (LOCALEDIR, or $STOCKBATCH_LOCALEDIR). */
void i18n_init(void);
#endif
