/* http.c: placeholder until its module lands. */
#include "config.h"
