/* copies.c: edited copies that appear after their original was committed
 * (edits made days later).  Every run, and `plan`, look for the copies of
 * committed originals (Originál = ano, title and description written) whose
 * file exists under the edited-photo tree but which have no row yet and are
 * in no batch: the run makes their rows and queues them (commit.c), plan
 * lists them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "engine.h"
#include "photomedia.h"

/* no row, in no batch, not settled by us (a row the user deleted after
 * our commit stays deleted), and the file is there */
static bool wanted(const settings *cfg, store *st, const mediacsv *m, const char *ac)
{
	char held[40];
	file_state known;
	if (mediacsv_find(m, ac) >= 0)
		return false;
	if (st && (store_file_batch(st, ac, held) ||
		   (store_file_known(st, ac, &known) && known != FS_DEAD)))
		return false;
	char *p = settings_map_path(cfg, ac);
	bool ok = p && access(p, R_OK) == 0;
	free(p);
	return ok;
}

size_t engine_late_copies(const settings *cfg, store *st, const mediacsv *m, late_copy **out)
{
	*out = NULL;
	if (cfg->nalternatives <= 0)
		return 0;
	late_copy *v = NULL;
	size_t n = 0, cap = 0;
	size_t rows = mediacsv_rows(m);
	int c_orig = mediacsv_col(m, MC_ORIGINAL), c_nazev = mediacsv_col(m, MC_NAZEV),
	    c_popis = mediacsv_col(m, MC_POPIS), c_cesta = mediacsv_col(m, MC_CESTA);
	for (size_t r = 0; r < rows; r++) {
		/* a committed original: Originál = ano, title and description written */
		if (strcasecmp(mediacsv_get(m, r, c_orig), "ano") != 0 ||
		    !mediacsv_get(m, r, c_nazev)[0] || !mediacsv_get(m, r, c_popis)[0])
			continue;
		const char *cesta = mediacsv_get(m, r, c_cesta);
		for (int a = 0; a < cfg->nalternatives; a++) {
			char *ac = engine_alt_cesta(cesta, cfg->alternatives[a]);
			if (!ac || !wanted(cfg, st, m, ac)) {
				free(ac);
				continue;
			}
			if (n == cap)
				v = xrealloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
			v[n].orig_row = r;
			v[n].tag = cfg->alternatives[a];
			v[n].cesta = ac;
			n++;
		}
	}
	*out = v;
	return n;
}

void late_copies_free(late_copy *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].cesta);
	free(c);
}
