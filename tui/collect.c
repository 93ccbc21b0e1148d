/* collect.c: phase 3 for the TUI (see collect.h): the session's list and
 * the draft writer thread.  The rules (eligibility, save, reject, skip,
 * drafts) are the core's, src/collect.c; the list fills in from the core's
 * background scan (src/collectscan.c), in order, minus what we save,
 * reject or skip on the way. */
#include "config.h"
#include "collect.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "collectscan.h"
#include "i18n.h"
#include "imageprep.h"
#include "lostrows.h"
#include "photomedia.h"
#include "queue.h"

struct collector {
	settings *cfg;
	store *st;
	collect_scan *scan;
	const mediacsv *m;
	size_t *rows, nrows, cap, cur;
	char **local;    /* mapped paths, made on demand (cap entries) */
	bool scanning;   /* more rows may come */
	long draft_row;  /* shown before the scan found it: skipped then; -1 */
	/* The draft writer: an fsync'd write must not stall typing, so a small
	 * thread writes the latest text handed over (a queue of one: an older
	 * draft still waiting is dropped). */
	pthread_t dth;
	bool dth_started;
	sbq *drafts;
	pthread_mutex_t dmu;
	char derr[1024]; /* last failure, under dmu */
};

typedef struct draft {
	char *cesta, *text;
} draft;

static void draft_free(void *item)
{
	draft *d = item;
	free(d->cesta);
	free(d->text);
}

static int draft_rank(const void *item)
{
	(void)item;
	return 1; /* the newer text replaces it */
}

static void *draft_main(void *arg)
{
	collector *c = arg;
	draft d;
	while (sbq_pop(c->drafts, &d, -1) > 0) { /* after the stop, what is pending first */
		sb_err e;
		sb_err_clear(&e);
		int rc = collect_draft_save(c->st, d.cesta, d.text, &e);
		draft_free(&d);
		if (rc < 0) {
			pthread_mutex_lock(&c->dmu);
			snprintf(c->derr, sizeof c->derr, "%s", e.msg);
			pthread_mutex_unlock(&c->dmu);
		}
		sbq_done(c->drafts);
	}
	return NULL;
}

/* Wait until every handed-over draft is on disk (before a save or quit). */
static void draft_flush(collector *c)
{
	if (c->dth_started)
		sbq_wait_idle(c->drafts);
}

int collect_open(settings *cfg, store *st, collector **out, sb_err *e)
{
	collector *c = xcalloc(1, sizeof *c);
	c->cfg = cfg;
	c->st = st;
	if (collect_scan_start(cfg, st, &c->scan, e) < 0) {
		free(c);
		return -1;
	}
	c->m = collect_scan_csv(c->scan);
	c->scanning = true;
	c->draft_row = -1;
	collect_poll(c);
	pthread_mutex_init(&c->dmu, NULL);
	c->drafts = sbq_new(sizeof(draft), 1, draft_rank, draft_free);
	c->dth_started = pthread_create(&c->dth, NULL, draft_main, c) == 0;
	*out = c;
	return 0;
}

char *collect_lost_notice(collector *c)
{
	return lost_rows_notice(c->st, c->m, c->cfg->media_csv, NULL);
}

void collect_close(collector *c)
{
	if (!c)
		return;
	sbq_stop(c->drafts);
	if (c->dth_started)
		pthread_join(c->dth, NULL); /* writes what is pending first */
	sbq_free(c->drafts);
	pthread_mutex_destroy(&c->dmu);
	collect_scan_free(c->scan);
	for (size_t i = 0; i < c->nrows; i++)
		free(c->local[i]);
	free(c->local);
	free(c->rows);
	free(c);
}

bool collect_poll(collector *c)
{
	if (!c->scanning)
		return false;
	size_t before = c->nrows, cap = c->cap;
	c->scanning = !collect_scan_take(c->scan, &c->rows, &c->nrows, &c->cap);
	if (c->cap != cap) {
		c->local = xrealloc(c->local, c->cap * sizeof *c->local);
		memset(c->local + cap, 0, (c->cap - cap) * sizeof *c->local);
	}
	/* the draft's photo is on the list already */
	for (size_t i = before; c->draft_row >= 0 && i < c->nrows; i++)
		if (c->rows[i] == (size_t)c->draft_row) {
			memmove(c->rows + i, c->rows + i + 1, (c->nrows - i - 1) * sizeof *c->rows);
			c->nrows--;
			c->draft_row = -1;
		}
	return c->nrows != before || !c->scanning;
}

int collect_fd(collector *c)
{
	return c->scanning ? collect_scan_fd(c->scan) : -1;
}

bool collect_counting(collector *c)
{
	return c->scanning;
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
	p->counting = c->scanning;
	return true;
}

const char *collect_ahead(collector *c, size_t n)
{
	if (c->cur + n >= c->nrows)
		return NULL;
	return local_at(c, c->cur + n);
}

/* The draft's photo to the front of what is left: from the list, else
 * from the CSV when the scan has not found it yet. */
static bool take_draft_row(collector *c, const char *cesta)
{
	for (size_t i = c->cur; i < c->nrows; i++)
		if (strcmp(mediacsv_field(c->m, c->rows[i], MC_CESTA), cesta) == 0) {
			size_t r = c->rows[i];
			memmove(c->rows + c->cur + 1, c->rows + c->cur,
				(i - c->cur) * sizeof *c->rows);
			c->rows[c->cur] = r;
			char *l = c->local[i];
			memmove(c->local + c->cur + 1, c->local + c->cur,
				(i - c->cur) * sizeof *c->local);
			c->local[c->cur] = l;
			return true;
		}
	long r = c->scanning ? mediacsv_find(c->m, cesta) : -1;
	if (r < 0 || !mediacsv_row_unprocessed(c->m, (size_t)r))
		return false;
	if (c->nrows + 1 > c->cap) {
		size_t cap = c->cap;
		c->cap = c->nrows + 64;
		c->rows = xrealloc(c->rows, c->cap * sizeof *c->rows);
		c->local = xrealloc(c->local, c->cap * sizeof *c->local);
		memset(c->local + cap, 0, (c->cap - cap) * sizeof *c->local);
	}
	memmove(c->rows + c->cur + 1, c->rows + c->cur, (c->nrows - c->cur) * sizeof *c->rows);
	memmove(c->local + c->cur + 1, c->local + c->cur, (c->nrows - c->cur) * sizeof *c->local);
	c->rows[c->cur] = (size_t)r;
	c->local[c->cur] = NULL;
	c->nrows++;
	c->draft_row = r;
	return true;
}

char *collect_take_draft(collector *c)
{
	char *cesta = NULL;
	char *text = collect_draft_load(c->cfg, c->st, &cesta);
	if (!text)
		return NULL;
	/* Start where the last session stopped, if that photo is still open;
	 * the scan may not have come to it yet. */
	if (!take_draft_row(c, cesta)) {
		free(cesta);
		free(text);
		return NULL;
	}
	free(cesta);
	return text;
}

/* Saved or rejected: durable, then the next photo is current. */
static int add_current(collector *c, const char *text, bool reject, bool editorial,
		       const editorial_info *ed, bool *sealed, sb_err *e)
{
	collect_photo p;
	if (!collect_current(c, &p))
		return sb_fail(e, SBE_GENERIC, "%s", _("there is no photo left to describe"));
	draft_flush(c);
	int rc = reject ? collect_reject_photo(c->cfg, c->st, c->m, p.row, e)
			: collect_save_description(c->cfg, c->st, c->m, p.row, text, editorial, ed,
						   NULL, sealed, e);
	if (rc < 0)
		return -1;
	c->cur++;
	return 0;
}

int collect_save(collector *c, const char *text, bool editorial, const editorial_info *ed,
		 bool *sealed, sb_err *e)
{
	return add_current(c, text, false, editorial, ed, sealed, e);
}

int collect_reject(collector *c, sb_err *e)
{
	return add_current(c, "", true, false, NULL, NULL, e);
}

void collect_skip(collector *c)
{
	draft_flush(c);
	collect_skip_photo(c->st);
	if (c->cur < c->nrows)
		c->cur++;
}

int collect_draft(collector *c, const char *text, sb_err *e)
{
	collect_photo p;
	if (!collect_current(c, &p))
		return 0;
	if (!c->dth_started)
		return collect_draft_save(c->st, p.cesta, text, e);
	draft d = { xstrdup(p.cesta), xstrdup(text) };
	if (!sbq_push(c->drafts, &d))
		draft_free(&d); /* stopped: collect_close is under way */
	int rc = 0;
	pthread_mutex_lock(&c->dmu);
	if (c->derr[0]) {
		rc = sb_fail(e, SBE_IO, "%s", c->derr);
		c->derr[0] = '\0';
	}
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
		if (bs[i].state == BS_COLLECTING && strcmp(bs[i].kind, COLLECT_KIND) == 0)
			*have = bs[i].counts[FS_DESCRIPTION_SAVED];
	free(bs);
}

void collect_default_date(collector *c, char out[16])
{
	collect_photo p;
	bool have = collect_current(c, &p);
	collect_editorial_date(have ? p.datum : NULL, have ? p.local : NULL, out);
}
