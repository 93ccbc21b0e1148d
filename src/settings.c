/* settings.c: placeholder (owner: the foundation). */
#include "config.h"
#include "settings.h"
#include <stdlib.h>
#include <string.h>
void settings_defaults(settings *s) { memset(s, 0, sizeof *s); }
void settings_free(settings *s) { (void)s; }
