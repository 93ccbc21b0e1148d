/* collect.c: phase 3 for the TUI (see collect.h).  The CSV is loaded once
 * at start; the session's list is fixed then, minus what we save, reject or
 * skip on the way. */
#include "config.h"
#include "collect.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "imageprep.h"
#include "mediacsv.h"
#include "request.h"

#define KIND_ORIGINALS "originals"

struct collector {
	settings *cfg;
	store *st;
	mediacsv *m;
	size_t *rows, nrows, cur;
	char **local;      /* mapped paths, made on demand */
	/* The draft writer: an fsync'd write must not stall typing, so a small
	 * thread writes the latest text handed over (older ones are dropped). */
	pthread_t dth;
	bool dth_started, dstop;
	pthread_mutex_t dmu;
	pthread_cond_t dcv;
	char *dcesta, *dtext;   /* pending, under dmu */
	bool dbusy;
	char derr[1024];        /* last failure, under dmu */
};

static void *draft_main(void *arg)
{
	collector *c = arg;
	pthread_mutex_lock(&c->dmu);
	for (;;) {
		while (!c->dstop && !c->dcesta)
			pthread_cond_wait(&c->dcv, &c->dmu);
		if (!c->dcesta && c->dstop)
			break;
		char *cesta = c->dcesta, *text = c->dtext;
		c->dcesta = c->dtext = NULL;
		c->dbusy = true;
		pthread_mutex_unlock(&c->dmu);
		sb_err e;
		sb_err_clear(&e);
		int rc = store_save_draft(c->st, cesta, text, &e);
		free(cesta);
		free(text);
		pthread_mutex_lock(&c->dmu);
		c->dbusy = false;
		if (rc < 0)
			snprintf(c->derr, sizeof c->derr, "%s", e.msg);
		pthread_cond_broadcast(&c->dcv);
	}
	pthread_mutex_unlock(&c->dmu);
	return NULL;
}

/* Wait until every handed-over draft is on disk (before a save or quit). */
static void draft_flush(collector *c)
{
	if (!c->dth_started)
		return;
	pthread_mutex_lock(&c->dmu);
	while (c->dcesta || c->dbusy)
		pthread_cond_wait(&c->dcv, &c->dmu);
	pthread_mutex_unlock(&c->dmu);
}

static bool exists_cb(const char *cesta, void *ctx)
{
	collector *c = ctx;
	char *p = settings_map_path(c->cfg, cesta);
	bool ok = p && file_exists(p);
	free(p);
	return ok;
}

int collect_open(settings *cfg, store *st, collector **out, sb_err *e)
{
	collector *c = xcalloc(1, sizeof *c);
	c->cfg = cfg;
	c->st = st;
	if (mediacsv_load(cfg->media_csv, &c->m, e) < 0) {
		free(c);
		return -1;
	}
	size_t *rows = NULL;
	size_t n = mediacsv_unprocessed(c->m, exists_cb, c, &rows);
	c->rows = xcalloc(n + 1, sizeof *c->rows);
	/* Files in an active batch or rejected by us earlier are not shown. */
	for (size_t i = 0; i < n; i++) {
		const char *cesta = mediacsv_field(c->m, rows[i], MC_CESTA);
		char bid[40];
		file_state fs;
		if (store_file_batch(st, cesta, bid))
			continue;
		if (store_file_known(st, cesta, &fs) && (fs == FS_REJECTED || fs == FS_SAVED_TO_CSV))
			continue;
		c->rows[c->nrows++] = rows[i];
	}
	free(rows);
	c->local = xcalloc(c->nrows + 1, sizeof *c->local);
	pthread_mutex_init(&c->dmu, NULL);
	pthread_cond_init(&c->dcv, NULL);
	c->dth_started = pthread_create(&c->dth, NULL, draft_main, c) == 0;
	*out = c;
	return 0;
}

void collect_close(collector *c)
{
	if (!c)
		return;
	if (c->dth_started) {
		pthread_mutex_lock(&c->dmu);
		c->dstop = true;
		pthread_cond_broadcast(&c->dcv);
		pthread_mutex_unlock(&c->dmu);
		pthread_join(c->dth, NULL); /* writes what is pending first */
	}
	free(c->dcesta);
	free(c->dtext);
	pthread_mutex_destroy(&c->dmu);
	pthread_cond_destroy(&c->dcv);
	for (size_t i = 0; i < c->nrows; i++)
		free(c->local[i]);
	free(c->local);
	free(c->rows);
	mediacsv_free(c->m);
	free(c);
}

static const char *local_at(collector *c, size_t i)
{
	if (!c->local[i])
		c->local[i] = settings_map_path(c->cfg, mediacsv_field(c->m, c->rows[i], MC_CESTA));
	return c->local[i];
}

bool collect_current(collector *c, collect_photo *p)
{
	if (c->cur >= c->nrows)
		return false;
	size_t r = c->rows[c->cur];
	memset(p, 0, sizeof *p);
	p->row = r;
	p->cesta = mediacsv_field(c->m, r, MC_CESTA);
	p->local = (char *)local_at(c, c->cur);
	p->soubor = mediacsv_field(c->m, r, MC_SOUBOR);
	p->kategorie = mediacsv_field(c->m, r, MC_KATEGORIE);
	p->datum = mediacsv_field(c->m, r, MC_DATUM_VYTVORENI);
	p->sirka = mediacsv_field(c->m, r, MC_SIRKA);
	p->vyska = mediacsv_field(c->m, r, MC_VYSKA);
	p->pos = c->cur + 1;
	p->total = c->nrows;
	return true;
}

const char *collect_ahead(collector *c, size_t n)
{
	if (c->cur + n >= c->nrows)
		return NULL;
	return local_at(c, c->cur + n);
}

char *collect_take_draft(collector *c)
{
	char *cesta = NULL;
	char *text = store_load_draft(c->st, &cesta);
	if (!text || !cesta) {
		free(text);
		free(cesta);
		return NULL;
	}
	/* Start where the last session stopped, if that photo is still open. */
	for (size_t i = c->cur; i < c->nrows; i++)
		if (strcmp(mediacsv_field(c->m, c->rows[i], MC_CESTA), cesta) == 0) {
			size_t r = c->rows[i];
			memmove(c->rows + c->cur + 1, c->rows + c->cur, (i - c->cur) * sizeof *c->rows);
			c->rows[c->cur] = r;
			char *l = c->local[i];
			memmove(c->local + c->cur + 1, c->local + c->cur, (i - c->cur) * sizeof *c->local);
			c->local[c->cur] = l;
			free(cesta);
			return text;
		}
	free(cesta);
	free(text);
	return NULL;
}

static int add_current(collector *c, const char *text, file_state state, bool editorial,
		       const editorial_info *ed, bool *sealed, sb_err *e)
{
	collect_photo p;
	if (!collect_current(c, &p))
		return sb_fail(e, SBE_GENERIC, "%s", _("there is no photo left to describe"));
	draft_flush(c);
	batch_info b;
	if (store_collecting(c->st, KIND_ORIGINALS, c->cfg->provider, c->cfg->model, &b, e) < 0)
		return -1;
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)p.cesta;
	f.description = (char *)(text ? text : "");
	f.state = state;
	f.editorial = editorial;
	if (editorial && ed)
		f.ed = *ed;
	mediacsv_fingerprint(c->m, p.row, f.fingerprint);
	f.custom_id = request_custom_id(p.cesta, b.id);
	int rc = store_add_file(c->st, b.id, &f, e);
	free(f.custom_id);
	if (rc < 0)
		return -1;
	if (sealed)
		*sealed = false;
	if (state == FS_DESCRIPTION_SAVED) {
		if (store_seal_if_full(c->st, b.id, (size_t)c->cfg->batch_size, e) < 0)
			return -1;
		batch_info after;
		if (sealed && store_get(c->st, b.id, &after) == 0 && after.state != BS_COLLECTING)
			*sealed = true;
	}
	sb_err e2;
	store_clear_draft(c->st, &e2);
	c->cur++;
	return 0;
}

int collect_save(collector *c, const char *text, bool editorial, const editorial_info *ed,
		 bool *sealed, sb_err *e)
{
	return add_current(c, text, FS_DESCRIPTION_SAVED, editorial, ed, sealed, e);
}

/* A rejected entry in the collecting batch: never offered again (the store
 * knows it); writing "zamítnuto" into the CSV (MCU_REJECT) is the engine's. */
int collect_reject(collector *c, sb_err *e)
{
	return add_current(c, "", FS_REJECTED, false, NULL, NULL, e);
}

void collect_skip(collector *c)
{
	draft_flush(c);
	sb_err e2;
	store_clear_draft(c->st, &e2);
	if (c->cur < c->nrows)
		c->cur++;
}

int collect_draft(collector *c, const char *text, sb_err *e)
{
	collect_photo p;
	if (!collect_current(c, &p))
		return 0;
	if (!c->dth_started)
		return store_save_draft(c->st, p.cesta, text, e);
	pthread_mutex_lock(&c->dmu);
	free(c->dcesta);
	free(c->dtext);
	c->dcesta = xstrdup(p.cesta);
	c->dtext = xstrdup(text);
	int rc = 0;
	if (c->derr[0]) {
		rc = sb_fail(e, SBE_IO, "%s", c->derr);
		c->derr[0] = '\0';
	}
	pthread_cond_signal(&c->dcv);
	pthread_mutex_unlock(&c->dmu);
	return rc;
}

void collect_fill(collector *c, size_t *have, size_t *size)
{
	batch_info *bs = NULL;
	size_t n = store_list(c->st, &bs);
	*have = 0;
	*size = (size_t)c->cfg->batch_size;
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_COLLECTING && strcmp(bs[i].kind, KIND_ORIGINALS) == 0)
			*have = bs[i].counts[FS_DESCRIPTION_SAVED];
	free(bs);
}

void collect_default_date(collector *c, char out[16])
{
	collect_photo p;
	if (collect_current(c, &p)) {
		/* EXIF sits in the first kilobytes: do not read a 24 MP file whole. */
		FILE *f = fopen(p.local, "rb");
		if (f) {
			unsigned char *buf = xmalloc(256 * 1024);
			size_t n = fread(buf, 1, 256 * 1024, f);
			fclose(f);
			bool ok = exif_date(buf, n, out);
			free(buf);
			if (ok)
				return;
		}
	}
	today_ddmmyyyy(out);
	for (char *s = out; *s; s++)
		if (*s == '.')
			*s = ' ';
}
