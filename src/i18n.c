/* i18n.c: locale and text domain. */
#include "config.h"
#include "i18n.h"
#include <stdlib.h>

void i18n_init(void)
{
	setlocale(LC_ALL, "");
	/* Numbers stay C: config values, prices, JSON and HTTP headers use a dot (cs_CZ has a comma). */
	setlocale(LC_NUMERIC, "C");
	const char *dir = getenv("STOCKBATCH_LOCALEDIR");
	bindtextdomain(PACKAGE, dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
}
